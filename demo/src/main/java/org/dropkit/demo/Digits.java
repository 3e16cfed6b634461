package org.dropkit.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The shipped data: the 1,797 8x8 handwritten digits of the test part of the UCI "Optical Recognition of
 * Handwritten Digits" set (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0), read from {@code demo/data/digits.csv.gz},
 * which {@code demo/data/DATA.md} describes. One line per image: 64 pixel counts in 0..16, row by row, then the digit.
 *
 * <p>The file is checked as it is read: a wrong number of images, of values on a line, or a value out of range is an
 * {@link IllegalStateException} that names the line.
 */
final class Digits {

    static final String RESOURCE = "data/digits.csv.gz";
    static final int IMAGES = 1797;
    static final int SIDE = 8;
    static final int PIXELS = SIDE * SIDE;
    static final int CLASSES = 10;
    static final int MAX_VALUE = 16;

    /** Pixel counts, image by image, row by row: {@code pixels[i][r * SIDE + c]}. */
    final byte[][] pixels;
    final int[] labels;

    Digits(byte[][] pixels, int[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The shipped set, from the class path. */
    static Digits load() {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the digits data " + RESOURCE + " is not on the class path: build the"
                        + " demo with Maven (demo/run does), which copies demo/data into target/classes");
            }
            return parse(new GZIPInputStream(in), IMAGES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the digits data " + RESOURCE, e);
        }
    }

    /** Reads CSV lines of 64 pixel counts and a label; exactly {@code expected} of them. */
    static Digits parse(InputStream csv, int expected) throws IOException {
        byte[][] pixels = new byte[expected][];
        int[] labels = new int[expected];
        BufferedReader reader = new BufferedReader(new InputStreamReader(csv, StandardCharsets.US_ASCII));
        int n = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isEmpty()) {
                continue;
            }
            if (n == expected) {
                throw new IllegalStateException("the digits data has more than " + expected + " images (line "
                        + (n + 1) + ")");
            }
            String[] fields = line.split(",", -1);
            if (fields.length != PIXELS + 1) {
                throw new IllegalStateException("line " + (n + 1) + " of the digits data has " + fields.length
                        + " values, expected " + (PIXELS + 1) + " (64 pixels and the digit)");
            }
            byte[] image = new byte[PIXELS];
            for (int j = 0; j < PIXELS; j++) {
                image[j] = (byte) value(fields[j], MAX_VALUE, n, j);
            }
            pixels[n] = image;
            labels[n] = value(fields[PIXELS], CLASSES - 1, n, PIXELS);
            n++;
        }
        if (n != expected) {
            throw new IllegalStateException("the digits data has " + n + " images, expected " + expected);
        }
        return new Digits(pixels, labels);
    }

    private static int value(String field, int max, int line, int column) {
        int v;
        try {
            v = Integer.parseInt(field.trim());
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0 || v > max) {
            throw new IllegalStateException("line " + (line + 1) + ", value " + (column + 1) + " of the digits data is '"
                    + field + "', expected an integer in [0, " + max + "]");
        }
        return v;
    }

    int size() {
        return labels.length;
    }

    /** How many images of each digit. */
    int[] classCounts() {
        int[] counts = new int[CLASSES];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The images at the given indices, in that order. */
    Digits subset(int[] indices) {
        byte[][] p = new byte[indices.length][];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            p[i] = pixels[indices[i]];
            l[i] = labels[indices[i]];
        }
        return new Digits(p, l);
    }

    /** Every image turned a quarter turn clockwise: out of distribution, with the labels it had. */
    Digits rotated() {
        byte[][] p = new byte[size()][PIXELS];
        for (int i = 0; i < size(); i++) {
            for (int r = 0; r < SIDE; r++) {
                for (int c = 0; c < SIDE; c++) {
                    // the pixel at (r, c) moves to (c, SIDE - 1 - r)
                    p[i][c * SIDE + (SIDE - 1 - r)] = pixels[i][r * SIDE + c];
                }
            }
        }
        return new Digits(p, labels);
    }

    /** Every image in negative (16 - count): dark digits on a light ground, out of distribution. */
    Digits inverted() {
        byte[][] p = new byte[size()][PIXELS];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < PIXELS; j++) {
                p[i][j] = (byte) (MAX_VALUE - pixels[i][j]);
            }
        }
        return new Digits(p, labels);
    }

    /** Pixel values scaled to [0, 1] (count / 16), image by image: {@code [image][row * 8 + column]}. */
    float[][] scaled() {
        float[][] x = new float[size()][PIXELS];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < PIXELS; j++) {
                x[i][j] = pixels[i][j] / (float) MAX_VALUE;
            }
        }
        return x;
    }

    /** One-hot labels, {@code [image][digit]}. */
    float[][] oneHot() {
        float[][] y = new float[size()][CLASSES];
        for (int i = 0; i < size(); i++) {
            y[i][labels[i]] = 1f;
        }
        return y;
    }

    @Override
    public String toString() {
        return "Digits(" + size() + " images, per digit " + Arrays.toString(classCounts()) + ")";
    }
}

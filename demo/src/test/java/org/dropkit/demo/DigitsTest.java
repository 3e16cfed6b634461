package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The shipped digits are the file DATA.md names, read and transformed as the demo says. */
class DigitsTest {

    private static final Path DATA = Paths.get("data");

    @Test
    void shippedFileIsTheOneDataMdNamesByItsSha256() throws Exception {
        String note = Files.readString(DATA.resolve("DATA.md"));
        Matcher m = Pattern.compile("`digits\\.csv\\.gz` \\([0-9,]+ bytes, SHA-256 `([0-9a-f]{64})`\\)").matcher(note);
        assertTrue(m.find(), "DATA.md names the file's SHA-256");
        byte[] file = Files.readAllBytes(DATA.resolve("digits.csv.gz"));
        StringBuilder hex = new StringBuilder();
        for (byte b : MessageDigest.getInstance("SHA-256").digest(file)) {
            hex.append(String.format("%02x", b));
        }
        assertEquals(m.group(1), hex.toString());
        assertTrue(note.contains(String.format("%,d bytes", file.length)), "DATA.md gives the size");
    }

    @Test
    void shippedSetIsTheUciTestPartWithItsPublishedClassCounts() {
        Digits d = Digits.load();
        assertEquals(1797, d.size());
        // UCI's class distribution of optdigits.tes
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, d.classCounts());
        Set<String> distinct = new HashSet<>();
        for (byte[] image : d.pixels) {
            assertEquals(64, image.length);
            for (byte v : image) {
                assertTrue(v >= 0 && v <= 16);
            }
            distinct.add(Arrays.toString(image));
        }
        assertEquals(1797, distinct.size(), "no two images are the same");
        // the first image of the file is a 0: a ring of ink with an empty middle
        assertEquals(0, d.labels[0]);
        assertEquals(0, d.pixels[0][3 * 8 + 3]);
        assertTrue(d.pixels[0][0 * 8 + 3] > 8);
    }

    @Test
    void rejectsMalformedFilesNamingTheLine() {
        String good = "0,".repeat(64) + "3\n";
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Digits.parse(stream(good + "0,".repeat(63) + "3\n"), 2));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("expected 65"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Digits.parse(stream("17," + "0,".repeat(63) + "3\n"), 1));
        assertTrue(e.getMessage().contains("'17'") && e.getMessage().contains("[0, 16]"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Digits.parse(stream(good + "0,".repeat(64) + "10\n"), 2));
        assertTrue(e.getMessage().contains("'10'") && e.getMessage().contains("[0, 9]"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Digits.parse(stream(good), 2));
        assertTrue(e.getMessage().contains("has 1 images, expected 2"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Digits.parse(stream(good + good), 1));
        assertTrue(e.getMessage().contains("more than 1"), e.getMessage());
    }

    @Test
    void rotationIsAQuarterTurnClockwiseAndFourMakeTheIdentity() {
        Digits one = single(image -> image[0 * 8 + 7] = 5); // top right corner
        // clockwise, the top right corner goes to the bottom right
        assertEquals(5, one.rotated().pixels[0][7 * 8 + 7]);
        assertEquals(0, one.rotated().pixels[0][0 * 8 + 7]);
        Digits d = Digits.load().subset(new int[] {0, 1, 2, 3});
        assertArrayEquals(d.pixels, d.rotated().rotated().rotated().rotated().pixels);
        assertArrayEquals(d.labels, d.rotated().labels);
        assertTrue(!Arrays.deepEquals(d.pixels, d.rotated().pixels));
    }

    @Test
    void inversionIsSixteenMinusTheCount() {
        Digits d = Digits.load().subset(new int[] {5, 6});
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < 64; j++) {
                assertEquals(16 - d.pixels[i][j], d.inverted().pixels[i][j]);
            }
        }
        assertArrayEquals(d.pixels, d.inverted().inverted().pixels);
    }

    @Test
    void inputViewsPutEveryPixelWhereTheNetworkExpectsIt() {
        Digits d = Digits.load().subset(new int[] {10, 11, 12});
        INDArray flat = Input.FLAT.features(d);
        INDArray image = Input.IMAGE.features(d);
        INDArray rows = Input.ROWS.features(d);
        assertArrayEquals(new long[] {3, 64}, flat.shape());
        assertArrayEquals(new long[] {3, 1, 8, 8}, image.shape());
        assertArrayEquals(new long[] {3, 8, 8}, rows.shape());
        for (int i = 0; i < 3; i++) {
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    float v = d.pixels[i][r * 8 + c] / 16f;
                    assertEquals(v, flat.getFloat(i, r * 8 + c));
                    assertEquals(v, image.getFloat(i, 0, r, c));
                    // NCW: feature = column, time step = row
                    assertEquals(v, rows.getFloat(i, c, r));
                }
            }
        }
        assertEquals(1f, Input.FLAT.dataSet(d).getLabels().getFloat(0, d.labels[0]));
    }

    private static Digits single(java.util.function.Consumer<byte[]> paint) {
        byte[] image = new byte[64];
        paint.accept(image);
        return new Digits(new byte[][] {image}, new int[] {1});
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }
}

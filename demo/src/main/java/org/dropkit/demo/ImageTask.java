package org.dropkit.demo;

import java.util.SplittableRandom;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small synthetic images for the convolutional model: a short bar (horizontal, vertical, diagonal or anti-diagonal:
 * four classes) at a random place in a noisy single-channel image, NCHW. Few examples and noisy training labels, so a
 * small CNN overfits; held-out labels are clean. Generated from a seed, the same on every machine.
 */
final class ImageTask {

    static final int CLASSES = 4;

    final DataSet train;
    final DataSet test;
    final int size;
    final double labelNoise;

    private ImageTask(DataSet train, DataSet test, int size, double labelNoise) {
        this.train = train;
        this.test = test;
        this.size = size;
        this.labelNoise = labelNoise;
    }

    static ImageTask generate(long seed, int trainSize, int testSize, int size, int barLength, double noise,
            double labelNoise) {
        SplittableRandom random = new SplittableRandom(seed);
        DataSet train = sample(random, trainSize, size, barLength, noise, labelNoise);
        DataSet test = sample(random, testSize, size, barLength, noise, 0.0);
        return new ImageTask(train, test, size, labelNoise);
    }

    private static DataSet sample(SplittableRandom random, int n, int size, int barLength, double noise,
            double labelNoise) {
        float[][][][] x = new float[n][1][size][size];
        float[][] y = new float[n][CLASSES];
        int[][] directions = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            float[][] image = x[i][0];
            for (int r = 0; r < size; r++) {
                for (int col = 0; col < size; col++) {
                    image[r][col] = (float) (noise * TabularTask.gaussian(random));
                }
            }
            int dr = directions[c][0];
            int dc = directions[c][1];
            int span = barLength - 1;
            int r0 = random.nextInt(size - dr * span);
            int c0 = dc >= 0 ? random.nextInt(size - dc * span) : span + random.nextInt(size - span);
            for (int k = 0; k < barLength; k++) {
                image[r0 + dr * k][c0 + dc * k] += 1f;
            }
            int label = random.nextDouble() < labelNoise ? random.nextInt(CLASSES) : c;
            y[i][label] = 1f;
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }
}

package org.dropkit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dropkit.MaskKind;
import org.dropkit.Scaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The parts of a DropBlock mask: the seed rate gamma, and seeds widened to blocks by the pooling. */
class DropBlockMaskTest {

    /** The paper's equation (1) on ResNet-50's group 3 (28 x 28 maps, block 7, keep_prob 0.9), and H != W. */
    @Test
    void gammaIsThePapersEquationOne() {
        assertEquals(0.1 / 49 * 784 / 484, DropBlockMask.gamma(0.9, 7, 28, 28), 1e-15);
        assertEquals(0.25 / 9 * (10.0 * 14) / (8.0 * 12), DropBlockMask.gamma(0.75, 3, 10, 14), 1e-15);
        assertEquals(0.2, DropBlockMask.gamma(0.8, 1, 5, 9), 1e-15, "block 1: gamma = 1 - keep (dropout)");
        assertEquals(0.3, DropBlockMask.gamma(0.7, 6, 6, 6), 1e-15, "block = map: one position, gamma = 1 - keep");
    }

    /** gamma is a probability: at most 1 - keep for every block that fits, so any keep in (0, 1] is valid. */
    @Test
    void gammaNeverExceedsTheDropRate() {
        for (int h = 1; h <= 40; h++) {
            for (int w = 1; w <= 40; w++) {
                for (int b = 1; b <= Math.min(h, w); b++) {
                    double g = DropBlockMask.gamma(0.01, b, h, w);
                    assertTrue(g <= 0.99 + 1e-12, "gamma " + g + " for block " + b + " on " + h + "x" + w);
                }
            }
        }
    }

    /**
     * The pooling widens each seed at (i, j) of the (H - b + 1) x (W - b + 1) seed map to rows i .. i + b - 1 and
     * columns j .. j + b - 1 of the H x W map, and does nothing else: compared with the same seeds widened in Java.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void eachSeedDropsExactlyItsBlock(int b) {
        long[] shape = {3, 2, 9, 13};
        long seed = 7 + b;
        double keep = 0.7;
        INDArray blocks = new DropBlockMask(b, false, false).blocks(keep, seed, shape);

        INDArray seeds = Nd4j.createUninitialized(DataType.FLOAT, 3, 2, 9 - b + 1, 13 - b + 1);
        MaskEngine.fill(MaskSpec.of(MaskKind.BERNOULLI, DropBlockMask.gamma(keep, b, 9, 13), Scaling.VANILLA,
                new int[0]), seed, seeds);
        assertTrue(seeds.sumNumber().doubleValue() > 0, "some seeds");
        float[] expected = new float[(int) blocks.length()];
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 9 - b + 1; i++) {
                    for (int j = 0; j < 13 - b + 1; j++) {
                        if (seeds.getDouble(n, c, i, j) != 0) {
                            for (int h = i; h < i + b; h++) {
                                for (int w = j; w < j + b; w++) {
                                    expected[((n * 2 + c) * 9 + h) * 13 + w] = 1f;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertArrayEquals(shape, blocks.shape(), "blocks have the map's shape");
        assertArrayEquals(expected, blocks.dup('c').data().asFloat(), "blocks of the seeds, block size " + b);
    }
}

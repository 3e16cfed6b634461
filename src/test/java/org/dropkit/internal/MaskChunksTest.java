package org.dropkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorized chunk kernels compute what their documentation says, checked against plain scalar code that
 * decodes the same counter values: Bernoulli exactly, Box-Muller against a double-precision evaluation with
 * {@code Math.log}, {@code Math.cos} and {@code Math.sin}.
 */
class MaskChunksTest {

    private static final int CHUNK = MaskChunks.CHUNK;
    private static final int PAIRS = CHUNK / 2;

    @Test
    void chunkWordsAreSplitMix64Outputs() {
        // SplitMix64 seeded with k: state += GAMMA, output mix(state). The word of chunk c is its (c + 1)-th output.
        long key = 0x1234_5678_9ABC_DEF0L;
        long state = key;
        for (long chunk = 0; chunk < 1000; chunk++) {
            state += CounterHash.GAMMA;
            assertEquals(CounterHash.mix(state), CounterHash.chunkWord(key, chunk), "chunk " + chunk);
        }
    }

    /** Value j of a chunk is mix32(j a + b), a the chunk word's high half made odd, b its low half. */
    @Test
    void chunkValuesHashAnArithmeticProgressionOfTheChunkWord() {
        long key = CounterHash.key(3, CounterHash.BERNOULLI_SALT);
        int[] bulk = new int[CounterHash.MAX_VALUES];
        for (long chunk : new long[] {0, 1, 77_777, Long.MAX_VALUE / 3}) {
            CounterHash.values(key, chunk, bulk, bulk.length);
            long w = CounterHash.chunkWord(key, chunk);
            int a = (int) (w >>> 32) | 1;
            int b = (int) w;
            Set<Integer> distinct = new HashSet<>();
            for (int j = 0; j < bulk.length; j++) {
                assertEquals(CounterHash.mix32(j * a + b), bulk[j], "chunk " + chunk + ", value " + j);
                assertEquals(bulk[j], CounterHash.value(key, chunk, j), "chunk " + chunk + ", value " + j + " alone");
                distinct.add(bulk[j]);
            }
            assertEquals(bulk.length, distinct.size(), "values of one chunk are distinct (a bijection of j)");
        }
        int[] few = new int[5];
        CounterHash.values(key, 9, few, few.length);
        assertEquals(CounterHash.value(key, 9, 3), few[3], "a prefix of a chunk");
    }

    /**
     * mix32 is a bijection (undone step by step on fixed inputs, so distinct inputs give distinct values) whose
     * every output bit depends on every input bit.
     */
    @Test
    void mix32IsABijectionWithFullAvalanche() {
        // Inverses: x ^ (x >>> 16) is its own; x ^ (x >>> 15) has x ^ (x >>> 15) ^ (x >>> 30); an odd factor has
        // one mod 2^32.
        for (int x : new int[] {0, 1, -1, 0x8000_0000, 0x1234_5678, 42}) {
            int y = CounterHash.mix32(x);
            y ^= (y >>> 15) ^ (y >>> 30);
            y *= inverse(0xD35A2D97);
            y ^= (y >>> 15) ^ (y >>> 30);
            y *= inverse(0x21F0AAAD);
            y ^= y >>> 16;
            assertEquals(x, y, "mix32 inverted at " + x);
        }
        // Flipping one input bit flips each output bit with probability near 1/2: over 2^14 inputs and all 32 input
        // bits, every (input bit, output bit) rate lies within 0.5 +- 0.05 (the binomial sd of one rate is 0.004).
        int inputs = 1 << 14;
        Random random = new Random(7);
        int[][] flips = new int[32][32];
        for (int n = 0; n < inputs; n++) {
            int x = random.nextInt();
            int h = CounterHash.mix32(x);
            for (int i = 0; i < 32; i++) {
                int d = h ^ CounterHash.mix32(x ^ (1 << i));
                for (int o = 0; o < 32; o++) {
                    flips[i][o] += (d >>> o) & 1;
                }
            }
        }
        for (int i = 0; i < 32; i++) {
            for (int o = 0; o < 32; o++) {
                double rate = flips[i][o] / (double) inputs;
                assertTrue(Math.abs(rate - 0.5) < 0.05, "input bit " + i + " -> output bit " + o + ": " + rate);
            }
        }
    }

    private static int inverse(int odd) {
        int inv = odd; // Newton's iteration for the inverse mod 2^32: each step doubles the correct low bits
        for (int k = 0; k < 5; k++) {
            inv *= 2 - odd * inv;
        }
        return inv;
    }

    /** Element j of chunk c is kept when the top 31 bits of value j of the chunk are below round(p 2^31). */
    @ParameterizedTest
    @ValueSource(doubles = {0.001, 0.3, 0.5, 0.8, 0.999999, 1.0})
    void bernoulliChunkKeepsExactlyTheElementsWhoseValueIsBelowTheThreshold(double p) {
        long key = CounterHash.key(99, CounterHash.BERNOULLI_SALT);
        long threshold = Math.round(p * 0x1p31);
        float kept = (float) (1 / p);
        float[] out = new float[CHUNK];
        for (long chunk : new long[] {0, 1, 12345}) {
            MaskChunks.get().bernoulli(key, chunk, (int) threshold, kept, out);
            for (int j = 0; j < CHUNK; j++) {
                long top31 = CounterHash.value(key, chunk, j) >>> 1;
                float expected = top31 < threshold ? kept : 0f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[j]),
                        "chunk " + chunk + ", element " + j);
            }
        }
    }

    /**
     * Pair q of chunk c: u = ((value q of chunk c of the radius stream) | 1) 2^-32, theta = 2 (t - 2^22 + 1/2) pi 2^-23
     * with t the top 23 bits of value q of chunk c of the angle stream; elements q and q + PAIRS are 1 + sigma r cos
     * theta and 1 + sigma r sin theta, r = sqrt(-2 ln u). The float pipeline agrees with this evaluated in double to
     * 1e-5 (1 + |z|); where r < 0.01 (u within 5e-5 of 1, 0.005% of the values) the float resolution of u (6e-8 below
     * 1) limits the absolute error of z to 1e-4 instead. Measured worst cases over 8M values: 5.3e-6 and 5.8e-5.
     */
    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void gaussianChunkIsTheBoxMullerTransformOfItsWords(long seed) {
        long radiusKey = CounterHash.key(seed, CounterHash.RADIUS_SALT);
        long angleKey = CounterHash.key(seed, CounterHash.ANGLE_SALT);
        float[] out = new float[CHUNK];
        for (long chunk = 0; chunk < 512; chunk++) {
            MaskChunks.get().gaussian(radiusKey, angleKey, chunk, 1f, out);
            for (int q = 0; q < PAIRS; q++) {
                int radiusHalf = CounterHash.value(radiusKey, chunk, q);
                int angleHalf = CounterHash.value(angleKey, chunk, q);
                double u = ((radiusHalf | 1) & 0xFFFFFFFFL) * 0x1p-32;
                double theta = 2 * ((angleHalf >>> 9) - 0x1p22 + 0.5) * Math.PI * 0x1p-23;
                double r = Math.sqrt(-2 * Math.log(u));
                double[] z = {r * Math.cos(theta), r * Math.sin(theta)};
                for (int h = 0; h < 2; h++) {
                    double got = out[q + h * PAIRS] - 1.0;
                    double error = Math.abs(got - z[h]);
                    double bound = r < 0.01 ? 1e-4 : 1e-5 * (1 + Math.abs(z[h]));
                    assertTrue(error <= bound, "chunk " + chunk + " pair " + q + (h == 0 ? " cos" : " sin")
                            + ": " + got + " vs " + z[h] + " (u = " + u + ")");
                }
            }
        }
    }

    @Test
    void gaussianChunkScalesBySigmaAroundOne() {
        long radiusKey = CounterHash.key(8, CounterHash.RADIUS_SALT);
        long angleKey = CounterHash.key(8, CounterHash.ANGLE_SALT);
        float[] unit = new float[CHUNK];
        float[] scaled = new float[CHUNK];
        MaskChunks.get().gaussian(radiusKey, angleKey, 3, 1f, unit);
        MaskChunks.get().gaussian(radiusKey, angleKey, 3, 0.25f, scaled);
        for (int i = 0; i < CHUNK; i++) {
            // 1 + 0.25 z from z = unit - 1: exact but for the float rounding of each (ulp of values near 1: 1.2e-7).
            assertEquals(1 + 0.25 * (unit[i] - 1.0), scaled[i], 1e-6, "element " + i);
        }
    }
}

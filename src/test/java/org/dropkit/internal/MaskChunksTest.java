package org.dropkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorized chunk kernels compute what their documentation says, checked against plain scalar code that
 * decodes the same counter words: Bernoulli exactly, Box-Muller against a double-precision evaluation with
 * {@code Math.log}, {@code Math.cos} and {@code Math.sin}.
 */
class MaskChunksTest {

    private static final int CHUNK = MaskChunks.CHUNK;
    private static final int PAIRS = CHUNK / 2;

    @Test
    void counterWordsAreSplitMix64Outputs() {
        // SplitMix64 seeded with k: state += GAMMA, output mix(state). Word j of stream k is its (j + 1)-th output.
        long key = 0x1234_5678_9ABC_DEF0L;
        long state = key;
        long[] bulk = new long[CounterHash.MAX_WORDS];
        CounterHash.words(key, 0, bulk, bulk.length);
        for (int j = 0; j < bulk.length; j++) {
            state += CounterHash.GAMMA;
            assertEquals(CounterHash.mix(state), bulk[j], "word " + j);
            assertEquals(bulk[j], CounterHash.word(key, j), "word " + j + " alone");
        }
        long[] later = new long[5];
        CounterHash.words(key, 1000, later, 5);
        assertEquals(CounterHash.word(key, 1003), later[3], "words from an offset");
    }

    /** Element i is kept when the 32-bit half (i & 1) of word i / 2 is below round(p 2^32). */
    @ParameterizedTest
    @ValueSource(doubles = {0.001, 0.3, 0.5, 0.8, 0.999999})
    void bernoulliChunkKeepsExactlyTheElementsWhoseHalfWordIsBelowTheThreshold(double p) {
        long key = CounterHash.key(99, CounterHash.BERNOULLI_SALT);
        long threshold = Math.round(p * 0x1p32);
        float kept = (float) (1 / p);
        float[] out = new float[CHUNK];
        for (long chunk : new long[] {0, 1, 12345}) {
            MaskChunks.get().bernoulli(key, chunk, threshold, kept, out);
            for (int i = 0; i < CHUNK; i++) {
                long word = CounterHash.word(key, chunk * PAIRS + i / 2);
                long half = i % 2 == 0 ? word & 0xFFFFFFFFL : word >>> 32;
                float expected = half < threshold ? kept : 0f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i]),
                        "chunk " + chunk + ", element " + i);
            }
        }
    }

    /**
     * Pair q of chunk c: u = ((half q & 1 of radius word c * PAIRS / 2 + q / 2) | 1) 2^-32, theta = 2 (t - 2^22 +
     * 1/2) pi 2^-23 with t the top 23 bits of the angle half-word; elements q and q + PAIRS are 1 + sigma r cos theta
     * and 1 + sigma r sin theta, r = sqrt(-2 ln u). The float pipeline agrees with this evaluated in double to
     * 1e-5 (1 + |z|); where r < 0.01 (u within 5e-5 of 1, 0.005% of the values) the float resolution of u (6e-8
     * below 1) limits the absolute error of z to 1e-4 instead. Measured worst cases over 8M values: 5.4e-6 and
     * 4.8e-5.
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
                long rw = CounterHash.word(radiusKey, chunk * (PAIRS / 2) + q / 2);
                long aw = CounterHash.word(angleKey, chunk * (PAIRS / 2) + q / 2);
                int radiusHalf = (int) (q % 2 == 0 ? rw : rw >>> 32);
                int angleHalf = (int) (q % 2 == 0 ? aw : aw >>> 32);
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

package org.dropkit.benchmarks;

import java.nio.FloatBuffer;
import org.apache.commons.rng.core.source64.XoRoShiRo128PlusPlus;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * Candidate CPU generators of Gaussian masks {@code 1 + sigma z}, measured beside the one Dropkit chose
 * ({@code MaskKernels.engineGaussianFill}). Each fills a FLOAT buffer on the calling thread, a chunk of
 * {@value #CHUNK} values at a time through a float[], and keeps the mask a function of (seed, element index): the
 * counter-based ones hash each element's index, the sequential one restarts its generator at every block of
 * {@value #BLOCK} elements from (seed, block index). Benchmark code only; the library does not contain them.
 */
final class GaussianCandidates {

    static final int CHUNK = 4096;
    static final int BLOCK = 16 * CHUNK;
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private GaussianCandidates() {
    }

    /** SplitMix64's output function (Steele, Lea and Flood 2014), the counter hash of the counter-based candidates. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Apache Commons RNG 1.6: ZigguratSampler.NormalizedGaussian (McFarland's modified ziggurat, 2016) over
    // XoRoShiRo128++, a new generator per block.

    static void commonsRngZiggurat(FloatBuffer z, int n, long seed, float sigma, float[] chunk) {
        FloatBuffer out = z.duplicate();
        for (int block = 0; block * BLOCK < n; block++) {
            ZigguratSampler.NormalizedGaussian normal = ZigguratSampler.NormalizedGaussian.of(
                    new XoRoShiRo128PlusPlus(mix(seed ^ block), mix(seed + GAMMA * (block + 1))));
            int end = Math.min(n, (block + 1) * BLOCK);
            for (int start = block * BLOCK; start < end; start += CHUNK) {
                int len = Math.min(CHUNK, end - start);
                for (int j = 0; j < len; j++) {
                    chunk[j] = (float) (1.0 + sigma * normal.sample());
                }
                out.position(start);
                out.put(chunk, 0, len);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Box-Muller with Math.log, Math.sin, Math.cos on counter-hashed bits: the transform Dropkit vectorizes, in
    // plain scalar Java.

    static void scalarBoxMuller(FloatBuffer z, int n, long seed, float sigma, float[] chunk) {
        FloatBuffer out = z.duplicate();
        long key = mix(seed);
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            for (int j = 0; j < CHUNK; j += 2) {
                long h = mix(key + (start + j + 1) * GAMMA);
                double u = ((h >>> 32) | 1) * 0x1p-32;
                double theta = (h & 0xFFFFFFFFL) * (2 * Math.PI * 0x1p-32);
                double r = Math.sqrt(-2 * Math.log(u));
                chunk[j] = (float) (1 + sigma * r * Math.cos(theta));
                chunk[j + 1] = (float) (1 + sigma * r * Math.sin(theta));
            }
            out.position(start);
            out.put(chunk, 0, len);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // A classic ziggurat (Marsaglia and Tsang 2000, 256 layers) on counter-hashed bits: layer from the low 8 bits, a
    // signed 56-bit uniform from the others (so layer and value bits are independent, as Doornik 2005 advises).

    private static final int LAYERS = 256;
    /** Right edge of the base layer and the common layer area for 256 layers of exp(-x^2 / 2). */
    private static final double R = 3.6541528853610088;
    private static final double V = 0.00492867323399;
    private static final double SCALE = 0x1p55;
    private static final double[] W = new double[LAYERS];
    private static final double[] F = new double[LAYERS];
    private static final long[] K = new long[LAYERS];

    static {
        double x = R;
        double previous = x;
        double q = V / Math.exp(-0.5 * x * x);
        K[0] = (long) ((x / q) * SCALE);
        K[1] = 0;
        W[0] = q / SCALE;
        W[LAYERS - 1] = x / SCALE;
        F[0] = 1;
        F[LAYERS - 1] = Math.exp(-0.5 * x * x);
        for (int i = LAYERS - 2; i >= 1; i--) {
            x = Math.sqrt(-2 * Math.log(V / x + Math.exp(-0.5 * x * x)));
            K[i + 1] = (long) ((x / previous) * SCALE);
            previous = x;
            F[i] = Math.exp(-0.5 * x * x);
            W[i] = x / SCALE;
        }
    }

    static void counterZiggurat(FloatBuffer z, int n, long seed, float sigma, float[] chunk) {
        FloatBuffer out = z.duplicate();
        long key = mix(seed);
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            for (int j = 0; j < len; j++) {
                long index = start + j;
                long h = mix(key + (index + 1) * GAMMA);
                int layer = (int) h & 0xFF;
                long u = h >> 8;
                double g = Math.abs(u) < K[layer] ? u * W[layer] : zigguratSlow(h, key ^ index);
                chunk[j] = (float) (1.0 + sigma * g);
            }
            out.position(start);
            out.put(chunk, 0, len);
        }
    }

    /** The rare rest (about 0.7%): wedges and the tail, with more bits from a per-element stream. */
    private static double zigguratSlow(long h, long stream) {
        long s = mix(stream ^ 0x5DEECE66DL);
        for (;;) {
            int layer = (int) h & 0xFF;
            long u = h >> 8;
            double x = u * W[layer];
            if (Math.abs(u) < K[layer]) {
                return x;
            }
            if (layer == 0) {
                double tx;
                double ty;
                do {
                    s += GAMMA;
                    tx = -Math.log(((mix(s) >>> 11) + 1) * 0x1p-53) / R;
                    s += GAMMA;
                    ty = -Math.log(((mix(s) >>> 11) + 1) * 0x1p-53);
                } while (ty + ty < tx * tx);
                return u > 0 ? R + tx : -R - tx;
            }
            s += GAMMA;
            double y = F[layer] + ((mix(s) >>> 11) * 0x1p-53) * (F[layer - 1] - F[layer]);
            if (y < Math.exp(-0.5 * x * x)) {
                return x;
            }
            s += GAMMA;
            h = mix(s);
        }
    }
}

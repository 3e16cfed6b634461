package org.dropkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CPU generator's masks have the distributions the documentation promises: Gaussian masks are N(1, sigma^2)
 * with sigma^2 = (1 - p) / p, Bernoulli masks keep a fraction p, and neither has correlations between neighbours,
 * Box-Muller partners, chunks, blocks or seeds.
 *
 * <p>Every seed is fixed, so these tests give the same answer on every run; the bounds are chosen so that a correct
 * generator fails them with tiny probability for a random seed, while the defects they guard against move the
 * statistic far beyond them. Each bound says why it is what it is:
 * <ul>
 *   <li>a mean, a variance, a count or a correlation: 6 standard errors of the statistic under the hypothesis
 *       (two-sided tail probability 2e-9 for a normal statistic);</li>
 *   <li>the Kolmogorov-Smirnov distance D = sup |F_n - Phi|: the Dvoretzky-Kiefer-Wolfowitz inequality with
 *       Massart's constant, P(D > eps) &lt;= 2 exp(-2 n eps^2), exact for every n, at significance 1e-6.</li>
 * </ul>
 * The normal CDF comes from commons-math3 (a dependency of nd4j-api).
 */
class HostMaskStatisticsTest {

    /** 2^22 values: 64 blocks, 1024 chunks, so that statistics across blocks and chunks have data. */
    private static final int N = 1 << 22;
    private static final double SIGMAS = 6.0;
    private static final double KS_SIGNIFICANCE = 1e-6;

    private static float[] mask(MaskKind kind, double p, long seed, int n) {
        INDArray target = Nd4j.createUninitialized(DataType.FLOAT, n);
        MaskEngine.fill(MaskSpec.of(kind, p, Scaling.INVERTED, new int[0]), seed, target);
        return target.toFloatVector();
    }

    /** The standardized values z = (m - 1) / sigma of a Gaussian mask. */
    private static double[] standardized(double p, long seed, int n) {
        float[] m = mask(MaskKind.GAUSSIAN, p, seed, n);
        double sigma = Math.sqrt((1 - p) / p);
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = (m[i] - 1.0) / sigma;
        }
        return z;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Pearson correlation of v[i] and v[i + lag] over every i whose partner exists and passes the filter. */
    private static double correlation(double[] v, int lag, java.util.function.IntPredicate take) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        long n = 0;
        for (int i = 0; i + lag < v.length; i++) {
            if (!take.test(i)) {
                continue;
            }
            double a = v[i];
            double b = v[i + lag];
            sa += a;
            sb += b;
            saa += a * a;
            sbb += b * b;
            sab += a * b;
            n++;
        }
        double cov = sab / n - (sa / n) * (sb / n);
        double va = saa / n - (sa / n) * (sa / n);
        double vb = sbb / n - (sb / n) * (sb / n);
        return cov / Math.sqrt(va * vb);
    }

    private static long pairs(int length, int lag, java.util.function.IntPredicate take) {
        long n = 0;
        for (int i = 0; i + lag < length; i++) {
            n += take.test(i) ? 1 : 0;
        }
        return n;
    }

    private static void assertUncorrelated(double[] v, int lag, java.util.function.IntPredicate take, String what) {
        // Under independence the sample correlation of n pairs has standard error 1 / sqrt(n).
        double bound = SIGMAS / Math.sqrt(pairs(v.length, lag, take));
        double r = correlation(v, lag, take);
        assertTrue(Math.abs(r) < bound, what + ": correlation " + r + " outside +-" + bound);
    }

    private static double[] squares(double[] z) {
        double[] s = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            s[i] = z[i] * z[i];
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Gaussian

    @ParameterizedTest
    @ValueSource(doubles = {0.2, 0.5, 0.9})
    void gaussianMaskHasMeanOneAndVarianceSigmaSquared(double p) {
        assertMeanZeroVarianceOne(standardized(p, 101, N), "(m - 1) / sigma");
    }

    /** z has mean 0 and variance 1: standard error of the mean 1 / sqrt(n), of the variance sqrt(2 / (n - 1)). */
    private static void assertMeanZeroVarianceOne(double[] z, String what) {
        int n = z.length;
        double m = mean(z);
        assertEquals(0.0, m, SIGMAS / Math.sqrt(n), "mean of " + what);
        double var = 0;
        for (double v : z) {
            var += (v - m) * (v - m);
        }
        var /= n - 1;
        assertEquals(1.0, var, SIGMAS * Math.sqrt(2.0 / (n - 1)), "variance of " + what);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void gaussianMaskPassesKolmogorovSmirnovAgainstTheNormalCdf(long seed) {
        // For scale: a mask whose sigma is 1% off has D = 0.0024 (at +-1 sigma), 1.8 times the bound here.
        assertStandardNormal(standardized(0.5, seed, N));
    }

    /** Kolmogorov-Smirnov distance of z from the standard normal CDF, within the DKW bound at KS_SIGNIFICANCE. */
    private static void assertStandardNormal(double[] z) {
        int n = z.length;
        Arrays.sort(z);
        NormalDistribution normal = new NormalDistribution(0, 1);
        double d = 0;
        for (int i = 0; i < n; i++) {
            double f = normal.cumulativeProbability(z[i]);
            d = Math.max(d, Math.max(f - (double) i / n, (double) (i + 1) / n - f));
        }
        double eps = Math.sqrt(Math.log(2 / KS_SIGNIFICANCE) / (2.0 * n));
        assertTrue(d < eps, "Kolmogorov-Smirnov D = " + d + " >= " + eps + " (DKW bound at significance "
                + KS_SIGNIFICANCE + ", n = " + n + ")");
    }

    /** Beyond 3 and 4 sigma: counts within 6 binomial standard deviations of N P(|Z| > t), each side. */
    @Test
    void gaussianTailsBeyondThreeAndFourSigmaHaveTheNormalFrequencies() {
        double[] z = standardized(0.5, 7, N);
        NormalDistribution normal = new NormalDistribution(0, 1);
        for (double t : new double[] {3.0, 4.0}) {
            long above = 0;
            long below = 0;
            for (double v : z) {
                above += v > t ? 1 : 0;
                below += v < -t ? 1 : 0;
            }
            double q = 1 - normal.cumulativeProbability(t);
            double expected = N * q;
            double bound = SIGMAS * Math.sqrt(N * q * (1 - q));
            assertEquals(expected, above, bound, "values above +" + t + " sigma");
            assertEquals(expected, below, bound, "values below -" + t + " sigma");
        }
    }

    /**
     * Neighbours, the two values of one Box-Muller pair (CHUNK / 2 apart: independent normals, so their squares are
     * uncorrelated too), neighbours across a chunk or block boundary, and the same element one block on.
     */
    @Test
    void gaussianValuesAreUncorrelatedWithinAndAcrossChunksAndBlocks() {
        double[] z = standardized(0.5, 11, N);
        double[] z2 = squares(z);
        int chunk = MaskChunks.CHUNK;
        int block = HostMasks.BLOCK;
        assertUncorrelated(z, 1, i -> true, "neighbours");
        assertUncorrelated(z2, 1, i -> true, "squares of neighbours");
        assertUncorrelated(z, chunk / 2, i -> i % chunk < chunk / 2, "Box-Muller partners");
        assertUncorrelated(z2, chunk / 2, i -> i % chunk < chunk / 2, "squares of Box-Muller partners");
        assertUncorrelated(z, 1, i -> i % chunk == chunk - 1, "last and first element of adjacent chunks");
        assertUncorrelated(z, 1, i -> i % block == block - 1, "last and first element of adjacent blocks");
        assertUncorrelated(z, block, i -> true, "the same position in adjacent blocks");
        assertUncorrelated(z2, block, i -> true, "squares at the same position in adjacent blocks");
    }

    @Test
    void gaussianMasksOfConsecutiveSeedsAreUncorrelated() {
        double[] a = standardized(0.5, 41, N / 4);
        double[] b = standardized(0.5, 42, N / 4);
        double[] both = new double[2 * a.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertUncorrelated(both, a.length, i -> i < a.length, "masks of seeds 41 and 42, element by element");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Additive noise (GAUSSIAN_NOISE): x + n with n = sigma z from the same Box-Muller transform, its own streams

    /** The standardized noise n / sigma of a FLOAT forward pass over zeros (0 + n = n). */
    private static double[] standardizedNoise(double sigma, long seed, int n) {
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, n);
        float[] v = MaskEngine.forward(MaskSpec.noise(sigma, new int[0]), seed, DataType.FLOAT, zeros,
                zeros.ulike()).toFloatVector();
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = v[i] / sigma;
        }
        return z;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 1.0, 3.0})
    void noiseHasMeanZeroAndVarianceSigmaSquared(double sigma) {
        assertMeanZeroVarianceOne(standardizedNoise(sigma, 103, N), "n / sigma");
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5})
    void noisePassesKolmogorovSmirnovAgainstTheNormalCdf(long seed) {
        assertStandardNormal(standardizedNoise(0.3, seed, N));
    }

    /** The noise and the Gaussian mask of one seed come from different streams: uncorrelated, element by element. */
    @Test
    void noiseAndTheGaussianMaskOfOneSeedAreUncorrelated() {
        double[] noise = standardizedNoise(0.3, 47, N / 4);
        double[] mask = standardized(0.5, 47, N / 4);
        double[] both = new double[2 * noise.length];
        System.arraycopy(noise, 0, both, 0, noise.length);
        System.arraycopy(mask, 0, both, noise.length, mask.length);
        assertUncorrelated(both, noise.length, i -> i < noise.length, "noise and Gaussian mask of seed 47");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bernoulli

    private static double[] kept(double p, long seed, int n) {
        float[] m = mask(MaskKind.BERNOULLI, p, seed, n);
        double[] k = new double[n];
        for (int i = 0; i < n; i++) {
            k[i] = m[i] != 0f ? 1 : 0;
        }
        return k;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.5, 0.8, 0.999})
    void bernoulliKeepsFractionPInEveryBlockAndOverall(double p) {
        double[] k = kept(p, 13, N);
        assertEquals(p, mean(k), SIGMAS * Math.sqrt(p * (1 - p) / N), "kept fraction");
        // Per block, 6 standard errors of BLOCK draws; with 64 blocks a correct generator fails this with
        // probability about 64 * 2e-9.
        int block = HostMasks.BLOCK;
        for (int b = 0; b < N / block; b++) {
            double s = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                s += k[i];
            }
            assertEquals(p, s / block, SIGMAS * Math.sqrt(p * (1 - p) / block), "kept fraction of block " + b);
        }
    }

    /**
     * Neighbours (consecutive values of one chunk's progression), neighbours across a chunk boundary (two chunk
     * words), the same position in adjacent chunks (same j, another multiplier and offset) and in adjacent blocks.
     */
    @Test
    void bernoulliDecisionsAreUncorrelatedWithinAndAcrossChunksAndBlocks() {
        double[] k = kept(0.5, 17, N);
        int chunk = MaskChunks.CHUNK;
        assertUncorrelated(k, 1, i -> true, "neighbours");
        assertUncorrelated(k, 2, i -> true, "elements two apart");
        assertUncorrelated(k, 1, i -> i % chunk == chunk - 1, "last and first element of adjacent chunks");
        assertUncorrelated(k, chunk, i -> true, "the same position in adjacent chunks");
        assertUncorrelated(k, HostMasks.BLOCK, i -> true, "the same position in adjacent blocks");
    }

    /**
     * The counter values themselves: the top 8 bits of each, and the top 4 bits of neighbours j and j + 1 as one
     * pair, spread evenly over 256 cells. Chi-square with 255 degrees of freedom (mean 255, sd 22.6) below 255 + 6 sd.
     */
    @Test
    void counterValuesAreUniformAndSeriallyIndependentInChiSquare() {
        long key = CounterHash.key(23, CounterHash.BERNOULLI_SALT);
        int[] values = new int[MaskChunks.CHUNK];
        long[] single = new long[256];
        long[] pairs = new long[256];
        int chunks = N / MaskChunks.CHUNK;
        for (int c = 0; c < chunks; c++) {
            CounterHash.values(key, c, values, values.length);
            for (int j = 0; j < values.length; j++) {
                single[values[j] >>> 24]++;
                if (j + 1 < values.length) {
                    pairs[(values[j] >>> 28) << 4 | values[j + 1] >>> 28]++;
                }
            }
        }
        double bound = 255 + SIGMAS * Math.sqrt(2 * 255);
        assertTrue(chiSquare(single) < bound, "top 8 bits: chi-square " + chiSquare(single) + " >= " + bound);
        assertTrue(chiSquare(pairs) < bound, "neighbour pairs: chi-square " + chiSquare(pairs) + " >= " + bound);
    }

    private static double chiSquare(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double expected = (double) total / counts.length;
        double x2 = 0;
        for (long c : counts) {
            x2 += (c - expected) * (c - expected) / expected;
        }
        return x2;
    }
}

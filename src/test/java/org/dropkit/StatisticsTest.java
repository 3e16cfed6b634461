package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The masks have the distributions the documentation promises. Every bound is six standard errors of the statistic,
 * so a correct implementation fails one of these checks with probability about 2e-9 per assertion; a wrong p, a
 * missing 1/p or a wrong variance moves the statistic by hundreds of standard errors at these sample sizes.
 */
class StatisticsTest {

    private static final int N = 1_000_000;
    private static final double SIGMAS = 6.0;

    private static double mean(INDArray a) {
        return a.castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.8, 0.95})
    void bernoulliKeepsFractionPWithinBinomialBound(double p) {
        INDArray m = Passes.materializeMask(MaskDropout.bernoulli(p), 7, new long[] {N}, DataType.FLOAT);
        double kept = m.neq(0.0).castTo(DataType.DOUBLE).sumNumber().doubleValue() / N;
        double bound = SIGMAS * Math.sqrt(p * (1 - p) / N);
        assertEquals(p, kept, bound, "kept fraction");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.8, 0.95})
    void bernoulliKeptUnitsAreScaledByExactlyOneOverP(double p) {
        INDArray m = Passes.materializeMask(MaskDropout.bernoulli(p), 8, new long[] {N}, DataType.FLOAT);
        float scale = (float) (1.0 / p);
        INDArray kept = m.neq(0.0);
        long keptCount = kept.castTo(DataType.INT32).sumNumber().longValue();
        long exact = m.eq(scale).castTo(DataType.INT32).sumNumber().longValue();
        assertTrue(keptCount > 0);
        assertEquals(keptCount, exact, "every kept unit has mask value (float) (1/p) = " + scale);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.2, 0.5, 0.8})
    void gaussianMaskHasMeanOneAndVarianceOneMinusPOverP(double p) {
        INDArray m = Passes.materializeMask(MaskDropout.gaussian(p), 9, new long[] {N}, DataType.DOUBLE);
        double variance = (1 - p) / p;
        double mean = mean(m);
        assertEquals(1.0, mean, SIGMAS * Math.sqrt(variance / N), "mean");
        double sampleVariance = m.varNumber().doubleValue();
        // Var of the sample variance of a normal sample: 2 sigma^4 / (n - 1).
        assertEquals(variance, sampleVariance, SIGMAS * Math.sqrt(2 * variance * variance / (N - 1)), "variance");
    }

    @Test
    void gaussianOfDropRateMatchesKerasSigma() {
        double rate = 0.1;
        INDArray m = Passes.materializeMask(MaskDropout.gaussianOfDropRate(rate), 10, new long[] {N},
                DataType.DOUBLE);
        double kerasSigma = Math.sqrt(rate / (1 - rate));
        double sd = Math.sqrt(m.varNumber().doubleValue());
        // sd of the sample standard deviation of a normal sample: about sigma / sqrt(2n).
        assertEquals(kerasSigma, sd, SIGMAS * kerasSigma / Math.sqrt(2.0 * N));
    }

    @ParameterizedTest
    @ValueSource(strings = {"BERNOULLI", "GAUSSIAN"})
    void expectedOutputEqualsInput(MaskKind kind) {
        double p = 0.7;
        MaskDropout d = kind == MaskKind.BERNOULLI ? MaskDropout.bernoulli(p) : MaskDropout.gaussian(p);
        double c = 3.0;
        INDArray x = Nd4j.valueArrayOf(new long[] {N}, c, DataType.DOUBLE);
        INDArray y = Passes.forward(d, 11, x);
        // Both masks have variance (1 - p) / p, so y = c m has standard deviation c sqrt((1 - p) / p).
        assertEquals(c, mean(y), SIGMAS * c * Math.sqrt((1 - p) / p / N));
    }

    @Test
    void spatialMaskIsConstantOverHeightAndWidthAndKeepsFractionP() {
        double p = 0.6;
        long n = 500;
        long channels = 40;
        INDArray m = Passes.materializeMask(MaskDropout.bernoulli(p).spatial(
                org.deeplearning4j.nn.conf.CNN2DFormat.NCHW), 12, new long[] {n, channels, 3, 4}, DataType.FLOAT);
        INDArray perSlice = m.max(2, 3);
        assertEquals(perSlice, m.min(2, 3), "one mask value per (example, channel)");
        double kept = perSlice.neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(p, kept, SIGMAS * Math.sqrt(p * (1 - p) / (n * channels)));
    }

    @Test
    void timeLockedMaskIsTheSameAtEveryTimeStep() {
        INDArray m = Passes.materializeMask(MaskDropout.gaussian(0.5).timeLocked(
                org.deeplearning4j.nn.conf.RNNFormat.NWC), 13, new long[] {20, 7, 16}, DataType.FLOAT);
        assertEquals(m.max(1), m.min(1), "one mask value per (example, feature), shared over the time axis 1");
        assertTrue(m.max(1).stdNumber().doubleValue() > 0.1, "values differ between features");
    }
}

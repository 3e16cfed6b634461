package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.MaskSpec;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * Alpha dropout (Klambauer et al. 2017): the paper's constants, the exact identity (forward from the materialized
 * mask, backward = gradient times the same mask and scale, bit for bit), mean 0 and variance 1 of normalized input,
 * and the identity at inference.
 */
class AlphaDropoutTest {

    private static final long[] SHAPE = {3, 4, 5, 6};
    private static final long SEED = 42;
    /** Bounds of the statistical tests, in standard errors: a correct implementation fails one in about 5e8 runs. */
    private static final double SIGMAS = 6.0;

    // ------------------------------------------------------------------------------------------------------------
    // Constants.

    @Test
    void constantsAreThoseOfThePaper() {
        assertEquals(-1.7580993408473766, MaskSpec.ALPHA_PRIME, 1e-16, "alpha' = -lambda * alpha of SELU");
        for (double p : new double[] {0.99, 0.95, 0.8, 0.5, 0.1}) {
            double a = MaskSpec.alphaScale(p);
            double b = MaskSpec.alphaShift(p);
            double ap = MaskSpec.ALPHA_PRIME;
            assertEquals(0.0, a * (p * 0.0 + (1 - p) * ap) + b, 1e-15, "mean 0 for input of mean 0, p = " + p);
            assertEquals(1.0, a * a * (p + ap * ap * p * (1 - p)), 1e-14, "variance 1 for input of variance 1");
            assertEquals(a * ap + b, MaskSpec.alphaDropped(p), 1e-15, "a dropped unit gives a alpha' + b");
            AlphaDropout dl4j = new AlphaDropout(p);
            assertEquals(dl4j.a(p), a, 1e-15, "a as DL4J's AlphaDropout, p = " + p);
            assertEquals(dl4j.b(p), b, 1e-15, "b as DL4J's AlphaDropout, p = " + p);
        }
        assertEquals(0.9548444760, MaskSpec.alphaScale(0.95), 1e-10);
        assertEquals(0.0839355722, MaskSpec.alphaShift(0.95), 1e-10);
        assertEquals(-1.5947758717, MaskSpec.alphaDropped(0.95), 1e-10);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The exact identity.

    enum Sharing { ELEMENT_WISE, FEATURE_NCHW, PER_EXAMPLE }

    static MaskDropout dropout(MaskStorage storage, Sharing sharing) {
        MaskDropout d = MaskDropout.alpha(0.7).storage(storage);
        switch (sharing) {
            case FEATURE_NCHW:
                return d.spatial(CNN2DFormat.NCHW);
            case PER_EXAMPLE:
                return d.perExample();
            default:
                return d;
        }
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskStorage storage : MaskStorage.values()) {
            for (Sharing sharing : Sharing.values()) {
                for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                    for (char order : new char[] {'c', 'f'}) {
                        for (boolean inPlace : new boolean[] {false, true}) {
                            cases.add(Arguments.of(storage, sharing, type, order, inPlace));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /**
     * The multiplier M of a forward pass with this seed, materialized independently: a fresh clone on ones, where a
     * dropped unit gives exactly the constant c and a kept one a + b. M is (T) a where kept, 0 where dropped.
     */
    static INDArray multiplier(MaskDropout dropout, long seed, DataType type, double p) {
        INDArray y = Passes.materializeMask(dropout, seed, SHAPE, type).castTo(DataType.DOUBLE);
        double dropped = Nd4j.scalar(type, MaskSpec.alphaDropped(p)).getDouble(0);
        double a = Nd4j.scalar(type, MaskSpec.alphaScale(p)).getDouble(0);
        double[] v = y.dup('c').data().asDouble();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] == dropped ? 0.0 : a;
        }
        return Nd4j.createFromArray(v).reshape('c', SHAPE).castTo(type);
    }

    private static boolean keepsSomeAndDropsSome(INDArray m) {
        long dropped = m.eq(0.0).castTo(DataType.INT32).sumNumber().longValue();
        return dropped > 0 && dropped < m.length();
    }

    @ParameterizedTest(name = "{0} {1} {2} order={3} inPlace={4}")
    @MethodSource("cases")
    void forwardAndBackwardMatchTheMaterializedMaskBitForBit(MaskStorage storage, Sharing sharing, DataType type,
            char order, boolean inPlace) {
        double p = 0.7;
        MaskDropout d = dropout(storage, sharing);
        INDArray x = Passes.randomNonZero(type, 1, order, SHAPE);
        INDArray dy = Passes.randomNonZero(type, 2, order, SHAPE);
        INDArray xCopy = x.dup();
        INDArray dyCopy = dy.dup();

        // A per-example mask of this shape has only 3 decisions: take the first seed from SEED on whose mask both
        // keeps and drops units, so that both branches of the formula are checked.
        long seed = SEED;
        while (!keepsSomeAndDropsSome(multiplier(d, seed, type, p))) {
            seed++;
        }
        INDArray out = inPlace ? x : Nd4j.createUninitialized(type, SHAPE, order);
        INDArray y = Passes.forward(d, seed, x, out);
        INDArray dx = d.backprop(dy, inPlace ? dy : dy.ulike(), 0, 0);

        INDArray m = multiplier(d, seed, type, p);
        double c = MaskSpec.alphaDropped(p);
        assertBitwiseEqual(xCopy.sub(MaskSpec.ALPHA_PRIME).mul(m).add(c), y, "forward y = (x - alpha') * M + c");
        assertBitwiseEqual(dyCopy.mul(m), dx, "backward dx = dy * M = a * m * dy");

        long dropped = m.eq(0.0).castTo(DataType.INT32).sumNumber().longValue();
        long zeroGradients = dx.eq(0.0).castTo(DataType.INT32).sumNumber().longValue();
        assertEquals(dropped, zeroGradients, "a unit gets exactly zero gradient if and only if it was dropped");
        assertTrue(dropped > 0 && dropped < m.length(), "p = 0.7 keeps some units and drops some: " + dropped);

        // The computed form is the paper's formula up to rounding in T.
        double u = type == DataType.FLOAT ? 0x1p-24 : 0x1p-53;
        double a = MaskSpec.alphaScale(p);
        double b = MaskSpec.alphaShift(p);
        double[] xs = xCopy.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] ms = m.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] ys = y.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < xs.length; i++) {
            double keep = ms[i] == 0.0 ? 0.0 : 1.0;
            double paper = a * (xs[i] * keep + MaskSpec.ALPHA_PRIME * (1 - keep)) + b;
            double tolerance = 4 * u * (a * (Math.abs(xs[i]) + 2) + Math.abs(c));
            assertEquals(paper, ys[i], tolerance, "element " + i + ": a (x m + alpha' (1 - m)) + b");
        }
    }

    @Test
    void featureAlphaDropoutHasOneMaskValuePerExampleAndChannel() {
        MaskDropout d = MaskDropout.alpha(0.6).spatial(CNN2DFormat.NHWC);
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 3, 'c', 50, 6, 7, 8);
        Passes.forward(d, SEED, x);
        INDArray m = d.backprop(Nd4j.ones(DataType.FLOAT, 50, 6, 7, 8), null, 0, 0);
        assertEquals(m.max(1, 2), m.min(1, 2), "M is constant over height and width of NHWC input");
        double kept = m.max(1, 2).neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(0.6, kept, SIGMAS * Math.sqrt(0.6 * 0.4 / (50 * 8)), "kept fraction of (example, channel)");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Statistics.

    /**
     * n values of input with mean 0 and variance 1: standard normal, or SELU of standard normal (whose population
     * mean and variance are SELU's fixed point 0 and 1), standardized to sample mean 0 and sample variance 1 exactly,
     * so that only the masks are random in what the test measures.
     */
    private static INDArray normalizedInput(boolean selu, int n) {
        Nd4j.getRandom().setSeed(selu ? 71 : 70);
        INDArray z = Nd4j.randn(DataType.DOUBLE, n);
        INDArray x = selu ? Activation.SELU.getActivationFunction().getActivation(z, false) : z;
        x.subi(x.meanNumber());
        return x.divi(Math.sqrt(x.mul(x).meanNumber().doubleValue()));
    }

    static List<Arguments> statisticsCases() {
        List<Arguments> cases = new ArrayList<>();
        for (double p : new double[] {0.95, 0.8, 0.5}) {
            for (boolean selu : new boolean[] {false, true}) {
                cases.add(Arguments.of(p, selu));
            }
        }
        return cases;
    }

    /**
     * The output keeps mean 0 and variance 1, the self-normalizing fixed point. y is i.i.d. over elements (x and m
     * are), so the sample mean has standard error sd(y) / sqrt(n) and the sample variance sqrt((mu4 - s^4) / n),
     * with mu4 the sample's fourth central moment; the bounds are {@value #SIGMAS} of those. Uncorrected dropout
     * (a = 1, b = 0) would miss the mean by (1 - p) alpha', at least ten times the bound here.
     */
    @ParameterizedTest(name = "p = {0}, SELU input = {1}")
    @MethodSource("statisticsCases")
    void keepsMeanZeroAndVarianceOneOfNormalizedInput(double p, boolean selu) {
        int n = 1 << 21;
        INDArray x = normalizedInput(selu, n);
        INDArray y = Passes.forward(MaskDropout.alpha(p), 72, x);
        double mean = y.meanNumber().doubleValue();
        INDArray centered = y.sub(mean);
        double variance = centered.mul(centered).meanNumber().doubleValue();
        double mu4 = Transforms.pow(centered, 4).meanNumber().doubleValue();
        double meanBound = SIGMAS * Math.sqrt(variance / n);
        double varianceBound = SIGMAS * Math.sqrt((mu4 - variance * variance) / n);
        assertEquals(0.0, mean, meanBound, "mean");
        assertEquals(1.0, variance, varianceBound, "variance");
        assertTrue(Math.abs((1 - p) * MaskSpec.ALPHA_PRIME) > 10 * meanBound, "the mean bound " + meanBound
                + " would catch dropout without the affine correction");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.95, 0.5, 0.1})
    void keepsFractionPAndSetsDroppedUnitsToTheConstant(double p) {
        int n = 1_000_000;
        INDArray x = Nd4j.rand(DataType.FLOAT, n).addi(0.5);
        MaskDropout d = MaskDropout.alpha(p);
        INDArray y = Passes.forward(d, 73, x);
        INDArray m = d.backprop(Nd4j.ones(DataType.FLOAT, n), null, 0, 0);
        double kept = m.neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(p, kept, SIGMAS * Math.sqrt(p * (1 - p) / n), "kept fraction");
        float c = (float) MaskSpec.alphaDropped(p);
        long droppedAtC = y.eq(c).castTo(DataType.INT32).sumNumber().longValue();
        assertEquals(m.eq(0.0).castTo(DataType.INT32).sumNumber().longValue(), droppedAtC,
                "every dropped unit, and only those, is (float) (a alpha' + b) = " + c);
    }

    @Test
    void scheduleChangesTheRetainProbabilityAndTheAffineCorrection() {
        MaskDropout d = MaskDropout.alpha(new StepSchedule(ScheduleType.ITERATION, 0.9, 0.5, 10));
        int n = 200_000;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n);
        for (int iteration : new int[] {0, 10}) {
            double p = iteration == 0 ? 0.9 : 0.45;
            assertEquals(p, d.retainProbability(iteration, 0), 1e-15);
            Nd4j.getRandom().setSeed(74);
            INDArray y = d.applyDropout(x, x.ulike(), iteration, 0,
                    org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
            INDArray m = d.backprop(Nd4j.ones(DataType.DOUBLE, n), null, iteration, 0);
            assertEquals(p, m.neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue(),
                    SIGMAS * Math.sqrt(p * (1 - p) / n), "kept fraction at iteration " + iteration);
            assertEquals(MaskSpec.alphaScale(p), m.maxNumber().doubleValue(), 0.0, "M = a(p) for kept units");
            assertEquals(MaskSpec.alphaDropped(p), y.minNumber().doubleValue(), 0.0, "dropped units give c(p)");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Networks, inference, arguments.

    private static MultiLayerNetwork seluNetwork(IDropout dotDropOut, MaskDropoutLayer layer) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).weightInit(WeightInit.NORMAL).list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.SELU).build());
        if (layer != null) {
            b.layer(layer);
        }
        MultiLayerConfiguration conf = b
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.SELU).dropOut(dotDropOut).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(8)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void inferenceIsTheIdentityAndTrainingIsNot() {
        MultiLayerNetwork plain = seluNetwork(null, null);
        MultiLayerNetwork withAlpha = seluNetwork(MaskDropout.alpha(0.9),
                new MaskDropoutLayer.Builder(MaskDropout.alpha(0.8).storage(MaskStorage.STORED)).build());
        INDArray x = Nd4j.randn(DataType.FLOAT, 10, 8);
        assertBitwiseEqual(plain.output(x), withAlpha.output(x), "inference output with and without alpha dropout");
        assertFalse(plain.output(x).equals(withAlpha.output(x, true)), "training output differs");
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 10, 3).putScalar(0, 1, 1.0);
        INDArray before = withAlpha.params().dup();
        withAlpha.fit(x, labels);
        assertTrue(Double.isFinite(withAlpha.score()) && !before.equals(withAlpha.params()), "it trains");
    }

    @Test
    void monteCarloAlphaDropoutSamplesAtInference() {
        MaskDropoutLayer layer = new MaskDropoutLayer.Builder(MaskDropout.alpha(0.8)).monteCarlo(true).build();
        MultiLayerNetwork net = seluNetwork(null, layer);
        INDArray x = Nd4j.randn(DataType.FLOAT, 10, 8);
        assertFalse(net.output(x).equals(net.output(x)), "two inference passes draw two masks");
    }

    @Test
    void rejectsVanillaScaling() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskDropoutLayer.Builder(MaskDropout.alpha(0.9)).scaling(Scaling.VANILLA).build());
        assertTrue(e.getMessage().contains("VANILLA") && e.getMessage().contains("ALPHA")
                && e.getMessage().contains("INVERTED"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 0.0, -0.5, 1.5, Double.POSITIVE_INFINITY})
    void rejectsRetainProbabilityOutsideZeroToOne(double p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskDropout.alpha(p));
        assertTrue(e.getMessage().contains("retain probability p (" + p + ")")
                && e.getMessage().contains("MaskDropout.alpha(p)") && e.getMessage().contains("(0, 1]"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.1, 1.0})
    void rejectsDropRateOutsideZeroToOne(double rate) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.alphaOfDropRate(rate));
        assertTrue(e.getMessage().contains("drop rate (" + rate + ")") && e.getMessage().contains("[0, 1)"),
                e.getMessage());
        assertEquals(MaskDropout.alpha(0.95), MaskDropout.alphaOfDropRate(0.05), "rate 0.05 is p = 0.95");
    }

    @Test
    void rejectsAScaleTheDataTypeCannotHold() {
        INDArray half = Nd4j.ones(DataType.HALF, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(MaskDropout.alpha(1e-11), 1, half));
        assertTrue(e.getMessage().contains("HALF") && e.getMessage().contains("a = ")
                && e.getMessage().contains("p >= 5.6"), e.getMessage());
        assertFalse(Passes.forward(MaskDropout.alpha(1e-9), 1, Nd4j.ones(DataType.HALF, 4, 4)).isNaN().any(),
                "p = 1e-9 gives a = 1.6e4, which HALF holds");
    }
}

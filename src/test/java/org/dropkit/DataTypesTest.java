package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Bits;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Data types: a gradient arriving in another type than the forward pass ran in, 16-bit masks, retain probabilities
 * whose 1/p a type cannot hold, and empty arrays.
 */
class DataTypesTest {

    static Stream<Arguments> kindsAndStorages() {
        return Stream.of(MaskKind.BERNOULLI, MaskKind.GAUSSIAN)
                .flatMap(k -> Stream.of(MaskStorage.values()).map(s -> Arguments.of(k, s)));
    }

    private static MaskDropout dropout(MaskKind kind, double p) {
        return kind == MaskKind.BERNOULLI ? MaskDropout.bernoulli(p) : MaskDropout.gaussian(p);
    }

    /**
     * DL4J applies a first layer's dropout to the features as given (FLOAT here) and casts to the network's type
     * afterwards, so the backward gradient arrives in DOUBLE. It must be multiplied by the very mask forward used:
     * the FLOAT mask, widened exactly.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndStorages")
    void gradientInAnotherTypeIsMultipliedByTheForwardMaskWidened(MaskKind kind, MaskStorage storage) {
        MaskDropout d = dropout(kind, 0.7).storage(storage);
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', 16, 32);
        INDArray m = Passes.materializeMask(d, 21, x.shape(), DataType.FLOAT);
        Passes.forward(d, 21, x);
        INDArray dy = Passes.randomNonZero(DataType.DOUBLE, 2, 'c', 16, 32);
        INDArray dx = d.backprop(dy, dy.ulike(), 0, 0);
        Bits.assertBitwiseEqual(dy.mul(m.castTo(DataType.DOUBLE)), dx, "dx = dy * (double) m_forward");
    }

    static Stream<Arguments> mixedNetworks() {
        return Stream.of(DataType.DOUBLE, DataType.HALF).flatMap(net -> kindsAndStorages()
                .map(a -> Arguments.of(net, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0} network, FLOAT features, {1}, {2}")
    @MethodSource("mixedNetworks")
    void networkFedFeaturesOfAnotherTypeTrains(DataType networkType, MaskKind kind, MaskStorage storage) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(networkType)
                .updater(new Sgd(0.05)).list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(dropout(kind, 0.8).storage(storage)).build())
                .layer(new MaskDropoutLayer.Builder(dropout(kind, 0.8).storage(storage)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 12, 5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 12, 2);
        INDArray before = net.params().dup();
        for (int i = 0; i < 3; i++) {
            net.fit(x, y);
        }
        assertTrue(Double.isFinite(net.score()), "finite score: " + net.score());
        assertTrue(!before.equals(net.params()), "parameters changed");
    }

    @Test
    void retainProbabilityWhoseScaleOverflowsTheTypeIsRefusedWithTheLimit() {
        INDArray half = Nd4j.ones(DataType.HALF, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(MaskDropout.bernoulli(1e-5), 1, half));
        assertTrue(e.getMessage().contains("1.0E-5") && e.getMessage().contains("HALF")
                && e.getMessage().contains("65504") && e.getMessage().contains("p >= 1.5266"), e.getMessage());
        INDArray single = Nd4j.ones(DataType.FLOAT, 4, 4);
        e = assertThrows(IllegalArgumentException.class, () -> Passes.forward(MaskDropout.bernoulli(1e-39), 1,
                single));
        assertTrue(e.getMessage().contains("FLOAT") && e.getMessage().contains("dataType"), e.getMessage());
        assertTrue(Passes.forward(MaskDropout.bernoulli(1e-39), 1, Nd4j.ones(DataType.DOUBLE, 4, 4))
                .isEmpty() == false, "DOUBLE holds 1/p = 1e39");
    }

    /** Just above HALF's limit (1/p = 50000 fits): dropped units are exactly zero, never NaN, kept ones x/p. */
    @Test
    void smallestRetainProbabilitiesAHalfArrayHoldsDropToExactZero() {
        double p = 2e-5;
        INDArray x = Nd4j.ones(DataType.HALF, 1000, 100);
        INDArray y = Passes.forward(MaskDropout.bernoulli(p), 3, x).castTo(DataType.FLOAT);
        float scale = Nd4j.scalar(DataType.HALF, 1.0 / p).getFloat(0);
        long nonFinite = y.isInfinite().castTo(DataType.INT).sumNumber().longValue()
                + y.isNaN().castTo(DataType.INT).sumNumber().longValue();
        assertEquals(0, nonFinite, "no NaN or infinite output");
        long zeros = y.eq(0.0).castTo(DataType.INT).sumNumber().longValue();
        long kept = y.eq(scale).castTo(DataType.INT).sumNumber().longValue();
        assertEquals(y.length(), zeros + kept, "every output is 0 or (half) (1/p)");
    }

    /**
     * Kept fraction of 16-bit Bernoulli masks: drawn in FLOAT, they keep p, not the probability a 16-bit comparison
     * gives. 1.2e7 draws; the bound is six binomial standard errors (p = 0.999: 5.5e-5; drawn in HALF, the masks
     * kept 0.99926, 29 standard errors off).
     */
    @ParameterizedTest(name = "{0}, p = {1}")
    @MethodSource("sixteenBitTypes")
    void sixteenBitBernoulliMasksKeepFractionP(DataType type, double p) {
        int n = 12_000_000;
        INDArray m = Passes.materializeMask(MaskDropout.bernoulli(p), 17, new long[] {n}, type);
        double kept = m.neq(0.0).castTo(DataType.DOUBLE).sumNumber().doubleValue() / n;
        assertEquals(p, kept, 6 * Math.sqrt(p * (1 - p) / n), "kept fraction");
    }

    static Stream<Arguments> sixteenBitTypes() {
        return Stream.of(DataType.HALF, DataType.BFLOAT16)
                .flatMap(t -> Stream.of(0.999, 0.99, 0.5).map(p -> Arguments.of(t, p)));
    }

    /** A 16-bit Gaussian mask keeps mean 1 and variance (1 - p) / p: 1e6 draws, six standard errors. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = DataType.class, names = {"HALF", "BFLOAT16"})
    void sixteenBitGaussianMasksHaveTheirMoments(DataType type) {
        int n = 1_000_000;
        double p = 0.8;
        double variance = (1 - p) / p;
        INDArray m = Passes.materializeMask(MaskDropout.gaussian(p), 19, new long[] {n}, type)
                .castTo(DataType.DOUBLE);
        assertEquals(1.0, m.meanNumber().doubleValue(), 6 * Math.sqrt(variance / n), "mean");
        // BFLOAT16 rounds each value by up to 2^-9 relative; that moves the variance far less than the bound here.
        assertEquals(variance, m.varNumber().doubleValue(), 6 * Math.sqrt(2 * variance * variance / (n - 1)) + 1e-3,
                "variance");
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndStorages")
    void emptyArraysPassThroughForwardAndBackward(MaskKind kind, MaskStorage storage) {
        for (MaskDropout d : new MaskDropout[] {dropout(kind, 0.5).storage(storage),
                dropout(kind, 0.5).storage(storage).sharedAxes(1)}) {
            INDArray x = Nd4j.create(DataType.FLOAT, 0, 5);
            INDArray y = d.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
            assertArrayEquals(new long[] {0, 5}, y.shape(), d + ": forward shape");
            INDArray dx = d.backprop(x.ulike(), x.ulike(), 0, 0);
            assertArrayEquals(new long[] {0, 5}, dx.shape(), d + ": backward shape");
            assertEquals(0, d.keptMaskBytes(), "nothing kept");
        }
    }
}

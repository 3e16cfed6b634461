package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.MaskSpec;
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
 * Alpha dropout, Gaussian noise and drop path with data types: gradients in another type than the forward pass,
 * DOUBLE and HALF networks fed FLOAT features, 16-bit arrays, empty arrays; and what each storage mode keeps.
 */
class FamilyDataTypesTest {

    static Stream<Arguments> dropouts() {
        return Stream.of(MaskStorage.values()).flatMap(s -> Stream.of(
                Arguments.of(MaskDropout.alpha(0.8).storage(s)),
                Arguments.of(MaskDropout.gaussianNoise(0.3).storage(s)),
                Arguments.of(MaskDropout.dropPath(0.7).storage(s))));
    }

    /** The first layer's dropout sees FLOAT features; the DOUBLE gradient is multiplied by the FLOAT M widened. */
    @Test
    void alphaGradientInAnotherTypeIsMultipliedByTheForwardMultiplierWidened() {
        for (MaskStorage storage : MaskStorage.values()) {
            MaskDropout d = MaskDropout.alpha(0.7).storage(storage);
            INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', 16, 32);
            Passes.forward(d, 21, x);
            INDArray mFloat = d.backprop(Nd4j.ones(DataType.FLOAT, 16, 32), null, 0, 0);
            Passes.forward(d, 21, x);
            INDArray dy = Passes.randomNonZero(DataType.DOUBLE, 2, 'c', 16, 32);
            INDArray dx = d.backprop(dy, dy.ulike(), 0, 0);
            Bits.assertBitwiseEqual(dy.mul(mFloat.castTo(DataType.DOUBLE)), dx, storage + ": dx = dy * (double) M");
            float a = (float) MaskSpec.alphaScale(0.7);
            assertEquals(a, mFloat.maxNumber().floatValue(), 0.0f, "M is (float) a where kept");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dropouts")
    void doubleAndHalfNetworksFedFloatFeaturesTrain(MaskDropout dropout) {
        for (DataType networkType : new DataType[] {DataType.DOUBLE, DataType.HALF}) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(networkType)
                    .updater(new Sgd(0.05)).list()
                    .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(dropout).build())
                    .layer(new MaskDropoutLayer.Builder(dropout.clone()).build())
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
            assertTrue(Double.isFinite(net.score()), networkType + ": finite score " + net.score());
            assertTrue(!before.equals(net.params()), networkType + ": parameters changed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dropouts")
    void emptyArraysPassThroughForwardAndBackward(MaskDropout d) {
        INDArray x = Nd4j.create(DataType.FLOAT, 0, 5);
        INDArray y = d.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        assertArrayEquals(new long[] {0, 5}, y.shape(), d + ": forward shape");
        assertArrayEquals(new long[] {0, 5}, d.backprop(x.ulike(), x.ulike(), 0, 0).shape(), d + ": backward");
        assertEquals(0, d.keptMaskBytes(), "nothing kept");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dropouts")
    void storedKeepsTheMultiplierRecomputeAndNoiseKeepNothing(MaskDropout d) {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', 10, 20);
        Passes.forward(d, 22, x);
        long expected = d.getStorage() == MaskStorage.RECOMPUTE || d.getKind() == MaskKind.GAUSSIAN_NOISE ? 0
                : (d.isPerExample() ? 10 : 200) * Float.BYTES;
        assertEquals(expected, d.keptMaskBytes(), d + ": bytes kept between forward and backward");
        d.backprop(Nd4j.ones(DataType.FLOAT, 10, 20), null, 0, 0);
    }

    /** 16-bit arrays: alpha's M and constant rounded once to the type, noise drawn in FLOAT and converted. */
    @Test
    void sixteenBitArraysHoldTheAlphaConstantsAndTheNoise() {
        for (DataType type : new DataType[] {DataType.HALF, DataType.BFLOAT16}) {
            int n = 100_000;
            MaskDropout alpha = MaskDropout.alpha(0.9);
            INDArray y = Passes.forward(alpha, 23, Nd4j.ones(type, n));
            INDArray m = alpha.backprop(Nd4j.ones(type, n), null, 0, 0).castTo(DataType.DOUBLE);
            double c = Nd4j.scalar(type, MaskSpec.alphaDropped(0.9)).getDouble(0);
            INDArray dropped = m.eq(0.0).castTo(DataType.DOUBLE);
            assertEquals(dropped.sumNumber().doubleValue(), y.castTo(DataType.DOUBLE).eq(c).castTo(DataType.DOUBLE)
                    .sumNumber().doubleValue(), 0.0, type + ": dropped units are (" + type + ") c");
            assertEquals(0.1, dropped.meanNumber().doubleValue(), 6 * Math.sqrt(0.09 / n), type + ": drop rate");

            INDArray noise = Passes.forward(MaskDropout.gaussianNoise(0.5), 24, Nd4j.zeros(type, n))
                    .castTo(DataType.DOUBLE);
            assertEquals(0.25, noise.varNumber().doubleValue(), 6 * 0.25 * Math.sqrt(2.0 / n) + 2e-3,
                    type + ": noise variance (16-bit rounding moves it by far less than 2e-3)");
        }
    }

    @Test
    void jsonThatGivesAKindTheOtherKindsParameterIsRefused() {
        String noiseWithP = "{\"@class\":\"org.dropkit.MaskDropout\",\"kind\":\"GAUSSIAN_NOISE\",\"p\":0.5}";
        String bernoulliWithSigma = "{\"@class\":\"org.dropkit.MaskDropout\",\"kind\":\"BERNOULLI\",\"p\":0.5,"
                + "\"sigma\":0.1}";
        String noiseWithNothing = "{\"@class\":\"org.dropkit.MaskDropout\",\"kind\":\"GAUSSIAN_NOISE\"}";
        assertTrue(cause(noiseWithP).contains("GAUSSIAN_NOISE") && cause(noiseWithP).contains("no retain probability"),
                cause(noiseWithP));
        assertTrue(cause(bernoulliWithSigma).contains("BERNOULLI takes a retain probability p, not a noise sigma"),
                cause(bernoulliWithSigma));
        assertTrue(cause(noiseWithNothing).contains("exactly one of a noise sigma"), cause(noiseWithNothing));
    }

    private static String cause(String json) {
        Throwable t = assertThrows(Exception.class,
                () -> NeuralNetConfiguration.mapper().readValue(json, IDropout.class));
        while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}

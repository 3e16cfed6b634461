package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@code .dropOut(d)} on a layer and a {@code MaskDropoutLayer(d)} placed just before that layer are the same
 * network: same masks, same activations, same fitted parameters, bit for bit, given the same seed.
 *
 * <p>Why they must coincide: a network without the extra layer and one with it initialize the same parameters (the
 * dropout layer has none and draws nothing at initialization). In a training forward pass both take exactly one seed
 * from {@code Nd4j.getRandom()} at the same point, after the layers before the site (which draw nothing) and before
 * the layer that reads the dropped activations: with {@code .dropOut} that layer draws it on entry, before computing
 * anything; the dropout layer draws it as the layer before it. The mask depends only on that seed, the shape and
 * each element's position, so it is the same mask applied to the same activations; backward multiplies the same
 * gradient by it, so the updates, and the next step's generator state, are the same too.
 */
class DropOutAndLayerEquivalenceTest {

    private static final int BATCH = 4;
    private static final int STEPS = 5;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String input : new String[] {"dense", "cnn NCHW", "cnn NHWC"}) {
            cases.add(Arguments.of(input, MaskDropout.bernoulli(0.6)));
            cases.add(Arguments.of(input, MaskDropout.gaussian(0.7).storage(MaskStorage.STORED)));
        }
        cases.add(Arguments.of("cnn NCHW", MaskDropout.bernoulli(0.5).spatial(CNN2DFormat.NCHW)));
        cases.add(Arguments.of("cnn NHWC", MaskDropout.bernoulli(0.5).spatial(CNN2DFormat.NHWC)));
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void dropOutOnALayerAndALayerBeforeItGiveTheSameMasksAndActivationsBitForBit(String input, MaskDropout d) {
        MultiLayerNetwork onLayer = network(input, d, false, WorkspaceMode.NONE);
        MultiLayerNetwork asLayer = network(input, d, true, WorkspaceMode.NONE);
        assertBitwiseEqual(onLayer.params(), asLayer.params(), "initial parameters");
        INDArray x = features(input);

        List<INDArray> clean = onLayer.feedForward(x, false);
        onLayer.setInput(x);
        Nd4j.getRandom().setSeed(77);
        List<INDArray> a = onLayer.feedForward(true, false);
        asLayer.setInput(x);
        Nd4j.getRandom().setSeed(77);
        List<INDArray> b = asLayer.feedForward(true, false);

        // The site's input before dropout is layer 0's output (inference pass: no dropout acts there).
        INDArray h = clean.get(1);
        INDArray droppedA = onLayer.getLayer(1).input();
        INDArray droppedB = asLayer.getLayer(2).input();
        assertBitwiseEqual(droppedA, droppedB, "dropped activations the next layer reads");
        assertBitwiseEqual(droppedA.div(h), droppedB.div(h), "masks");
        assertTrue(droppedA.neq(h).castTo(DataType.INT64).sumNumber().longValue() > droppedA.length() / 10,
                "the dropout changed more than a tenth of the activations, so the comparison is not vacuous");
        assertBitwiseEqual(droppedB, b.get(2), "the dropout layer's output is what the next layer reads");
        for (int i = 2; i < a.size(); i++) {
            assertBitwiseEqual(a.get(i), b.get(i + 1), "activations of layer " + (i - 1) + " (.dropOut network)");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void dropOutOnALayerAndALayerBeforeItFitTheSameParametersBitForBit(String input, MaskDropout d) {
        MultiLayerNetwork onLayer = network(input, d, false, WorkspaceMode.ENABLED);
        MultiLayerNetwork asLayer = network(input, d, true, WorkspaceMode.ENABLED);
        INDArray x = features(input);
        INDArray y = labels();
        double[] scoresOnLayer = fit(onLayer, x, y);
        double[] scoresAsLayer = fit(asLayer, x, y);
        assertArrayEquals(scoresOnLayer, scoresAsLayer, 0.0, "score after each step");
        assertBitwiseEqual(onLayer.params(), asLayer.params(), "parameters after " + STEPS + " fit steps");
        assertBitwiseEqual(onLayer.getUpdater().getStateViewArray(), asLayer.getUpdater().getStateViewArray(),
                "Adam's moments");
        MultiLayerNetwork untrained = network(input, d, false, WorkspaceMode.ENABLED);
        assertTrue(onLayer.params().sub(untrained.params()).amaxNumber().doubleValue() > 1e-4,
                "the networks did train, so the comparison is not vacuous");
    }

    /** Seeds the generator (DL4J seeds it only at init), then fits; returns the score after each step. */
    private static double[] fit(MultiLayerNetwork net, INDArray x, INDArray y) {
        Nd4j.getRandom().setSeed(99);
        double[] scores = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            net.fit(x, y);
            scores[step] = net.score();
        }
        return scores;
    }

    /** Layer 0, then the site (dropout on layer 1's input, or a dropout layer), layer 1, output layer. */
    private static MultiLayerNetwork network(String input, MaskDropout d, boolean asLayer, WorkspaceMode mode) {
        boolean cnn = input.startsWith("cnn");
        CNN2DFormat format = input.endsWith("NHWC") ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(21).dataType(DataType.FLOAT)
                .updater(new Adam(0.05)).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                .layer(cnn ? conv(3, format).build() : dense(6).build());
        FeedForwardLayer.Builder<?> next = cnn ? conv(2, format) : dense(5);
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(d.clone()).build()).layer(next.build());
        } else {
            b.layer(next.dropOut(d.clone()).build());
        }
        MultiLayerConfiguration conf = b
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                // 6 x 6 input: layer 0's output is 5 x 5 x 3, so NHWC and NCHW shapes differ (see ChannelsLastGradient)
                .setInputType(cnn ? InputType.convolutional(6, 6, 2, format) : InputType.feedForward(7)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DenseLayer.Builder dense(int nOut) {
        return new DenseLayer.Builder().nOut(nOut).activation(Activation.TANH);
    }

    private static ConvolutionLayer.Builder conv(int nOut, CNN2DFormat format) {
        return new ConvolutionLayer.Builder(2, 2).nOut(nOut).activation(Activation.TANH).dataFormat(format);
    }

    private static INDArray features(String input) {
        Nd4j.getRandom().setSeed(5);
        long[] shape = !input.startsWith("cnn") ? new long[] {BATCH, 7}
                : input.endsWith("NHWC") ? new long[] {BATCH, 6, 6, 2} : new long[] {BATCH, 2, 6, 6};
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return y;
    }
}

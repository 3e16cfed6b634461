package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testing.DropoutGradientCheck;
import org.dropkit.testing.GradientCheckResult;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J 1.0.0-M2.1 layers on which no {@code .dropOut(...)} is exact, DL4J's or Dropkit's, shown by DL4J's numerical
 * gradient check; Dropkit's gradient check refuses or names them, and a MaskDropoutLayer before the layer passes.
 */
@ExtendWith(DoublePrecision.class)
class Dl4jDropoutDefectGradientCheckTest {

    /** A small network: a parameterized layer, then the layer under test with the dropout (or a layer before it). */
    private static final class Net {
        final MultiLayerNetwork net;
        final INDArray input;
        final INDArray labels;

        Net(NeuralNetConfiguration.ListBuilder b, InputType type, long[] in, long[] out) {
            net = new MultiLayerNetwork(b.setInputType(type).build());
            net.init();
            Nd4j.getRandom().setSeed(31);
            input = Nd4j.rand(DataType.DOUBLE, in).subi(0.5);
            labels = Nd4j.rand(DataType.DOUBLE, out);
        }

        /** DL4J's numerical check; it stops at the first failing parameter. */
        boolean dl4jGradientCheckPasses() {
            GradientChecks.assertDropoutActive(net, input, null, null);
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                    .labels(labels).exitOnFirstError(true)
                    .callEachIter(n -> Nd4j.getRandom().setSeed(GradientChecks.RESEED)));
        }
    }

    private static NeuralNetConfiguration.ListBuilder list() {
        return new NeuralNetConfiguration.Builder().seed(32).dataType(DataType.DOUBLE).updater(new NoOp()).list();
    }

    private static OutputLayer mse() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                .build();
    }

    /** The layer under test with .dropOut(d), or with a MaskDropoutLayer(d) before it when asLayer. */
    private static NeuralNetConfiguration.ListBuilder add(NeuralNetConfiguration.ListBuilder b, Layer.Builder<?> l,
            IDropout d, boolean asLayer) {
        if (asLayer) {
            return b.layer(new MaskDropoutLayer.Builder((MaskDropout) d).build()).layer(l.build());
        }
        return b.layer(l.dropOut(d).build());
    }

    static Net convolution3d(IDropout d, boolean asLayer) {
        NeuralNetConfiguration.ListBuilder b = list().layer(new Convolution3D.Builder().kernelSize(2, 2, 2).nOut(2)
                .activation(Activation.TANH).build());
        return new Net(add(b, new Convolution3D.Builder().name("c3d").kernelSize(2, 2, 2).nOut(2)
                        .activation(Activation.TANH), d, asLayer)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build()).layer(mse()),
                InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2), new long[] {2, 2, 4, 4, 4},
                new long[] {2, 2});
    }

    static Net convolution1d(IDropout d, boolean asLayer) {
        NeuralNetConfiguration.ListBuilder b = list().layer(new Convolution1DLayer.Builder().kernelSize(2).nOut(3)
                .activation(Activation.TANH).build());
        return new Net(add(b, new Convolution1DLayer.Builder().name("c1d").kernelSize(2).nOut(3)
                        .activation(Activation.TANH), d, asLayer)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build()).layer(mse()),
                InputType.recurrent(2, 6), new long[] {2, 2, 6}, new long[] {2, 2});
    }

    static Net deconvolution2d(IDropout d, boolean asLayer) {
        NeuralNetConfiguration.ListBuilder b = list().layer(new ConvolutionLayer.Builder(2, 2).nOut(3)
                .activation(Activation.TANH).build());
        return new Net(add(b, new Deconvolution2D.Builder(2, 2).name("deconv").nOut(2)
                        .activation(Activation.TANH), d, asLayer)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build()).layer(mse()),
                InputType.convolutional(4, 4, 2), new long[] {2, 2, 4, 4}, new long[] {2, 2});
    }

    static Stream<Arguments> layersThatNeverBackPropagateDropout() {
        return Stream.of(
                Arguments.of("Convolution3D", "c3d", (Function<Boolean, Function<IDropout, Net>>)
                        asLayer -> d -> convolution3d(d, asLayer)),
                Arguments.of("Convolution1DLayer", "c1d", (Function<Boolean, Function<IDropout, Net>>)
                        asLayer -> d -> convolution1d(d, asLayer)),
                Arguments.of("Deconvolution2D", "deconv", (Function<Boolean, Function<IDropout, Net>>)
                        asLayer -> d -> deconvolution2d(d, asLayer)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layersThatNeverBackPropagateDropout")
    void dl4jsOwnDropoutFailsTheGradientCheck(String layer, String name,
            Function<Boolean, Function<IDropout, Net>> net) {
        assertFalse(net.apply(false).apply(new Dropout(0.5)).dl4jGradientCheckPasses());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layersThatNeverBackPropagateDropout")
    void dropkitsDropOutFailsTooAndDropoutGradientCheckRefusesTheNetwork(String layer, String name,
            Function<Boolean, Function<IDropout, Net>> net) {
        Net n = net.apply(false).apply(MaskDropout.bernoulli(0.5));
        assertFalse(n.dl4jGradientCheckPasses());

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DropoutGradientCheck.of(n.net).run(n.input, n.labels));
        assertTrue(e.getMessage().contains("layer \"" + name + "\" (index 1) has .dropOut(MaskDropout(BERNOULLI,"
                + " p=0.5, RECOMPUTE)): DL4J's " + layer + " applies its .dropOut(...) in the forward pass but never"
                + " back-propagates it"), e.getMessage());
        assertTrue(e.getMessage().contains("put a MaskDropoutLayer before the layer"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layersThatNeverBackPropagateDropout")
    void aMaskDropoutLayerBeforeTheLayerPassesBothChecks(String layer, String name,
            Function<Boolean, Function<IDropout, Net>> net) {
        Net n = net.apply(true).apply(MaskDropout.bernoulli(0.5));
        assertTrue(n.dl4jGradientCheckPasses());
        GradientCheckResult result = DropoutGradientCheck.of(n.net).run(n.input, n.labels);
        assertTrue(result.passed(), result::toString);
    }

    @Test
    void gravesBidirectionalLstmNeverAppliesItsDropoutAndTheCheckSaysSo() {
        MultiLayerConfiguration conf = list()
                .layer(new GravesBidirectionalLSTM.Builder().name("bi").nOut(2).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.5)).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(2, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(33);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 3);
        assertEquals(net.output(x, false), net.output(x, true), "training output: no mask was applied");

        GradientCheckResult result = DropoutGradientCheck.of(net).maxPerParameter(4)
                .run(x, Nd4j.rand(DataType.DOUBLE, 2, 2, 3));
        assertTrue(result.notes().stream().anyMatch(s -> s.contains("GravesBidirectionalLSTM \"bi\" (index 0) is never"
                + " applied: DL4J's GravesBidirectionalLSTM never applies its .dropOut(...)")), result::toString);
        assertFalse(result.checked().stream().anyMatch(s -> s.contains("bit for bit")), result::toString);
    }

    /** Two LSTMs in a MultiLayerNetwork, the dropout on the one at the given index. */
    private static Net lstms(RNNFormat format, int dropoutAt, IDropout d, boolean asLayer) {
        NeuralNetConfiguration.ListBuilder b = list();
        for (int i = 0; i < 2; i++) {
            LSTM.Builder l = new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(format);
            if (i == dropoutAt) {
                add(b, l, d, asLayer);
            } else {
                b.layer(l.build());
            }
        }
        long[] in = format == RNNFormat.NCW ? new long[] {2, 2, 3} : new long[] {2, 3, 2};
        long[] out = format == RNNFormat.NCW ? new long[] {2, 2, 3} : new long[] {2, 3, 2};
        return new Net(b.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).dataFormat(format).build()), InputType.recurrent(2, 3, format), in,
                out);
    }

    /**
     * DL4J's LSTM with NWC data restores its input from before dropout after the forward pass; the backward pass
     * recomputes the forward pass from it. That input holds the dropped values only where DL4J let the dropout write
     * into it: not for the first layer of a MultiLayerNetwork.
     */
    @ParameterizedTest(name = "DL4J's dropout: {0}")
    @ValueSource(booleans = {false, true})
    void anNwcLstmFailsTheGradientCheckAsTheFirstLayerOnly(boolean dl4jDropout) {
        IDropout d = dl4jDropout ? new Dropout(0.6) : MaskDropout.bernoulli(0.6);
        assertFalse(lstms(RNNFormat.NWC, 0, d, false).dl4jGradientCheckPasses(), "first layer");
        assertTrue(lstms(RNNFormat.NWC, 1, d, false).dl4jGradientCheckPasses(), "second layer");
        assertTrue(lstms(RNNFormat.NCW, 0, d, false).dl4jGradientCheckPasses(), "NCW, first layer");
    }

    @Test
    void aMaskDropoutLayerBeforeAnNwcLstmThatIsTheFirstLayerPassesTheGradientCheck() {
        assertTrue(lstms(RNNFormat.NWC, 0, MaskDropout.bernoulli(0.6), true).dl4jGradientCheckPasses());
    }
}

package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.testsupport.LogCapture;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * .dropOut(MaskDropout...) warns where DL4J's layer makes the gradient wrong, once per dropout, and nowhere else.
 * Log lines are captured from slf4j-simple (test scope, WARN and above).
 */
class HostWarningsTest {

    /** A network and one batch of its data, fitted twice: warnings come once, at the first training pass. */
    private static final class Case {
        final MultiLayerNetwork net;
        final INDArray features;
        final INDArray labels;

        Case(NeuralNetConfiguration.ListBuilder layers, InputType input, long[] featureShape, long[] labelShape) {
            net = new MultiLayerNetwork(layers.setInputType(input).build());
            net.init();
            Nd4j.getRandom().setSeed(7);
            features = Nd4j.rand(DataType.FLOAT, featureShape);
            labels = Nd4j.rand(DataType.FLOAT, labelShape);
        }

        List<String> warningsOfTwoFits() {
            return LogCapture.dropkitWarnings(() -> {
                net.fit(features, labels);
                net.fit(features, labels);
            });
        }
    }

    private static NeuralNetConfiguration.ListBuilder list() {
        return new NeuralNetConfiguration.Builder().seed(3).list();
    }

    private static NeuralNetConfiguration.ListBuilder listWithGlobal(IDropout d) {
        return new NeuralNetConfiguration.Builder().seed(3).dropOut(d).list();
    }

    private static OutputLayer out() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build();
    }

    private static RnnOutputLayer rnnOut(RNNFormat f) {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                .dataFormat(f).build();
    }

    private static Layer lstm(int nOut, RNNFormat f, IDropout d) {
        return new LSTM.Builder().nOut(nOut).activation(Activation.TANH).dataFormat(f).dropOut(d).build();
    }

    private static long[] seq(RNNFormat f, long n, long features, long steps) {
        return f == RNNFormat.NCW ? new long[] {n, features, steps} : new long[] {n, steps, features};
    }

    private static Case cnn32(IDropout d, CNN2DFormat f) {
        return new Case(list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(f).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(f).activation(Activation.RELU)
                        .dropOut(d).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(out()), InputType.convolutional(32, 32, 3, f),
                f == CNN2DFormat.NCHW ? new long[] {4, 3, 32, 32} : new long[] {4, 32, 32, 3}, new long[] {4, 2});
    }

    private static Case lstm10(RNNFormat f, int dropoutAt, IDropout d) {
        return new Case(list()
                .layer(lstm(10, f, dropoutAt == 0 ? d : null))
                .layer(lstm(10, f, dropoutAt == 1 ? d : null))
                .layer(rnnOut(f)), InputType.recurrent(10, 10, f), seq(f, 3, 10, 10), seq(f, 3, 2, 10));
    }

    static Stream<Arguments> ordinaryNetworks() {
        return Stream.of(
                Arguments.of(Named.<Supplier<Case>>of("NCHW CNN, 32 channels at 32x32, element-wise",
                        () -> cnn32(MaskDropout.bernoulli(0.5), CNN2DFormat.NCHW))),
                Arguments.of(Named.<Supplier<Case>>of("NCHW CNN, 32 channels at 32x32, spatial",
                        () -> cnn32(MaskDropout.bernoulli(0.5).spatial(CNN2DFormat.NCHW), CNN2DFormat.NCHW))),
                Arguments.of(Named.<Supplier<Case>>of("NHWC CNN, 32 channels at 32x32, spatial",
                        () -> cnn32(MaskDropout.bernoulli(0.5).spatial(CNN2DFormat.NHWC), CNN2DFormat.NHWC))),
                Arguments.of(Named.<Supplier<Case>>of("NCW LSTM, 10 units over 10 steps, second layer",
                        () -> lstm10(RNNFormat.NCW, 1, MaskDropout.bernoulli(0.5)))),
                Arguments.of(Named.<Supplier<Case>>of("NCW LSTM, 10 features over 10 steps, first layer",
                        () -> lstm10(RNNFormat.NCW, 0, MaskDropout.bernoulli(0.5)))),
                Arguments.of(Named.<Supplier<Case>>of("NWC LSTM, second layer, time-locked",
                        () -> lstm10(RNNFormat.NWC, 1, MaskDropout.bernoulli(0.5).timeLocked(RNNFormat.NWC)))),
                Arguments.of(Named.<Supplier<Case>>of("NWC SimpleRnn, 10 features over 10 steps, time-locked",
                        () -> new Case(list()
                                .layer(new SimpleRnn.Builder().nOut(4).dataFormat(RNNFormat.NWC)
                                        .dropOut(MaskDropout.bernoulli(0.5).timeLocked(RNNFormat.NWC)).build())
                                .layer(rnnOut(RNNFormat.NWC)), InputType.recurrent(10, 10, RNNFormat.NWC),
                                seq(RNNFormat.NWC, 3, 10, 10), seq(RNNFormat.NWC, 3, 2, 10)))),
                Arguments.of(Named.<Supplier<Case>>of("dense network, global dropout, DL4J DropoutLayer",
                        () -> new Case(listWithGlobal(MaskDropout.gaussian(0.8))
                                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                                .layer(new DropoutLayer.Builder(MaskDropout.bernoulli(0.7)).build())
                                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                                .layer(out()), InputType.feedForward(6), new long[] {5, 6}, new long[] {5, 2}))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ordinaryNetworks")
    void logsNothingOnOrdinaryNetworks(Supplier<Case> network) {
        List<String> warnings = network.get().warningsOfTwoFits();
        assertEquals(List.of(), warnings);
    }

    static Stream<Arguments> dl4jLayersThatNeverBackPropagateDropout() {
        return Stream.of(
                Arguments.of("Convolution3DLayer", (Supplier<Case>) () -> new Case(list()
                        .layer(new Convolution3D.Builder().kernelSize(2, 2, 2).nOut(2).activation(Activation.TANH)
                                .build())
                        .layer(new Convolution3D.Builder().kernelSize(2, 2, 2).nOut(2).activation(Activation.TANH)
                                .dropOut(MaskDropout.bernoulli(0.5)).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(out()), InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2),
                        new long[] {2, 2, 4, 4, 4}, new long[] {2, 2})),
                Arguments.of("Convolution1DLayer", (Supplier<Case>) () -> new Case(list()
                        .layer(new Convolution1DLayer.Builder().kernelSize(2).nOut(3).activation(Activation.TANH)
                                .build())
                        .layer(new Convolution1DLayer.Builder().kernelSize(2).nOut(3).activation(Activation.TANH)
                                .dropOut(MaskDropout.bernoulli(0.5)).build())
                        .layer(rnnOut(RNNFormat.NCW)), InputType.recurrent(2, 6), new long[] {2, 2, 6},
                        new long[] {2, 2, 4})),
                Arguments.of("Deconvolution2DLayer", (Supplier<Case>) () -> new Case(list()
                        .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build())
                        .layer(new Deconvolution2D.Builder(2, 2).nOut(2).activation(Activation.TANH)
                                .dropOut(MaskDropout.bernoulli(0.5)).build())
                        .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                        .layer(out()), InputType.convolutional(5, 5, 2), new long[] {2, 2, 5, 5},
                        new long[] {2, 2})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dl4jLayersThatNeverBackPropagateDropout")
    void warnsOnceWhereDl4jNeverBackPropagatesTheDropout(String runtimeLayer, Supplier<Case> network) {
        List<String> warnings = network.get().warningsOfTwoFits();
        assertEquals(1, warnings.size(), warnings::toString);
        String w = warnings.get(0);
        assertTrue(w.contains("on a DL4J " + runtimeLayer + ", which in DL4J 1.0.0-M2.1 applies its dropout in the"
                + " forward pass but never calls its backward pass"), w);
        assertTrue(w.contains("Put a MaskDropoutLayer before this layer instead"), w);
    }

    @Test
    void warnsOnceOnAnNwcLstmThatIsTheFirstLayer() {
        List<String> warnings = lstm10(RNNFormat.NWC, 0, MaskDropout.bernoulli(0.5)).warningsOfTwoFits();
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("on a DL4J LSTM with NWC data, where DL4J does not let it write into the"
                + " LSTM's input (the first layer of a MultiLayerNetwork"), warnings.get(0));
        assertTrue(warnings.get(0).contains("put a MaskDropoutLayer before this LSTM instead"), warnings.get(0));
    }

    /** In a graph, an NWC LSTM whose input only it reads: its dropout writes there, as DL4J's would; no warning. */
    @Test
    void saysNothingOnAnNwcLstmInAGraphThatOnlyItReads() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("lstm", lstm(3, RNNFormat.NWC, MaskDropout.bernoulli(0.5)), "dense")
                .addLayer("out", rnnOut(RNNFormat.NWC), "lstm")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(5, 4, RNNFormat.NWC)).build());
        graph.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 2, 4, 2);
        assertEquals(List.of(), LogCapture.dropkitWarnings(() -> graph.fit(new INDArray[] {x}, new INDArray[] {y})));
    }

    @Test
    void warnsOnceOnAnNwcLstmInAComputationGraph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in")
                .addLayer("lstm", lstm(3, RNNFormat.NWC, MaskDropout.bernoulli(0.5)), "in")
                .addLayer("out", rnnOut(RNNFormat.NWC), "lstm")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(5, 4, RNNFormat.NWC)).build());
        graph.init();
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 2, 4, 2);
        List<String> warnings = LogCapture.dropkitWarnings(() -> {
            graph.fit(new INDArray[] {x}, new INDArray[] {y});
            graph.fit(new INDArray[] {x}, new INDArray[] {y});
        });
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("in a ComputationGraph a layer fed by a network input"),
                warnings.get(0));
    }

    @Test
    void warnsOnceOnATimeLockedNwcLstmThatIsTheFirstLayer() {
        List<String> warnings = lstm10(RNNFormat.NWC, 0, MaskDropout.bernoulli(0.5).timeLocked(RNNFormat.NWC))
                .warningsOfTwoFits();
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("timeLocked=NWC"), warnings.get(0));
    }
}

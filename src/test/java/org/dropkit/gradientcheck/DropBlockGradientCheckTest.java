package org.dropkit.gradientcheck;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.BlockNormalization;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testing.DropoutGradientCheck;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's numerical gradient checks of small CNNs with DropBlock, NCHW and NHWC, as .dropOut(...) (DL4J's NHWC
 * ConvolutionLayer back-propagates its dropout channels-first) and as a layer, in a MultiLayerNetwork and a
 * ComputationGraph; and Dropkit's own {@link DropoutGradientCheck} on the same networks.
 */
@ExtendWith(DoublePrecision.class)
class DropBlockGradientCheckTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CNN2DFormat format : CNN2DFormat.values()) {
            for (boolean asLayer : new boolean[] {false, true}) {
                for (MaskStorage storage : MaskStorage.values()) {
                    cases.add(Arguments.of(format, asLayer, storage));
                }
            }
        }
        return cases;
    }

    private static long[] shape(CNN2DFormat format, long n, long c, long h, long w) {
        return format == CNN2DFormat.NCHW ? new long[] {n, c, h, w} : new long[] {n, h, w, c};
    }

    /**
     * Input 2 x 5 x 6; conv 2x2 to 2 x 4 x 5; DropBlock (block 2, keep 0.6), on the second convolution's input or as
     * a layer before it; conv 2x2 to 2 x 3 x 4; softmax output: 111 parameters. The RECOMPUTE cases share the block
     * pattern over the channels and normalise per example, so every option meets a gradient check.
     */
    static MultiLayerNetwork network(CNN2DFormat format, boolean asLayer, MaskStorage storage) {
        MaskDropout d = MaskDropout.dropBlock(0.6, 2, format).storage(storage);
        if (storage == MaskStorage.RECOMPUTE) {
            d = d.sharedAxes(format == CNN2DFormat.NCHW ? 1 : 3).blockNormalization(BlockNormalization.EXAMPLE);
        }
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(21)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).dataFormat(format)
                        .build());
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(d).build())
                    .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                            .dataFormat(format).build());
        } else {
            b.layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).dataFormat(format)
                    .dropOut(d).build());
        }
        MultiLayerConfiguration conf = b
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 6, 2, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @ParameterizedTest(name = "{0} asLayer={1} {2}")
    @MethodSource("cases")
    void cnnWithDropBlockPassesGradientCheck(CNN2DFormat format, boolean asLayer, MaskStorage storage) {
        MultiLayerNetwork net = network(format, asLayer, storage);
        Nd4j.getRandom().setSeed(3);
        INDArray input = Nd4j.rand(DataType.DOUBLE, shape(format, 3, 2, 5, 6)).subi(0.5);
        INDArray labels = FeedForwardGradientCheckTest.labels(3, 3);
        GradientChecks.assertGradientsMatch(net, input, labels, null, null);
        if (asLayer == (storage == MaskStorage.STORED)) {
            // Dropkit's check for users' CI, which repeats the numerical check: on half the cases, to save time.
            DropoutGradientCheck.of(net).run(input, labels).assertPassed();
        }
    }

    /**
     * A graph whose first convolution feeds two consumers: a DropBlock layer, and a convolution with DropBlock as
     * .dropOut(...) (DL4J lets the last consumer of a shared activation modify it; Dropkit does not, in a graph).
     */
    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void graphWithDropBlockPassesGradientCheck(CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(23)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder()
                .addInputs("image")
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                        .dataFormat(format).build(), "image")
                .addLayer("drop", new MaskDropoutLayer.Builder(MaskDropout.dropBlock(0.6, 3, format)).build(), "conv")
                .addLayer("left", new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                        .dataFormat(format).build(), "drop")
                .addLayer("right", new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                        .dataFormat(format).dropOut(MaskDropout.dropBlock(0.7, 2, format)
                                .storage(MaskStorage.STORED)).build(), "conv")
                .addVertex("merge", new MergeVertex(), "left", "right")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(5, 6, 1, format))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Nd4j.getRandom().setSeed(4);
        INDArray[] inputs = {Nd4j.rand(DataType.DOUBLE, shape(format, 3, 1, 5, 6)).subi(0.5)};
        INDArray[] labels = {FeedForwardGradientCheckTest.labels(3, 2)};
        GradientChecks.assertGradientsMatch(net, inputs, labels);
        if (format == CNN2DFormat.NHWC) {
            DropoutGradientCheck.of(net).run(inputs, labels).assertPassed(); // the user-facing check, once
        }
    }
}

package org.dropkit.gradientcheck;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.Test;
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
 * Numerical gradient checks of the dropout family beyond the dense and two-input graph cases (which run every kind):
 * feature alpha dropout and shared Gaussian noise on CNNs in both formats, a SELU network with alpha dropout, and
 * drop path on the residual branch of ComputationGraphs, dense and convolutional.
 */
@ExtendWith(DoublePrecision.class)
class FamilyGradientCheckTest {

    static List<Arguments> cnnCases() {
        List<Arguments> cases = new ArrayList<>();
        for (CNN2DFormat format : CNN2DFormat.values()) {
            cases.add(Arguments.of(format, "feature alpha", true));
            cases.add(Arguments.of(format, "feature alpha", false));
            cases.add(Arguments.of(format, "channel noise", true));
            cases.add(Arguments.of(format, "channel noise", false));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} asLayer={2}")
    @MethodSource("cnnCases")
    void cnnWithFeatureAlphaDropoutOrChannelNoisePassesGradientCheck(CNN2DFormat format, String what,
            boolean asLayer) {
        MaskDropout d = (what.equals("feature alpha") ? MaskDropout.alpha(0.6) : MaskDropout.gaussianNoise(0.4))
                .spatial(format).storage(asLayer ? MaskStorage.STORED : MaskStorage.RECOMPUTE);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH)
                        .dataFormat(format).build());
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
                .setInputType(InputType.convolutional(5, 5, 2, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        long[] shape = format == CNN2DFormat.NCHW ? new long[] {3, 2, 5, 5} : new long[] {3, 5, 5, 2};
        INDArray input = Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, FeedForwardGradientCheckTest.labels(3, 3), null, null);
    }

    @ParameterizedTest
    @EnumSource(MaskStorage.class)
    void seluNetworkWithAlphaDropoutPassesGradientCheck(MaskStorage storage) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.NORMAL).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.SELU).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.SELU)
                        .dropOut(MaskDropout.alpha(0.7).storage(storage)).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.alphaOfDropRate(0.2).storage(storage)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // SELU's kink at 0 is not smooth: inputs away from it keep the finite differences on one side.
        INDArray input = Nd4j.rand(DataType.DOUBLE, 8, 4).subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, FeedForwardGradientCheckTest.labels(8, 3), null, null);
    }

    /** A residual block as the README shows it, small and in double precision, with drop path before the add. */
    static ComputationGraph residualGraph(MaskDropout path) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(19).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder()
                .addInputs("in")
                .addLayer("stem", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("f1", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "stem")
                .addLayer("f2", new DenseLayer.Builder().nOut(5).activation(Activation.IDENTITY).build(), "f1")
                .addLayer("dropPath", new MaskDropoutLayer.Builder(path).build(), "f2")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "dropPath")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "add")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(4))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    @ParameterizedTest
    @EnumSource(MaskStorage.class)
    void residualGraphWithDropPathPassesGradientCheck(MaskStorage storage) {
        ComputationGraph net = residualGraph(MaskDropout.dropPath(0.5).storage(storage));
        INDArray input = Nd4j.rand(DataType.DOUBLE, 8, 4).subi(0.5);
        GradientChecks.assertGradientsMatch(net, new INDArray[] {input},
                new INDArray[] {FeedForwardGradientCheckTest.labels(8, 3)});
    }

    @Test
    void convolutionalResidualGraphWithDropPathPassesGradientCheck() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(23).dataType(DataType.DOUBLE)
                .updater(new NoOp()).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in")
                .addLayer("stem", new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build(),
                        "in")
                .addLayer("f", new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build(),
                        "stem")
                .addLayer("dropPath", new MaskDropoutLayer.Builder(MaskDropout.dropPath(0.5)).build(), "f")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "dropPath")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "add")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(4, 4, 2))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 6, 2, 4, 4).subi(0.5);
        GradientChecks.assertGradientsMatch(net, new INDArray[] {input},
                new INDArray[] {FeedForwardGradientCheckTest.labels(6, 3)});
    }
}

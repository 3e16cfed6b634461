package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.Scaling;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
import org.dropkit.testsupport.Kinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Numerical gradient checks of dense MultiLayerNetworks with Dropkit as .dropOut(...) and as a layer. */
@ExtendWith(DoublePrecision.class)
class FeedForwardGradientCheckTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) {
            for (MaskStorage storage : MaskStorage.values()) {
                for (boolean asLayer : new boolean[] {false, true}) {
                    cases.add(Arguments.of(kind, storage, asLayer));
                }
            }
        }
        return cases;
    }

    static MaskDropout dropout(MaskKind kind, MaskStorage storage) {
        return Kinds.of(kind, 0.6).storage(storage);
    }

    static MultiLayerNetwork net(MaskDropout dropout, boolean asLayer, Scaling scaling) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build());
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(dropout).scaling(scaling).build())
                    .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build());
        } else {
            b.layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).dropOut(dropout).build());
        }
        MultiLayerConfiguration conf = b
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(dropout.clone()).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray labels(int n, int classes) {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % classes, 1.0);
        }
        return labels;
    }

    @ParameterizedTest(name = "{0} {1} asLayer={2}")
    @MethodSource("cases")
    void denseNetworkPassesGradientCheck(MaskKind kind, MaskStorage storage, boolean asLayer) {
        MultiLayerNetwork net = net(dropout(kind, storage), asLayer, Scaling.INVERTED);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 8, 4).subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, labels(8, 3), null, null);
    }

    @Test
    void vanillaScalingLayerPassesGradientCheck() {
        MultiLayerNetwork net = net(MaskDropout.bernoulli(0.5), true, Scaling.VANILLA);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 8, 4).subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, labels(8, 3), null, null);
    }

    @Test
    void globalDropOutOnTheNetworkBuilderPassesGradientCheck() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new NoOp()).dropOut(MaskDropout.bernoulli(0.7)).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 6, 4).subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, Nd4j.rand(DataType.DOUBLE, 6, 2), null, null);
    }

    /** The check is sensitive to masks: without reseeding, every pass draws a new mask and the check fails. */
    @Test
    void gradientCheckFailsWhenEachPassDrawsAnotherMask() {
        MultiLayerNetwork net = net(MaskDropout.bernoulli(0.5), false, Scaling.INVERTED);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 8, 4).subi(0.5);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels(8, 3)).callEachIter(n -> { }));
        assertFalse(ok, "fresh masks on every pass must break the gradient check");
    }
}

package org.dropkit.gradientcheck;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Numerical gradient checks of {@code Bidirectional} LSTMs with Dropkit as {@code .dropOut(...)} on the wrapped LSTM
 * (the forward and the backward copy each draw their own mask; LSTM hands its dropout NCW input) and as a
 * {@code MaskDropoutLayer} before the wrapper. {@code .dropOut} is checked in NCW only: DL4J's LSTM ignores dropout in
 * its NWC gradient, for any dropout (README, DL4J defects).
 */
@ExtendWith(DoublePrecision.class)
class BidirectionalGradientCheckTest {

    private static final int BATCH = 2;
    private static final int FEATURES = 3;
    private static final int STEPS = 4;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(RNNFormat.NCW, Bidirectional.Mode.CONCAT, false, MaskDropout.bernoulli(0.6)));
        cases.add(Arguments.of(RNNFormat.NCW, Bidirectional.Mode.ADD, false,
                MaskDropout.gaussian(0.6).timeLocked(RNNFormat.NCW)));
        cases.add(Arguments.of(RNNFormat.NCW, Bidirectional.Mode.CONCAT, true, MaskDropout.bernoulli(0.6)));
        cases.add(Arguments.of(RNNFormat.NWC, Bidirectional.Mode.CONCAT, true,
                MaskDropout.bernoulli(0.6).timeLocked(RNNFormat.NWC)));
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} asLayer={2} {3}")
    @MethodSource("cases")
    void bidirectionalLstmWithDropoutPassesGradientCheck(RNNFormat format, Bidirectional.Mode mode, boolean asLayer,
            MaskDropout d) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(format, mode, asLayer, d));
        net.init();
        GradientChecks.assertGradientsMatch(net, RecurrentGradientCheckTest.sequences(format, BATCH, FEATURES, STEPS),
                RecurrentGradientCheckTest.alternatingLabels(format, BATCH, STEPS), null, null);
    }

    /**
     * A MaskDropoutLayer before a Bidirectional LSTM, or a Bidirectional LSTM whose inner LSTM has the dropout, then
     * an RnnOutputLayer; DOUBLE and a NoOp updater, as the gradient check needs.
     */
    private static MultiLayerConfiguration configuration(RNNFormat format, Bidirectional.Mode mode, boolean asLayer,
            MaskDropout d) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(23)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list();
        LSTM.Builder inner = new LSTM.Builder().nOut(3).activation(Activation.TANH).dataFormat(format);
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(d).build()).layer(new Bidirectional(mode, inner.build()));
        } else {
            b.layer(new Bidirectional(mode, inner.dropOut(d).build()));
        }
        return b.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                .setInputType(InputType.recurrent(FEATURES, STEPS, format)).build();
    }
}

package org.dropkit.gradientcheck;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
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

/**
 * Numerical gradient checks of LSTM, GravesLSTM and SimpleRnn networks with variable-length sequences (feature and
 * label masks), NCW and NWC, with element-wise and time-locked masks. GravesLSTM and SimpleRnn with NWC apply
 * {@code .dropOut(...)} to channels-last input and back-propagate it channels-first; the NWC cases check that Dropkit
 * puts the mask where forward had it (the sequences have 5 steps and 3 or 4 features, so the layouts differ).
 */
@ExtendWith(DoublePrecision.class)
class RecurrentGradientCheckTest {

    private static final int BATCH = 3;
    private static final int FEATURES = 3;
    private static final int STEPS = 5;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String rnn : new String[] {"LSTM", "SimpleRnn"}) {
            for (RNNFormat format : RNNFormat.values()) {
                for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) {
                    for (boolean asLayer : new boolean[] {false, true}) {
                        boolean timeLocked = kind == MaskKind.BERNOULLI || asLayer;
                        MaskStorage storage = asLayer ? MaskStorage.STORED : MaskStorage.RECOMPUTE;
                        cases.add(Arguments.of(rnn, format, kind, asLayer, timeLocked, storage));
                    }
                }
            }
        }
        return cases;
    }

    /**
     * The array a dropout sees is in the network's format, except for .dropOut(...) on LSTM, which permutes its
     * input to NCW before applying dropout (GravesLSTM does not: it hands its dropout the input as it is).
     */
    private static RNNFormat formatSeenByDropout(String rnn, RNNFormat format, boolean asLayer) {
        return !asLayer && rnn.equals("LSTM") ? RNNFormat.NCW : format;
    }

    private static BaseRecurrentLayer.Builder<?> recurrent(String rnn, int nOut, RNNFormat format) {
        BaseRecurrentLayer.Builder<?> b = rnn.equals("LSTM") ? new LSTM.Builder() : new SimpleRnn.Builder();
        return (BaseRecurrentLayer.Builder<?>) b.nOut(nOut).activation(Activation.TANH).dataFormat(format);
    }

    @ParameterizedTest(name = "{0} {1} {2} asLayer={3} timeLocked={4} {5}")
    @MethodSource("cases")
    void recurrentNetworkWithMasksPassesGradientCheck(String rnn, RNNFormat format, MaskKind kind, boolean asLayer,
            boolean timeLocked, MaskStorage storage) {
        MaskDropout d = kind == MaskKind.BERNOULLI ? MaskDropout.bernoulli(0.6) : MaskDropout.gaussian(0.6);
        d = d.storage(storage);
        if (timeLocked) {
            d = d.timeLocked(formatSeenByDropout(rnn, format, asLayer));
        }
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(13)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(recurrent(rnn, 4, format).build());
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(d).build()).layer(recurrent(rnn, 3, format).build());
        } else {
            b.layer(recurrent(rnn, 3, format).dropOut(d).build());
        }
        MultiLayerConfiguration conf = b
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                .setInputType(InputType.recurrent(FEATURES, STEPS, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        INDArray mask = Nd4j.ones(DataType.DOUBLE, BATCH, STEPS);
        mask.putScalar(1, STEPS - 1, 0.0);
        mask.putScalar(2, STEPS - 1, 0.0);
        mask.putScalar(2, STEPS - 2, 0.0);
        GradientChecks.assertGradientsMatch(net, sequences(format, BATCH, FEATURES, STEPS),
                alternatingLabels(format, BATCH, STEPS), mask, mask);
    }

    static List<Arguments> gravesCases() {
        List<Arguments> cases = new ArrayList<>();
        for (RNNFormat format : RNNFormat.values()) {
            cases.add(Arguments.of(format, MaskDropout.bernoulli(0.6)));
            cases.add(Arguments.of(format, MaskDropout.gaussian(0.6).timeLocked(format).storage(MaskStorage.STORED)));
        }
        return cases;
    }

    /**
     * GravesLSTM with .dropOut on its input, which it hands the dropout in the network's format. With NWC it
     * back-propagates the dropout channels-first ([batch, features, steps]); Dropkit puts the mask back where forward
     * had it, which these NWC cases check. One small layer: DL4J runs GravesLSTM step by step without a native helper,
     * so its gradient checks cost far more than LSTM's.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gravesCases")
    void gravesLstmWithDropOutPassesGradientCheck(RNNFormat format, MaskDropout d) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new GravesLSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(format).dropOut(d)
                        .build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                .setInputType(InputType.recurrent(FEATURES, STEPS, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        GradientChecks.assertGradientsMatch(net, sequences(format, BATCH, FEATURES, STEPS),
                alternatingLabels(format, BATCH, STEPS), null, null);
    }

    /** Random sequences in [-0.5, 0.5), in the given format. */
    static INDArray sequences(RNNFormat format, long batch, long features, long steps) {
        long[] inShape = format == RNNFormat.NCW
                ? new long[] {batch, features, steps} : new long[] {batch, steps, features};
        return Nd4j.rand(DataType.DOUBLE, inShape).subi(0.5);
    }

    /** One-hot labels of two classes, alternating over examples and time steps, in the given format. */
    static INDArray alternatingLabels(RNNFormat format, long batch, long steps) {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, format == RNNFormat.NCW
                ? new long[] {batch, 2, steps} : new long[] {batch, steps, 2});
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < steps; t++) {
                int c = (i + t) % 2;
                labels.putScalar(format == RNNFormat.NCW ? new long[] {i, c, t} : new long[] {i, t, c}, 1.0);
            }
        }
        return labels;
    }
}

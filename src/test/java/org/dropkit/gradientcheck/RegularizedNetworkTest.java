package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Bits;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A {@code MaskDropoutLayer} in a network with l1, l2 or weight decay set on the {@code NeuralNetConfiguration.Builder}
 * (which DL4J hands to every layer): the network builds and trains, its score adds the penalties of the layers with
 * parameters only (the dropout layer has none), gradients pass DL4J's numerical check, and the configuration survives
 * JSON.
 */
@ExtendWith(DoublePrecision.class)
class RegularizedNetworkTest {

    private static final double L1 = 0.01;
    private static final double L2 = 0.02;
    private static final double DECAY = 0.03;

    enum Penalty {
        L1, L2, L1_AND_L2, WEIGHT_DECAY;

        NeuralNetConfiguration.Builder on(NeuralNetConfiguration.Builder b) {
            switch (this) {
                case L1:
                    return b.l1(RegularizedNetworkTest.L1);
                case L2:
                    return b.l2(RegularizedNetworkTest.L2);
                case L1_AND_L2:
                    return b.l1(RegularizedNetworkTest.L1).l2(RegularizedNetworkTest.L2);
                default:
                    return b.weightDecay(DECAY);
            }
        }
    }

    private static MultiLayerConfiguration conf(Penalty penalty, IUpdater updater) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(19).dataType(DataType.DOUBLE)
                .updater(updater);
        return (penalty == null ? b : penalty.on(b)).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.6)).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
    }

    private static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(8);
        return new DataSet(Nd4j.rand(DataType.DOUBLE, 8, 4).subi(0.5), FeedForwardGradientCheckTest.labels(8, 3));
    }

    /**
     * The score is the loss plus, for each layer with parameters, the penalties DL4J configured on that layer's
     * weights (Regularization.score); the dropout layer has no parameters and no penalty. (DL4J 1.0.0-M2.1 attaches
     * a builder's weightDecay(...) to each layer twice, so it counts twice, with or without Dropkit; l1 and l2 once.)
     */
    @ParameterizedTest
    @EnumSource(Penalty.class)
    void scoreAddsThePenaltiesOfTheLayersWithParametersOnly(Penalty penalty) {
        MultiLayerNetwork net = net(conf(penalty, new NoOp()));
        MultiLayerNetwork unpenalized = net(conf(null, new NoOp()));
        unpenalized.setParams(net.params().dup());
        double expected = 0;
        for (int i : new int[] {0, 2, 3}) {
            INDArray w = net.getLayer(i).getParam(DefaultParamInitializer.WEIGHT_KEY);
            List<Regularization> regs = net.getLayer(i).conf().getLayer()
                    .getRegularizationByParam(DefaultParamInitializer.WEIGHT_KEY);
            assertFalse(regs.isEmpty(), "layer " + i + " has the network's penalty");
            for (Regularization r : regs) {
                expected += r.score(w, 0, 0);
            }
        }
        List<Regularization> dropoutLayerRegs = net.getLayer(1).conf().getLayer().getRegularizationByParam("W");
        assertTrue(dropoutLayerRegs == null || dropoutLayerRegs.isEmpty(), "the dropout layer has no penalty");
        assertEquals(0.0, net.getLayer(1).calcRegularizationScore(true), 0.0, "the dropout layer adds nothing");
        DataSet data = data();
        // Inference mode: no dropout acts, so the two scores differ by the penalty alone.
        double difference = net.score(data, false) - unpenalized.score(data, false);
        assertEquals(expected, difference, 1e-12 * expected, "penalty added to the score");
        assertTrue(expected > 1e-3, "the penalty is large enough to see");
    }

    /** The same parameters with and without the dropout layer in between: the same penalty, bit for bit. */
    @ParameterizedTest
    @EnumSource(Penalty.class)
    void dropoutLayerChangesNoPenalty(Penalty penalty) {
        MultiLayerNetwork net = net(conf(penalty, new NoOp()));
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(19).dataType(DataType.DOUBLE)
                .updater(new NoOp());
        MultiLayerNetwork without = net(penalty.on(b).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build());
        without.setParams(net.params().dup());
        Bits.assertBitwiseEqual(Nd4j.scalar(without.calcRegularizationScore(true)),
                Nd4j.scalar(net.calcRegularizationScore(true)), "the network's penalty");
        DataSet data = data();
        Bits.assertBitwiseEqual(Nd4j.scalar(without.score(data, false)), Nd4j.scalar(net.score(data, false)),
                "inference score");
    }

    @ParameterizedTest
    @EnumSource(Penalty.class)
    void regularizedNetworkWithDropoutLayerTrains(Penalty penalty) {
        MultiLayerNetwork net = net(conf(penalty, new Sgd(0.2)));
        DataSet data = data();
        double before = net.score(data, false);
        for (int i = 0; i < 40; i++) {
            net.fit(data);
        }
        double after = net.score(data, false);
        assertTrue(after < before - 0.05, "score fell from " + before + " to " + after);
        assertEquals(0, net.params().isInfinite().castTo(DataType.INT64).sumNumber().longValue()
                + net.params().isNaN().castTo(DataType.INT64).sumNumber().longValue(), "finite parameters");
    }

    @ParameterizedTest
    @EnumSource(Penalty.class)
    void regularizedNetworkWithDropoutLayerPassesGradientCheck(Penalty penalty) {
        MultiLayerNetwork net = net(conf(penalty, new NoOp()));
        DataSet data = data();
        GradientChecks.assertGradientsMatch(net, data.getFeatures(), data.getLabels(), null, null);
    }

    @ParameterizedTest
    @EnumSource(Penalty.class)
    void regularizedConfigurationWithDropoutLayerSurvivesJson(Penalty penalty) {
        MultiLayerConfiguration conf = conf(penalty, new NoOp());
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored, "configuration after JSON");
        assertInstanceOf(MaskDropoutLayer.class, restored.getConf(1).getLayer());
        assertEquals(MaskDropout.bernoulli(0.6), ((MaskDropoutLayer) restored.getConf(1).getLayer()).getDropout());
        MultiLayerNetwork net = net(conf);
        MultiLayerNetwork copy = net(restored);
        copy.setParams(net.params().dup());
        DataSet data = data();
        Nd4j.getRandom().setSeed(4);
        double score = net.score(data, true);
        Nd4j.getRandom().setSeed(4);
        double copyScore = copy.score(data, true);
        Bits.assertBitwiseEqual(Nd4j.scalar(score), Nd4j.scalar(copyScore), "training score, penalty included");
    }
}

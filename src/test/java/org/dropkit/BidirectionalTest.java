package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Dropkit in and before DL4J's {@code Bidirectional} wrapper: the configuration survives JSON (both directions'
 * dropouts), and a cloned network trains as a network of its own although DL4J's clone of the wrapper is shallow.
 * (Gradient checks: {@code gradientcheck.BidirectionalGradientCheckTest}.)
 */
class BidirectionalTest {

    private static final int STEPS = 4;

    private static final MaskDropout INNER = MaskDropout.bernoulli(0.7).timeLocked(RNNFormat.NCW);
    private static final MaskDropout BEFORE = MaskDropout.gaussian(0.8).storage(MaskStorage.STORED);

    /** A MaskDropoutLayer, then a Bidirectional LSTM whose LSTM has .dropOut, then the output layer. */
    private static MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder().seed(41).dataType(DataType.FLOAT).updater(new Adam(0.05)).list()
                .layer(new MaskDropoutLayer.Builder(BEFORE).build())
                .layer(new Bidirectional(Bidirectional.Mode.CONCAT, new LSTM.Builder().nOut(4)
                        .activation(Activation.TANH).dropOut(INNER).build()))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 5, RNNFormat.NCW)).build();
    }

    private static MultiLayerNetwork network(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 5).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 2, 5);
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < 5; t++) {
                y.putScalar(new long[] {i, (i + t) % 2, t}, 1.0);
            }
        }
        return new DataSet(x, y);
    }

    private static Bidirectional wrapper(MultiLayerConfiguration conf) {
        return (Bidirectional) conf.getConf(1).getLayer();
    }

    @Test
    void bidirectionalConfigurationWithDropoutSurvivesJson() {
        MultiLayerConfiguration conf = configuration();
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored, "configuration after JSON");
        Bidirectional w = wrapper(restored);
        assertEquals(INNER, w.getFwd().getIDropout(), "forward LSTM's dropout");
        assertEquals(INNER, w.getBwd().getIDropout(), "backward LSTM's dropout");
        assertNotSame(w.getFwd().getIDropout(), w.getBwd().getIDropout(), "each direction has its own instance");
        assertEquals(BEFORE, ((MaskDropoutLayer) restored.getConf(0).getLayer()).getDropout(), "layer's dropout");

        MultiLayerNetwork net = network(conf);
        MultiLayerNetwork copy = network(restored);
        copy.setParams(net.params().dup());
        DataSet data = data();
        Nd4j.getRandom().setSeed(12);
        INDArray out = net.output(data.getFeatures(), true);
        Nd4j.getRandom().setSeed(12);
        INDArray copyOut = copy.output(data.getFeatures(), true);
        assertBitwiseEqual(out, copyOut, "training output of the restored network");
        assertTrue(out.sub(net.output(data.getFeatures(), false)).amaxNumber().doubleValue() > 1e-3,
                "dropout acts in training, so the comparison is not vacuous");
    }

    /**
     * The premise of the next test: DL4J's Bidirectional.clone() is shallow, so a cloned configuration (and a cloned
     * network) uses the very LSTM configurations, and MaskDropouts, of the original. If DL4J ever deep-copies, this
     * fails and tells us; the next test holds either way. The MaskDropoutLayer's own clone is deep.
     */
    @Test
    void dl4jCloneOfABidirectionalSharesTheWrappedLayersDropout() {
        MultiLayerNetwork net = network(configuration());
        MultiLayerNetwork clone = net.clone();
        assertSame(wrapper(net.getLayerWiseConfigurations()).getFwd().getIDropout(),
                wrapper(clone.getLayerWiseConfigurations()).getFwd().getIDropout());
        assertNotSame(net.getLayer(0).conf().getLayer().getIDropout(),
                clone.getLayer(0).conf().getLayer().getIDropout());
    }

    /**
     * The original and its clone, trained step by step in turn on one thread or at the same time on two, each end bit
     * for bit where a network of the same parameters (built from the JSON, so sharing nothing) ends trained alone with
     * the same seeds: a shared MaskDropout never pairs one network's backward pass with the other's forward pass.
     */
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void clonedBidirectionalNetworkTrainsAsANetworkOfItsOwn(int threads) throws Exception {
        MultiLayerNetwork original = network(configuration());
        MultiLayerNetwork clone = original.clone();
        MultiLayerNetwork alone = network(MultiLayerConfiguration.fromJson(configuration().toJson()));
        INDArray initial = original.params().dup();
        alone.setParams(initial.dup());
        DataSet data = data();
        for (int step = 0; step < STEPS; step++) {
            fitStep(alone, data, step);
        }
        if (threads == 1) {
            for (int step = 0; step < STEPS; step++) {
                fitStep(original, data, step);
                fitStep(clone, data, step);
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (MultiLayerNetwork net : new MultiLayerNetwork[] {original, clone}) {
                    done.add(pool.submit(() -> {
                        for (int step = 0; step < STEPS; step++) {
                            fitStep(net, data, step);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertBitwiseEqual(alone.params(), original.params(), "the original's parameters");
        assertBitwiseEqual(alone.params(), clone.params(), "the clone's parameters");
        assertTrue(alone.params().sub(initial).amaxNumber().doubleValue() > 1e-3, "training moved the parameters");
    }

    /** One fit step with the calling thread's generator seeded for that step. */
    private static void fitStep(MultiLayerNetwork net, DataSet data, int step) {
        Nd4j.getRandom().setSeed(1000 + step);
        net.fit(data);
    }
}

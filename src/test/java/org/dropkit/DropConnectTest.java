package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
import org.dropkit.testsupport.WeightNoiseNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@link MaskDropConnect} in training and inference: both storages train identically, training is reproducible,
 * inference uses W, a dropped weight gets no update from fit() (MultiLayerNetwork and ComputationGraph), a score pass
 * leaves the gradient alone, configurations and trained networks survive JSON, YAML and ModelSerializer, and bad
 * arguments and unsupported layers get clear errors.
 */
class DropConnectTest {

    private static final double P = 0.6;

    private static DataSet data(WeightNoiseNets nets) {
        return new DataSet(nets.features(DataType.FLOAT), nets.labels(DataType.FLOAT));
    }

    private static MultiLayerNetwork trained(WeightNoiseNets nets, IWeightNoise noise, int steps) {
        MultiLayerNetwork net = nets.net(noise, DataType.FLOAT, new Sgd(0.1), 7);
        DataSet ds = data(nets);
        Nd4j.getRandom().setSeed(31);
        for (int i = 0; i < steps; i++) {
            net.fit(ds);
        }
        return net;
    }

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void recomputedAndStoredMasksTrainIdentically(WeightNoiseNets nets) {
        MultiLayerNetwork recompute = trained(nets, MaskDropConnect.bernoulli(P), 3);
        MultiLayerNetwork stored = trained(nets, MaskDropConnect.bernoulli(P).storage(MaskStorage.STORED), 3);
        MultiLayerNetwork without = trained(nets, null, 3);
        assertBitwiseEqual(recompute.params(), stored.params(), "parameters after 3 steps");
        assertFalse(recompute.params().equals(without.params()), "DropConnect changed training");
    }

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void sameSeedSameTraining(WeightNoiseNets nets) {
        MultiLayerNetwork a = trained(nets, MaskDropConnect.bernoulli(P), 3);
        MultiLayerNetwork b = trained(nets, MaskDropConnect.bernoulli(P), 3);
        assertBitwiseEqual(a.params(), b.params(), "parameters after 3 steps from the same seeds");

        MultiLayerNetwork c = nets.net(MaskDropConnect.bernoulli(P), DataType.FLOAT, new Sgd(0.1), 7);
        Nd4j.getRandom().setSeed(32);
        for (int i = 0; i < 3; i++) {
            c.fit(data(nets));
        }
        assertFalse(a.params().equals(c.params()), "another generator seed draws other masks");
    }

    /** DL4J's init() seeds the generator from the network's .seed(...), and the masks follow it. */
    @Test
    void theNetworksSeedReproducesTraining() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        DataSet ds = data(nets);
        MultiLayerNetwork a = nets.net(MaskDropConnect.bernoulli(P), DataType.FLOAT, new Sgd(0.1), 7);
        INDArray initial = a.params().dup();
        a.fit(ds);
        a.fit(ds);
        MultiLayerNetwork again = nets.net(MaskDropConnect.bernoulli(P), DataType.FLOAT, new Sgd(0.1), 7);
        again.fit(ds);
        again.fit(ds);
        assertBitwiseEqual(a.params(), again.params(), "same network seed, same training");
        MultiLayerNetwork other = nets.net(MaskDropConnect.bernoulli(P), DataType.FLOAT, new Sgd(0.1), 8);
        other.setParams(initial);
        other.fit(ds);
        other.fit(ds);
        assertFalse(a.params().equals(other.params()), "another network seed, same weights: other masks");
    }

    @Test
    void javaSerializationAndCloneKeepTheConfiguration() throws Exception {
        MaskDropConnect noise = MaskDropConnect.bernoulli(new MapSchedule(ScheduleType.ITERATION,
                java.util.Map.of(0, 0.9))).storage(MaskStorage.STORED).applyToBiases(true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(noise);
        }
        Object back;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }
        assertEquals(noise, back);
        MaskDropConnect clone = noise.clone();
        assertEquals(noise, clone);
        assertTrue(clone.getPSchedule() != noise.getPSchedule(), "the clone has its own schedule");
    }

    @Test
    void computationGraphSurvivesJsonAndModelSerializer() throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.5))
                .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .weightNoise(MaskDropConnect.gaussian(0.8).storage(MaskStorage.STORED)).build(), "in")
                .addLayer("1", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).weightNoise(MaskDropConnect.bernoulli(P)).build(), "0")
                .setOutputs("1").setInputTypes(InputType.feedForward(4)).build();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet ds = data(WeightNoiseNets.DENSE);
        graph.fit(ds);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                true);
        assertBitwiseEqual(graph.outputSingle(false, ds.getFeatures()), back.outputSingle(false, ds.getFeatures()),
                "inference output after the round trip");
        Nd4j.getRandom().setSeed(41);
        graph.fit(ds);
        Nd4j.getRandom().setSeed(41);
        back.fit(ds);
        assertBitwiseEqual(graph.params(), back.params(), "one more training step, same masks");
    }

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void inferenceUsesTheWeightsThemselves(WeightNoiseNets nets) {
        MultiLayerNetwork noisy = trained(nets, MaskDropConnect.bernoulli(P).applyToBiases(true), 2);
        MultiLayerNetwork plain = nets.net(null, DataType.FLOAT);
        plain.setParams(noisy.params().dup());
        INDArray x = nets.features(DataType.FLOAT);
        Nd4j.getRandom().setSeed(5);
        INDArray inference = noisy.output(x, false);
        long drawn = Nd4j.getRandom().nextLong();
        Nd4j.getRandom().setSeed(5);
        assertEquals(Nd4j.getRandom().nextLong(), drawn, "inference draws no random number");
        assertBitwiseEqual(plain.output(x, false), inference, "output(x) uses W and b");
        assertFalse(noisy.output(x, true).equals(inference), "training output uses W * m: the check is not vacuous");
    }

    @Test
    void retainProbabilityOneChangesNothingAndDrawsNothing() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        MultiLayerNetwork one = trained(nets, MaskDropConnect.bernoulli(1.0), 2);
        MultiLayerNetwork without = trained(nets, null, 2);
        assertBitwiseEqual(without.params(), one.params(), "p = 1 trains as without DropConnect");
    }

    /** A schedule that reaches p = 1 stops DropConnect from that iteration on: the step is the plain network's. */
    @Test
    void scheduleReachingOneTrainsAsWithoutDropConnect() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        DataSet ds = data(nets);
        MultiLayerNetwork scheduled = nets.net(MaskDropConnect.bernoulli(new MapSchedule(ScheduleType.ITERATION,
                java.util.Map.of(0, 0.5, 1, 1.0))), DataType.FLOAT, new Sgd(0.1), 7);
        scheduled.fit(ds);
        MultiLayerNetwork plain = nets.net(null, DataType.FLOAT, new Sgd(0.1), 7);
        plain.fit(ds);
        assertFalse(plain.params().equals(scheduled.params()), "the first step (p = 0.5) dropped weights");
        plain.setParams(scheduled.params().dup());
        scheduled.fit(ds);
        plain.fit(ds);
        assertBitwiseEqual(plain.params(), scheduled.params(), "the step at p = 1");
    }

    /** After one fit() step with plain SGD, a weight its mask dropped is exactly what it was; kept ones moved. */
    @Test
    void droppedWeightsAreNotUpdatedByFit() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        MultiLayerNetwork net = nets.net(MaskDropConnect.bernoulli(P), DataType.FLOAT, new Sgd(0.5), 7);
        DataSet ds = data(nets);
        List<INDArray> before = new ArrayList<>();
        List<INDArray> masks = masksOf(net, nets, 77);
        for (String[] key : nets.weightsInDrawOrder()) {
            before.add(net.getLayer(Integer.parseInt(key[0])).getParam(key[1]).dup());
        }
        Nd4j.getRandom().setSeed(77);
        net.fit(ds);
        assertDroppedUnchanged(nets, before, masks, (layer, key) -> net.getLayer(layer).getParam(key));
    }

    /**
     * DL4J adds regularization in the updater, after the backward pass, so the gradient is dL/dW' * m + reg'(W): a
     * dropped weight still decays under L2, W - lr * lambda * W, and by nothing else.
     */
    @Test
    void droppedWeightsStillGetTheirRegularization() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        double lr = 0.5;
        double l2 = 0.1;
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(nets.net(MaskDropConnect.bernoulli(P),
                DataType.DOUBLE, new Sgd(lr), 7).getLayerWiseConfigurations().toJson());
        ((BaseLayer) conf.getConf(0).getLayer()).setRegularization(List.of(
                new org.nd4j.linalg.learning.regularization.L2Regularization(l2)));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray w = net.getLayer(0).getParam("W");
        INDArray before = w.dup();
        Nd4j.getRandom().setSeed(79);
        INDArray m = mask(w, MaskEngine.drawSeed()).dup('c').reshape(-1);
        Nd4j.getRandom().setSeed(79);
        net.fit(new DataSet(nets.features(DataType.DOUBLE), nets.labels(DataType.DOUBLE)));
        INDArray b = before.dup('c').reshape(-1);
        INDArray a = net.getLayer(0).getParam("W").dup('c').reshape(-1);
        int dropped = 0;
        for (long i = 0; i < m.length(); i++) {
            if (m.getDouble(i) == 0.0) {
                dropped++;
                double expected = b.getDouble(i) - lr * l2 * b.getDouble(i);
                assertEquals(expected, a.getDouble(i), 1e-15, "dropped weight " + i + ": only the L2 step");
            }
        }
        assertTrue(dropped > 0, "some weights were dropped");
    }

    @Test
    void droppedWeightsAreNotUpdatedByFitInAComputationGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.5))
                .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .weightNoise(MaskDropConnect.bernoulli(P)).build(), "in")
                .addLayer("1", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).weightNoise(MaskDropConnect.bernoulli(P)).build(), "0")
                .setOutputs("1").setInputTypes(InputType.feedForward(4)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        List<INDArray> before = new ArrayList<>();
        List<INDArray> masks = new ArrayList<>();
        Nd4j.getRandom().setSeed(78);
        for (String[] key : nets.weightsInDrawOrder()) {
            INDArray w = graph.getLayer(key[0]).getParam(key[1]);
            before.add(w.dup());
            masks.add(mask(w, MaskEngine.drawSeed()));
        }
        DataSet ds = data(nets);
        Nd4j.getRandom().setSeed(78);
        graph.fit(ds);
        assertDroppedUnchanged(nets, before, masks, (layer, key) -> graph.getLayer(String.valueOf(layer))
                .getParam(key));
    }

    private interface Params {
        INDArray get(int layer, String key);
    }

    private static List<INDArray> masksOf(MultiLayerNetwork net, WeightNoiseNets nets, long seed) {
        List<INDArray> masks = new ArrayList<>();
        Nd4j.getRandom().setSeed(seed);
        for (String[] key : nets.weightsInDrawOrder()) {
            masks.add(mask(net.getLayer(Integer.parseInt(key[0])).getParam(key[1]), MaskEngine.drawSeed()));
        }
        return masks;
    }

    private static INDArray mask(INDArray w, long seed) {
        return WeightNoiseNets.weightMask(w, MaskSpec.of(MaskKind.BERNOULLI, P, Scaling.INVERTED, new int[0]), seed);
    }

    private static void assertDroppedUnchanged(WeightNoiseNets nets, List<INDArray> before, List<INDArray> masks,
            Params after) {
        List<String[]> keys = nets.weightsInDrawOrder();
        for (int k = 0; k < keys.size(); k++) {
            INDArray m = masks.get(k).dup('c').reshape(-1);
            INDArray b = before.get(k).dup('c').reshape(-1);
            INDArray a = after.get(Integer.parseInt(keys.get(k)[0]), keys.get(k)[1]).dup('c').reshape(-1);
            int dropped = 0;
            int keptMoved = 0;
            for (long i = 0; i < m.length(); i++) {
                if (m.getDouble(i) == 0.0) {
                    dropped++;
                    assertEquals(b.getDouble(i), a.getDouble(i), 0.0, keys.get(k)[1] + " element " + i
                            + " was dropped: no update");
                } else if (a.getDouble(i) != b.getDouble(i)) {
                    keptMoved++;
                }
            }
            assertTrue(dropped > 0 && keptMoved > 0, "dropped " + dropped + ", kept and moved " + keptMoved);
        }
    }

    /** A training-mode score pass draws masks but runs no backward pass: it must not touch the gradient. */
    @Test
    void scorePassInTrainingModeLeavesTheGradientAlone() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        MultiLayerNetwork net = nets.net(MaskDropConnect.bernoulli(P), DataType.DOUBLE);
        net.setInput(nets.features(DataType.DOUBLE));
        net.setLabels(nets.labels(DataType.DOUBLE));
        net.computeGradientAndScore();
        INDArray gradient = net.getFlattenedGradients().dup();
        net.score(new DataSet(nets.features(DataType.DOUBLE), nets.labels(DataType.DOUBLE)), true);
        net.output(nets.features(DataType.DOUBLE), true);
        assertBitwiseEqual(gradient, net.getFlattenedGradients(), "gradient after score and output passes");
    }

    @Test
    void configurationSurvivesJsonAndYaml() {
        IWeightNoise[] noises = {MaskDropConnect.bernoulli(P), MaskDropConnect.ofDropRate(0.3)
                .storage(MaskStorage.STORED).applyToBiases(true), MaskDropConnect.gaussian(0.8),
                MaskDropConnect.gaussianNoise(0.05),
                MaskDropConnect.bernoulli(new MapSchedule(ScheduleType.EPOCH, java.util.Map.of(0, 0.9, 2, 0.7)))};
        for (IWeightNoise noise : noises) {
            MultiLayerConfiguration conf = WeightNoiseNets.DENSE.net(noise, DataType.FLOAT)
                    .getLayerWiseConfigurations();
            for (MultiLayerConfiguration back : new MultiLayerConfiguration[] {
                    MultiLayerConfiguration.fromJson(conf.toJson()), MultiLayerConfiguration.fromYaml(conf.toYaml())}) {
                assertEquals(noise, ((BaseLayer) back.getConf(0).getLayer()).getWeightNoise());
                assertEquals(noise, ((BaseLayer) back.getConf(1).getLayer()).getWeightNoise());
                assertEquals(conf, back);
            }
        }
        assertEquals(0.7, MaskDropConnect.ofDropRate(0.3).getP(), 0.0, "drop rate 0.3 is p = 0.7 exactly");
    }

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void trainedNetworkSurvivesModelSerializerAndTrainsOnIdentically(WeightNoiseNets nets) throws Exception {
        MultiLayerNetwork net = trained(nets, MaskDropConnect.bernoulli(P).storage(MaskStorage.STORED), 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()),
                true);
        INDArray x = nets.features(DataType.FLOAT);
        assertBitwiseEqual(net.output(x, false), back.output(x, false), "inference output after the round trip");
        DataSet ds = data(nets);
        Nd4j.getRandom().setSeed(40);
        net.fit(ds);
        Nd4j.getRandom().setSeed(40);
        back.fit(ds);
        assertBitwiseEqual(net.params(), back.params(), "one more training step, same masks");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsRetainProbabilityOutsideZeroOne(double p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskDropConnect.bernoulli(p));
        assertTrue(e.getMessage().contains("(" + p + ")") && e.getMessage().contains("(0, 1]"), e.getMessage());
        assertTrue(e.getMessage().contains("ofDropRate"), "names the fix: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MaskDropConnect.gaussian(p));
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, -0.1, Double.NaN})
    void rejectsDropRateOutsideZeroOne(double rate) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropConnect.ofDropRate(rate));
        assertTrue(e.getMessage().contains("(" + rate + ")") && e.getMessage().contains("[0, 1)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.5, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsNoiseSigmaThatIsNegativeOrNotFinite(double sigma) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropConnect.gaussianNoise(sigma));
        assertTrue(e.getMessage().contains("(" + sigma + ")"), e.getMessage());
    }

    @Test
    void scheduleOutsideZeroOneFailsAtTheFirstTrainingPass() {
        MultiLayerNetwork net = WeightNoiseNets.DENSE.net(MaskDropConnect.bernoulli(
                new MapSchedule(ScheduleType.ITERATION, java.util.Map.of(0, 1.5))), DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.fit(data(WeightNoiseNets.DENSE)));
        assertTrue(e.getMessage().contains("1.5") && e.getMessage().contains("(0, 1]"), e.getMessage());
    }

    /** Where Dropkit cannot mask the gradient it refuses at the first training pass, naming layer and fix. */
    @Test
    void layerWithoutAnExactGradientIsRefused() {
        MultiLayerNetwork net = rnn(MaskDropConnect.bernoulli(P));
        INDArray x = WeightNoiseNets.LSTM.features(DataType.FLOAT);
        INDArray y = WeightNoiseNets.LSTM.labels(DataType.FLOAT);
        assertBitwiseEqual(rnn(null).output(x, false), net.output(x, false), "inference is W: no error there");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(new DataSet(x, y)));
        assertTrue(e.getMessage().contains("SimpleRnn") && e.getMessage().contains("'rnn'")
                && e.getMessage().contains("LSTM"), e.getMessage());
    }

    /** Additive noise needs no mask on the gradient (dL/dW = dL/dW'), so any layer takes it. */
    @Test
    void additiveNoiseRunsOnAnyLayer() {
        MultiLayerNetwork net = rnn(MaskDropConnect.gaussianNoise(0.1));
        INDArray x = WeightNoiseNets.LSTM.features(DataType.FLOAT);
        net.fit(new DataSet(x, WeightNoiseNets.LSTM.labels(DataType.FLOAT)));
        Nd4j.getRandom().setSeed(3);
        assertFalse(net.output(x, true).equals(net.output(x, false)), "noise acts in training");
    }

    private static MultiLayerNetwork rnn(IWeightNoise noise) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Sgd(0.1)).list()
                .layer(new SimpleRnn.Builder().name("rnn").nOut(4).activation(Activation.TANH).weightNoise(noise)
                        .build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * DL4J's oneDNN/cuDNN convolution helper returns from the backward pass before the point where the gradient is
     * masked, so DropConnect turns it off on its layer. (This CPU build has no helper; one is planted to see it go.)
     */
    @Test
    void convolutionRunsWithoutTheHelperThatWouldSkipTheMask() throws Exception {
        MultiLayerNetwork net = WeightNoiseNets.CONV.net(MaskDropConnect.bernoulli(P), DataType.FLOAT);
        java.lang.reflect.Field helper = org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class
                .getDeclaredField("helper");
        helper.setAccessible(true);
        Object planted = java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {org.deeplearning4j.nn.layers.convolution.ConvolutionHelper.class}, (proxy, method,
                        args) -> {
                    throw new AssertionError("the helper ran: " + method.getName());
                });
        helper.set(net.getLayer(0), planted);
        net.fit(data(WeightNoiseNets.CONV));
        assertNull(net.getLayer(0).getHelper(), "no helper on the DropConnect convolution layer");
    }
}

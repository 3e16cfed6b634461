package org.dropkit.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Monte Carlo dropout: what is sampled, the statistics it returns, the flags it restores, the errors it gives. */
class MonteCarloDropoutTest {

    private static final int IN = 6;
    private static final int OUT = 3;

    private static MaskDropoutLayer dropout(String name, double p, boolean monteCarlo) {
        return new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p)).monteCarlo(monteCarlo).name(name).build();
    }

    /** dense(tanh) -> "a" -> dense(tanh) -> "b" -> linear output: two MaskDropoutLayers. */
    private static MultiLayerNetwork twoDropoutLayers(DataType type, MaskDropoutLayer a, MaskDropoutLayer b) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(type).list()
                .layer(new DenseLayer.Builder().nOut(24).activation(Activation.TANH).name("dense").build())
                .layer(a)
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).name("dense2").build())
                .layer(b)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(OUT)
                        .activation(Activation.IDENTITY).name("out").build())
                .setInputType(InputType.feedForward(IN)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** dense(tanh) -> "drop" -> linear output: the output is linear in the mask. */
    private static MultiLayerNetwork linearHead(DataType type, double p, int hidden) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(type).list()
                .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.TANH).name("dense").build())
                .layer(dropout("drop", p, false))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(OUT)
                        .activation(Activation.IDENTITY).name("out").build())
                .setInputType(InputType.feedForward(IN)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray features(DataType type, long batch) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.rand(type, batch, IN).subi(0.5).muli(4.0);
    }

    private static void assertMessageHas(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    private static boolean monteCarlo(MultiLayerNetwork net, String layer) {
        return ((MaskDropoutLayer) net.getLayer(layer).conf().getLayer()).isMonteCarlo();
    }

    @Test
    void meanAndStdHaveTheShapeAndDataTypeOfTheOutput() {
        MultiLayerNetwork net = linearHead(DataType.FLOAT, 0.5, 16);
        INDArray x = features(DataType.FLOAT, 8);
        MonteCarloPrediction pred = MonteCarloDropout.of(net).samples(10).predict(x);
        assertArrayEquals(new long[] {8, OUT}, pred.mean().shape());
        assertArrayEquals(new long[] {8, OUT}, pred.std().shape());
        assertEquals(DataType.FLOAT, pred.mean().dataType());
        assertEquals(DataType.FLOAT, pred.std().dataType());
        assertArrayEquals(new long[] {8}, pred.spreadPerExample().shape());
        assertEquals(8, pred.examples());
        assertEquals(10, pred.samples());
        assertEquals(pred.std().meanNumber().doubleValue(), pred.meanSpread(), 1e-6);
    }

    @Test
    void resultIsACopyTheCallerCannotChange() {
        MonteCarloPrediction pred = MonteCarloDropout.of(linearHead(DataType.FLOAT, 0.5, 16)).samples(4)
                .predict(features(DataType.FLOAT, 5));
        INDArray before = pred.mean();
        pred.mean().assign(42.0);
        pred.std().assign(42.0);
        assertEquals(before, pred.mean());
        assertNotEquals(42.0, pred.std().getDouble(0));
    }

    @Test
    void stdIsExactlyZeroAndMeanIsTheOutputWhenPIsOne() {
        MultiLayerNetwork net = linearHead(DataType.FLOAT, 1.0, 16);
        INDArray x = features(DataType.FLOAT, 8);
        MonteCarloPrediction pred = MonteCarloDropout.of(net).samples(7).predict(x);
        assertEquals(0.0, Transforms.abs(pred.std()).maxNumber().doubleValue(), "every element exactly 0");
        assertEquals(net.output(x, false), pred.mean(), "mean of identical passes is the output, bit for bit");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.3, 0.5, 0.9})
    void stdIsPositiveForEveryOutputWhenPIsBelowOne(double p) {
        MultiLayerNetwork net = linearHead(DataType.FLOAT, p, 32);
        MonteCarloPrediction pred = MonteCarloDropout.of(net).samples(20).predict(features(DataType.FLOAT, 8));
        // Each output sums 32 masked units: 20 identical passes would need 19 x 32 repeated mask draws.
        assertTrue(pred.std().minNumber().doubleValue() > 0.0, "std > 0 everywhere: " + pred.std());
    }

    /**
     * With dropout right before a linear output layer, y_j = sum_i a_i m_i W_ij + b_j is linear in the mask, so
     * E[y] is exactly the deterministic output and Var[y_j] = (1 - p) / p * sum_i a_i^2 W_ij^2. The mean of T
     * passes is then within 5 standard errors sqrt(Var / T) of the output (a failure chance of about 6e-7 per
     * element, by the central limit theorem), and the sample standard deviation within 15 % of sqrt(Var): its
     * relative standard error is about 1 / sqrt(2 T) = 1.6 % at T = 2000, so 15 % is over 9 standard errors.
     */
    @Test
    void meanOfManyPassesIsTheDeterministicOutputOfALinearHeadWithinFiveStandardErrors() {
        double p = 0.7;
        int t = 2000;
        MultiLayerNetwork net = linearHead(DataType.DOUBLE, p, 32);
        INDArray x = features(DataType.DOUBLE, 8);
        INDArray deterministic = net.output(x, false);
        INDArray a = Transforms.tanh(x.mmul(net.getParam("0_W")).addRowVector(net.getParam("0_b")));
        INDArray w = net.getParam("2_W");
        INDArray variance = a.mul(a).mmul(w.mul(w)).muli((1 - p) / p);
        INDArray analyticStd = Transforms.sqrt(variance);

        Nd4j.getRandom().setSeed(2016);
        MonteCarloPrediction pred = MonteCarloDropout.of(net).samples(t).predict(x);

        INDArray error = Transforms.abs(pred.mean().sub(deterministic));
        INDArray bound = analyticStd.mul(5.0 / Math.sqrt(t));
        assertTrue(bound.sub(error).minNumber().doubleValue() >= 0.0,
                "|mean - output| <= 5 sqrt(Var / T): error " + error + ", bound " + bound);
        INDArray relative = Transforms.abs(pred.std().div(analyticStd).subi(1.0));
        assertTrue(relative.maxNumber().doubleValue() < 0.15, "std within 15 % of the analytic value: " + relative);
    }

    @Test
    void sameNd4jSeedGivesTheSamePredictionBitForBit() {
        MultiLayerNetwork net = linearHead(DataType.FLOAT, 0.5, 16);
        INDArray x = features(DataType.FLOAT, 8);
        Nd4j.getRandom().setSeed(99);
        MonteCarloPrediction first = MonteCarloDropout.of(net).samples(5).predict(x);
        Nd4j.getRandom().setSeed(99);
        MonteCarloPrediction second = MonteCarloDropout.of(net).samples(5).predict(x);
        assertEquals(first.mean(), second.mean());
        assertEquals(first.std(), second.std());
    }

    @Test
    void onlyTheChosenLayersAreStochastic() {
        // "a" is configured for Monte Carlo and drops half its units; "b" keeps everything (p = 1).
        MultiLayerNetwork net = twoDropoutLayers(DataType.FLOAT, dropout("a", 0.5, true), dropout("b", 1.0, false));
        INDArray x = features(DataType.FLOAT, 8);
        MonteCarloPrediction onlyB = MonteCarloDropout.of(net).layers("b").samples(6).predict(x);
        assertEquals(0.0, onlyB.std().maxNumber().doubleValue(), "\"a\" is switched off while only \"b\" is chosen");
        MonteCarloPrediction onlyA = MonteCarloDropout.of(net).layers(1).samples(6).predict(x);
        assertTrue(onlyA.std().minNumber().doubleValue() > 0.0, "\"a\" (index 1) samples when chosen");
    }

    @Test
    void defaultChoosesEveryMaskDropoutLayerInNetworkOrder() {
        MultiLayerNetwork net = twoDropoutLayers(DataType.FLOAT, dropout("a", 0.5, false), dropout("b", 0.8, false));
        assertEquals(List.of("a", "b"), MonteCarloDropout.of(net).layerNames());
        assertEquals(List.of("a", "b"), MonteCarloDropout.of(net).layers("b", "a", "b").layerNames());
        assertEquals(List.of("b"), MonteCarloDropout.of(net).layers(3).layerNames());
    }

    @Test
    void flagsAreRestoredAfterSuccess() {
        MultiLayerNetwork net = twoDropoutLayers(DataType.FLOAT, dropout("a", 0.5, true), dropout("b", 0.5, false));
        MonteCarloDropout.of(net).layers("b").samples(3).predict(features(DataType.FLOAT, 4));
        assertTrue(monteCarlo(net, "a"), "\"a\" was on before, and is again");
        assertFalse(monteCarlo(net, "b"), "\"b\" was off before, and is again");
        INDArray x = features(DataType.FLOAT, 4);
        MultiLayerNetwork plain = twoDropoutLayers(DataType.FLOAT, dropout("a", 0.5, false),
                dropout("b", 0.5, false));
        MonteCarloDropout.of(plain).samples(3).predict(x);
        assertEquals(plain.output(x, false), plain.output(x, false), "inference is deterministic again");
    }

    @Test
    void flagsAreRestoredAfterAPassThrows() {
        MultiLayerNetwork net = twoDropoutLayers(DataType.FLOAT, dropout("a", 0.5, true), dropout("b", 0.5, false));
        INDArray wrongWidth = Nd4j.rand(DataType.FLOAT, 4, IN + 1);
        assertThrows(RuntimeException.class,
                () -> MonteCarloDropout.of(net).layers("b").samples(3).predict(wrongWidth));
        assertTrue(monteCarlo(net, "a"));
        assertFalse(monteCarlo(net, "b"));
    }

    @Test
    void worksOnAComputationGraphWithSeveralOutputs() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(20).activation(Activation.RELU).build(), "in")
                .addLayer("drop", dropout("drop", 0.5, false), "dense")
                .addLayer("out1", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "drop")
                .addLayer("out2", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "drop")
                .setOutputs("out1", "out2")
                .setInputTypes(InputType.feedForward(IN)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray x = features(DataType.FLOAT, 7);
        List<MonteCarloPrediction> preds = MonteCarloDropout.of(graph).layers("drop").samples(8).predictAll(x);
        assertEquals(2, preds.size());
        assertArrayEquals(new long[] {7, 2}, preds.get(0).std().shape());
        assertArrayEquals(new long[] {7, 5}, preds.get(1).std().shape());
        assertTrue(preds.get(1).std().minNumber().doubleValue() > 0.0);
        assertEquals(7.0, preds.get(1).mean().sumNumber().doubleValue(), 1e-4, "softmax means sum to 1 per row");
        assertFalse(((MaskDropoutLayer) graph.getLayer("drop").conf().getLayer()).isMonteCarlo(), "restored");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MonteCarloDropout.of(graph).predict(x));
        assertMessageHas(e, "2 outputs", "predictAll");
        e = assertThrows(IllegalArgumentException.class, () -> MonteCarloDropout.of(graph).predictAll(x, x));
        assertMessageHas(e, "takes 1 input", "got 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 0, -5})
    void rejectsFewerThanTwoSamples(int t) {
        MonteCarloDropout mc = MonteCarloDropout.of(linearHead(DataType.FLOAT, 0.5, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mc.samples(t));
        assertMessageHas(e, "samples T (" + t + ")", "at least 2", "samples(30)");
    }

    @Test
    void rejectsALayerThatIsNotAMaskDropoutLayerAndSaysWhatToDo() {
        MultiLayerNetwork net = linearHead(DataType.FLOAT, 0.5, 8);
        IllegalArgumentException byName = assertThrows(IllegalArgumentException.class,
                () -> MonteCarloDropout.of(net).layers("dense"));
        assertMessageHas(byName, "layer \"dense\" (index 0)", "DenseLayer", "not a MaskDropoutLayer",
                "new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p))", "\"drop\" (index 1)");
        IllegalArgumentException byIndex = assertThrows(IllegalArgumentException.class,
                () -> MonteCarloDropout.of(net).layers(2));
        assertMessageHas(byIndex, "layer \"out\" (index 2)", "OutputLayer", "not a MaskDropoutLayer");
    }

    @Test
    void rejectsUnknownNamesAndIndicesOutOfRange() {
        MultiLayerNetwork net = linearHead(DataType.FLOAT, 0.5, 8);
        assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> MonteCarloDropout.of(net).layers("nope")), "no layer named \"nope\"", "[dense, drop, out]");
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> MonteCarloDropout.of(net).layers(3)),
                "layer index (3)", "[0, 2]");
        assertMessageHas(assertThrows(IllegalArgumentException.class, () -> MonteCarloDropout.of(net).layers(-1)),
                "layer index (-1)", "[0, 2]");
        assertMessageHas(assertThrows(IllegalArgumentException.class,
                () -> MonteCarloDropout.of(net).layers(new String[0])), "no layer name");
    }

    @Test
    void rejectsANetworkWithoutMaskDropoutLayers() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dropOut(0.5).list()
                .layer(new DenseLayer.Builder().nOut(8).build())
                .layer(new OutputLayer.Builder().nOut(OUT).build())
                .setInputType(InputType.feedForward(IN)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MonteCarloDropout.of(net).predict(features(DataType.FLOAT, 2)));
        assertMessageHas(e, "no MaskDropoutLayer", "new MaskDropoutLayer.Builder",
                ".dropOut(...) acts only in training");
    }

    @Test
    void rejectsAnUninitializedNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(dropout("drop", 0.5, false))
                .layer(new OutputLayer.Builder().nOut(OUT).build())
                .setInputType(InputType.feedForward(IN)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MonteCarloDropout.of(new MultiLayerNetwork(conf)).predict(features(DataType.FLOAT, 2)));
        assertMessageHas(e, "init()");
    }
}

package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropConnect;
import org.dropkit.testsupport.WeightNoiseNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * DropoutSwap turns DL4J's DropConnect (and WeightNoise where the meaning carries) into Dropkit's MaskDropConnect, in
 * configurations and trained networks, with inference outputs bit for bit the original's; the report says where the
 * meaning differs (DL4J's unscaled kept weights, its gradient dL/dW', biases dropped at inference) and leaves what it
 * cannot make exact.
 */
class WeightNoiseSwapTest {

    private static IWeightNoise noiseOf(MultiLayerConfiguration conf, int layer) {
        return ((BaseLayer) conf.getConf(layer).getLayer()).getWeightNoise();
    }

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void dropConnectBecomesDropkitsAndTheReportSaysWhatDiffers(WeightNoiseNets nets) {
        MultiLayerConfiguration conf = nets.net(new DropConnect(0.7), DataType.FLOAT).getLayerWiseConfigurations();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(2, swapped.replaced().size(), swapped::toString);
        assertEquals(0, swapped.left().size(), swapped::toString);
        for (int i = 0; i < 2; i++) {
            assertEquals(MaskDropConnect.bernoulli(0.7), noiseOf(swapped.get(), i));
            SwapResult.Entry e = swapped.find("layer" + i, SwapResult.Site.WEIGHT_NOISE);
            assertEquals(MaskDropConnect.bernoulli(0.7), e.weightNoiseReplacement());
            assertNull(e.replacement(), "no dropout replacement for weight noise");
            assertTrue(e.note().contains("unscaled") && e.note().contains("1/p"), e.note());
            assertTrue(e.note().contains("dL/dW'"), e.note());
        }
        assertInstanceOf(DropConnect.class, noiseOf(conf, 0), "the original is unchanged");
        assertTrue(swapped.toString().contains("-> MaskDropConnect(BERNOULLI, p=0.7"), swapped::toString);
    }

    @Test
    void scheduleAndBiasesCarryOverAndBiasesAtInferenceAreReported() {
        ISchedule schedule = new StepSchedule(ScheduleType.ITERATION, 0.9, 0.8, 3);
        MultiLayerConfiguration conf = list(new DropConnect(schedule, true), new DropConnect(1.0))
                .setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        MaskDropConnect first = (MaskDropConnect) noiseOf(swapped.get(), 0);
        assertEquals(MaskDropConnect.bernoulli(schedule).applyToBiases(true), first);
        assertNotSame(((DropConnect) noiseOf(conf, 0)).getWeightRetainProbSchedule(), first.getPSchedule(),
                "the schedule is copied");
        SwapResult.Entry e = swapped.find("a", SwapResult.Site.WEIGHT_NOISE);
        assertTrue(e.note().contains("biases at inference") && e.note().contains("schedule for p kept"), e.note());
        assertNull(noiseOf(swapped.get(), 1), "DropConnect(1.0) dropped nothing: removed");
        assertEquals(1, swapped.removed().size(), swapped::toString);
    }

    @Test
    void normalWeightNoiseBecomesDropkitsAndOtherDistributionsAreLeft() {
        MultiLayerConfiguration conf = list(new WeightNoise(new NormalDistribution(0, 0.1)),
                new WeightNoise(new NormalDistribution(1, 0.5), false),
                new WeightNoise(new UniformDistribution(-0.1, 0.1)), new WeightNoise(new NormalDistribution(0.5, 0.1),
                        false)).setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(MaskDropConnect.gaussianNoise(0.1), noiseOf(swapped.get(), 0));
        assertEquals(MaskDropConnect.gaussian(0.8), noiseOf(swapped.get(), 1), "sigma^2 = 0.25 = (1 - p) / p");
        assertInstanceOf(WeightNoise.class, noiseOf(swapped.get(), 2));
        assertInstanceOf(WeightNoise.class, noiseOf(swapped.get(), 3));
        assertTrue(swapped.find("c", SwapResult.Site.WEIGHT_NOISE).note().contains("normal"), swapped::toString);
        assertTrue(swapped.find("d", SwapResult.Site.WEIGHT_NOISE).note().contains("mean 1"), swapped::toString);
        assertTrue(swapped.find("b", SwapResult.Site.WEIGHT_NOISE).note().contains("dL/dW'"), swapped::toString);
    }

    /** A layer where the gradient cannot be exact keeps DL4J's DropConnect; additive noise is exact everywhere. */
    @Test
    void dropConnectOnALayerWithoutAnExactGradientIsLeft() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new SimpleRnn.Builder().name("rnn").nOut(3).weightNoise(new DropConnect(0.8)).build())
                .layer(new SimpleRnn.Builder().name("noisy").nOut(3)
                        .weightNoise(new WeightNoise(new NormalDistribution(0, 0.1))).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 4)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertInstanceOf(DropConnect.class, noiseOf(swapped.get(), 0));
        String note = swapped.find("rnn", SwapResult.Site.WEIGHT_NOISE).note();
        assertTrue(note.contains("SimpleRnn") && note.contains("LSTM"), note);
        assertEquals(MaskDropConnect.gaussianNoise(0.1), noiseOf(swapped.get(), 1));
    }

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void trainedNetworkSwapsWithInferenceBitForBitAndTrainsOn(WeightNoiseNets nets) {
        MultiLayerNetwork net = nets.net(new DropConnect(0.7), DataType.FLOAT, new Sgd(0.1), 3);
        DataSet ds = new DataSet(nets.features(DataType.FLOAT), nets.labels(DataType.FLOAT));
        net.fit(ds);
        net.fit(ds);

        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(net);

        MultiLayerNetwork after = swapped.get();
        INDArray x = nets.features(DataType.FLOAT);
        assertBitwiseEqual(net.output(x, false), after.output(x, false), "inference output");
        assertEquals(MaskDropConnect.bernoulli(0.7), noiseOf(after.getLayerWiseConfigurations(), 0));
        INDArray before = after.params().dup();
        after.fit(ds);
        assertFalse(before.equals(after.params()), "the swapped network trains");
        assertBitwiseEqual(net.output(x, false), DropoutSwap.swap(net).get().output(x, false), "the original is"
                + " unchanged by the swap");
    }

    @Test
    void computationGraphDropConnectIsSwappedWithInferenceBitForBit() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).updater(new Sgd(0.1))
                .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .weightNoise(new DropConnect(0.6)).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).weightNoise(new DropConnect(0.8)).build(), "h")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet ds = new DataSet(WeightNoiseNets.DENSE.features(DataType.FLOAT),
                WeightNoiseNets.DENSE.labels(DataType.FLOAT));
        graph.fit(ds);

        SwapResult<ComputationGraph> swapped = DropoutSwap.swap(graph);

        assertEquals(2, swapped.replaced().size(), swapped::toString);
        INDArray x = ds.getFeatures();
        assertBitwiseEqual(graph.outputSingle(false, x), swapped.get().outputSingle(false, x), "inference output");
        swapped.get().fit(ds);
    }

    /** The way back leaves Dropkit's DropConnect and says how to deploy without it: DL4J's would train otherwise. */
    @Test
    void exportLeavesDropkitsDropConnectAndSaysHowToDeploy() {
        MultiLayerConfiguration conf = list(MaskDropConnect.bernoulli(0.8)).setInputType(InputType.feedForward(3))
                .build();

        ExportResult<MultiLayerConfiguration> exported = DropoutExport.export(conf);

        assertFalse(exported.isDropkitFree(), exported::toString);
        assertEquals(MaskDropConnect.bernoulli(0.8), noiseOf(exported.get(), 0), "not changed");
        String note = exported.find("a", ExportResult.Site.OTHER).note();
        assertTrue(note.contains("setWeightNoise(null)") && note.contains("dL/dW'"), note);
        assertEquals(1, exported.left().size(), exported::toString);
    }

    private static NeuralNetConfiguration.ListBuilder list(IWeightNoise... noises) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(1).list();
        for (int i = 0; i < noises.length; i++) {
            b.layer(new DenseLayer.Builder().name(String.valueOf((char) ('a' + i))).nOut(4)
                    .activation(Activation.TANH).weightNoise(noises[i]).build());
        }
        return b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2)
                .activation(Activation.SOFTMAX).build());
    }

}

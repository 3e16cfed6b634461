package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * DropoutSwap turns DL4J's AlphaDropout and GaussianNoise into Dropkit's, in configurations and trained networks,
 * with inference outputs bit for bit the original's, and leaves what has no Dropkit meaning with the reason.
 */
class FamilySwapTest {

    private static ISchedule schedule() {
        return new StepSchedule(ScheduleType.ITERATION, 0.9, 0.8, 3);
    }

    private static MultiLayerConfiguration seluNetwork(IDropout onHidden, IDropout inLayer, IDropout onOutput) {
        return new NeuralNetConfiguration.Builder().seed(31).updater(new Adam(1e-2)).weightInit(WeightInit.NORMAL)
                .list()
                .layer(new DenseLayer.Builder().name("dense0").nOut(12).activation(Activation.SELU).build())
                .layer(new DenseLayer.Builder().name("dense1").nOut(12).activation(Activation.SELU).dropOut(onHidden)
                        .build())
                .layer(new DropoutLayer.Builder().name("drop").dropOut(inLayer).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(onOutput).build())
                .setInputType(InputType.feedForward(5)).build();
    }

    private static IDropout dropoutOf(MultiLayerConfiguration conf, int layer) {
        return conf.getConf(layer).getLayer().getIDropout();
    }

    @Test
    void alphaDropoutAndGaussianNoiseBecomeDropkitsWithTheSameParameters() {
        MultiLayerConfiguration conf = seluNetwork(new AlphaDropout(0.9), new AlphaDropout(schedule()),
                new GaussianNoise(0.2));

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(3, swapped.replaced().size(), swapped::toString);
        assertEquals(0, swapped.left().size(), swapped::toString);
        assertEquals(MaskDropout.alpha(0.9), dropoutOf(swapped.get(), 1));
        MaskDropoutLayer layer = assertInstanceOf(MaskDropoutLayer.class, swapped.get().getConf(2).getLayer());
        assertEquals("drop", layer.getLayerName());
        assertEquals(MaskDropout.alpha(schedule()), layer.getDropout(), "the schedule for p is kept");
        assertNotSame(((AlphaDropout) dropoutOf(conf, 2)).getPSchedule(), layer.getDropout().getPSchedule(),
                "as a copy");
        assertEquals(MaskDropout.gaussianNoise(0.2), dropoutOf(swapped.get(), 3));
        assertTrue(swapped.find("dense1", SwapResult.Site.DROPOUT).note().contains("a (x m + alpha' (1 - m)) + b"),
                swapped::toString);
        assertTrue(swapped.find("drop", SwapResult.Site.DROPOUT_LAYER).note().contains("schedule for p kept"),
                swapped::toString);
        assertTrue(swapped.find("out", SwapResult.Site.DROPOUT).note().contains("sigma = stddev, dx = dy"),
                swapped::toString);
        assertSame(AlphaDropout.class, dropoutOf(conf, 1).getClass(), "the original is unchanged");
    }

    @Test
    void scheduleForTheNoiseIsKeptAndANegativeStddevBecomesItsMagnitude() {
        MultiLayerConfiguration conf = seluNetwork(new GaussianNoise(schedule()), new GaussianNoise(-0.3),
                null);

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(MaskDropout.gaussianNoise(schedule()), dropoutOf(swapped.get(), 1));
        MaskDropoutLayer layer = assertInstanceOf(MaskDropoutLayer.class, swapped.get().getConf(2).getLayer());
        assertEquals(MaskDropout.gaussianNoise(0.3), layer.getDropout());
        String note = swapped.find("drop", SwapResult.Site.DROPOUT_LAYER).note();
        assertTrue(note.contains("stddev = -0.3 is negative") && note.contains("N(0, 0.09)"), note);
    }

    /** DL4J writes AlphaDropout's schedule as "pschedule" and reads "pSchedule": after JSON there is none, p is NaN. */
    @Test
    void alphaDropoutWhoseScheduleDl4jLostInJsonIsLeftWithTheReason() {
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(
                seluNetwork(new AlphaDropout(schedule()), null, null).toJson());
        AlphaDropout lost = (AlphaDropout) dropoutOf(restored, 1);
        assertNull(lost.getPSchedule(), "DL4J lost the schedule");
        assertTrue(Double.isNaN(lost.getP()), "and p is NaN");

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(restored);

        assertEquals(0, swapped.replaced().size(), swapped::toString);
        SwapResult.Entry entry = swapped.find("dense1", SwapResult.Site.DROPOUT);
        assertNull(entry.replacement(), swapped::toString);
        String note = entry.note();
        assertTrue(note.contains("\"pschedule\"") && note.contains("MaskDropout.alpha(schedule)"), note);
        assertInstanceOf(AlphaDropout.class, dropoutOf(swapped.get(), 1), "left as it was");
        assertEquals(lost, dropoutOf(swapped.get(), 1), "left as it was");
    }

    @Test
    void equivalentOfOneDropoutAndTheLayersErrorNameTheFamilyMember() {
        assertEquals(MaskDropout.alpha(0.9), DropoutSwap.equivalent(new AlphaDropout(0.9)).orElseThrow());
        assertEquals(MaskDropout.gaussianNoise(0.1), DropoutSwap.equivalent(new GaussianNoise(0.1)).orElseThrow());
        assertTrue(DropoutSwap.equivalent(new GaussianNoise(Double.NaN)).isEmpty(), "a NaN stddev has none");
        MaskDropoutLayer.Builder b = new MaskDropoutLayer.Builder(0.9);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> b.dropOut(new AlphaDropout(0.9)));
        assertTrue(e.getMessage().contains("MaskDropout.alpha(0.9)"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> b.dropOut(new GaussianNoise(0.1)));
        assertTrue(e.getMessage().contains("MaskDropout.gaussianNoise(0.1)"), e.getMessage());
    }

    @Test
    void swappedTrainedNetworksGiveTheOriginalsInferenceOutputsBitForBit() {
        MultiLayerNetwork net = new MultiLayerNetwork(seluNetwork(new AlphaDropout(0.85),
                new GaussianNoise(0.3), new AlphaDropout(0.95)));
        net.init();
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        for (int i = 0; i < 3; i++) {
            net.fit(x, y);
        }

        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(net);

        assertEquals(3, swapped.replaced().size(), swapped::toString);
        assertBitwiseEqual(net.output(x), swapped.get().output(x), "inference output");
        assertBitwiseEqual(net.params(), swapped.get().params(), "parameters");
        assertFalse(swapped.get().output(x, true).equals(swapped.get().output(x)), "Dropkit's dropout acts in"
                + " training");
        swapped.get().fit(x, y);
        assertTrue(Double.isFinite(swapped.get().score()), "and the swapped network trains on");
    }

    @Test
    void swappedComputationGraphGivesTheOriginalsInferenceOutputBitForBit() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(32).updater(new Adam(1e-2))
                .weightInit(WeightInit.NORMAL).graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nOut(8).activation(Activation.SELU)
                        .dropOut(new AlphaDropout(0.9)).build(), "in")
                .addLayer("noise", new DropoutLayer.Builder().dropOut(new GaussianNoise(0.5)).build(), "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "noise")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(4))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray x = Nd4j.randn(DataType.FLOAT, 10, 4);
        net.fit(new INDArray[] {x}, new INDArray[] {Nd4j.rand(DataType.FLOAT, 10, 2)});

        SwapResult<ComputationGraph> swapped = DropoutSwap.swap(net);

        assertEquals(2, swapped.replaced().size(), swapped::toString);
        assertEquals(MaskKind.GAUSSIAN_NOISE, ((MaskDropoutLayer) swapped.get().getLayer("noise").conf().getLayer())
                .getDropout().getKind());
        assertBitwiseEqual(net.outputSingle(x), swapped.get().outputSingle(x), "inference output");
    }
}

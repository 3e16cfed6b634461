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
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Fine-tuning networks with Dropkit through DL4J's TransferLearning and FineTuneConfiguration: frozen layers,
 * replaced output layers, and changing Dropkit's settings while fine-tuning.
 *
 * <p>What DL4J does, read from its sources and pinned down here: {@code FineTuneConfiguration.dropout(...)} sets the
 * input dropout of every parameterized layer (BaseLayer) and leaves parameterless layers alone, so it never reaches a
 * {@link MaskDropoutLayer}, whose dropout is the layer's function rather than a training default.
 */
class TransferLearningTest {

    private static final INDArray X;
    private static final DataSet THREE_CLASSES;
    private static final DataSet TWO_CLASSES;

    static {
        Nd4j.getRandom().setSeed(31);
        X = Nd4j.rand(DataType.FLOAT, 12, 5).subi(0.5);
        THREE_CLASSES = new DataSet(X, DropoutSwapNetworkTest.labels(12, 3));
        TWO_CLASSES = new DataSet(X, DropoutSwapNetworkTest.labels(12, 2));
    }

    /** dense0 -> drop (MaskDropoutLayer 0.7) -> dense2 (.dropOut Gaussian 0.8) -> out (.dropOut Bernoulli 0.9) */
    static MultiLayerNetwork trained() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().name("dense0").nOut(8).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)).name("drop").build())
                .layer(new DenseLayer.Builder().name("dense2").nOut(8).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(0.8)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.bernoulli(0.9)).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(THREE_CLASSES);
        }
        return net;
    }

    static ComputationGraph trainedGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense0", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("drop", new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)).build(), "dense0")
                .addLayer("dense2", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(0.8)).build(), "drop")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense2")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(THREE_CLASSES);
        }
        return net;
    }

    private static Layer layer(MultiLayerNetwork net, int i) {
        return net.getLayerWiseConfigurations().getConf(i).getLayer();
    }

    private static void assertDropoutActsInTraining(MultiLayerNetwork net) {
        Nd4j.getRandom().setSeed(3);
        assertFalse(net.output(X, true).equalsWithEps(net.output(X, false), 1e-6), "dropout acts in training");
    }

    @Test
    void frozenFeatureExtractorAndReplacedOutputLayerKeepDropkitDropout() {
        MultiLayerNetwork base = trained();
        INDArray frozenBefore = base.getLayer(0).params().dup();

        MultiLayerNetwork tuned = new TransferLearning.Builder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .setFeatureExtractor(1)
                .nOutReplace(3, 2, WeightInit.XAVIER)
                .build();
        INDArray trainableBefore = tuned.getLayer(2).params().dup();
        for (int i = 0; i < 5; i++) {
            tuned.fit(TWO_CLASSES);
        }

        assertEquals(MaskDropout.bernoulli(0.7), ((MaskDropoutLayer) tuned.getLayer(1).conf().getLayer())
                .getDropout());
        assertEquals(MaskDropout.gaussian(0.8), layer(tuned, 2).getIDropout());
        assertEquals(MaskDropout.bernoulli(0.9), layer(tuned, 3).getIDropout());
        assertBitwiseEqual(frozenBefore, tuned.getLayer(0).params(), "frozen layer's parameters");
        assertFalse(trainableBefore.equalsWithEps(tuned.getLayer(2).params(), 1e-7), "dense2 was trained");
        assertTrue(Double.isFinite(tuned.score()), "finite score");
        assertDropoutActsInTraining(tuned);
    }

    @Test
    void graphFineTuningWithAFrozenLayerAndANewOutputLayer() {
        ComputationGraph base = trainedGraph();
        INDArray frozenBefore = base.getLayer("dense0").params().dup();

        ComputationGraph tuned = new TransferLearning.GraphBuilder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .setFeatureExtractor("dense0")
                .removeVertexAndConnections("out")
                .addLayer("newOut", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.bernoulli(0.8)).build(), "dense2")
                .setOutputs("newOut")
                .build();
        for (int i = 0; i < 5; i++) {
            tuned.fit(TWO_CLASSES);
        }

        assertEquals(MaskDropout.bernoulli(0.7), ((MaskDropoutLayer) tuned.getLayer("drop").conf().getLayer())
                .getDropout());
        assertEquals(MaskDropout.bernoulli(0.8), tuned.getLayer("newOut").conf().getLayer().getIDropout());
        assertBitwiseEqual(frozenBefore, tuned.getLayer("dense0").params(), "frozen layer's parameters");
        assertTrue(Double.isFinite(tuned.score()), "finite score");
        Nd4j.getRandom().setSeed(3);
        assertFalse(tuned.output(true, X)[0].equalsWithEps(tuned.output(false, X)[0], 1e-6),
                "dropout acts in training");
    }

    @Test
    void fineTuneConfigurationDropoutGivesEveryParameterizedLayerItsOwnCopy() {
        MaskDropout tuning = MaskDropout.bernoulli(0.6).storage(MaskStorage.STORED);

        MultiLayerNetwork tuned = new TransferLearning.Builder(trained())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().dropout(tuning).build())
                .build();
        tuned.fit(THREE_CLASSES);

        assertEquals(tuning, layer(tuned, 0).getIDropout());
        assertEquals(tuning, layer(tuned, 2).getIDropout());
        assertEquals(tuning, layer(tuned, 3).getIDropout());
        assertNotSame(layer(tuned, 2).getIDropout(), layer(tuned, 3).getIDropout(), "no shared mask state");
        assertNotSame(tuning, layer(tuned, 2).getIDropout());
        assertEquals(MaskDropout.bernoulli(0.7), ((MaskDropoutLayer) layer(tuned, 1)).getDropout(),
                "the MaskDropoutLayer keeps its own dropout");
    }

    @Test
    void fineTuningWithDl4jDropoutLeavesMaskDropoutLayersAndSwapsAfterwards() {
        MultiLayerNetwork tuned = new TransferLearning.Builder(trained())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().dropOut(0.5).build())
                .build();

        assertInstanceOf(Dropout.class, layer(tuned, 2).getIDropout());
        assertEquals(MaskDropout.bernoulli(0.7), ((MaskDropoutLayer) layer(tuned, 1)).getDropout(),
                "DL4J's fine-tune dropout never reaches a MaskDropoutLayer: no error, no change");

        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(tuned);

        assertEquals(3, swapped.replaced().size(), swapped::toString);
        for (int i : new int[] {0, 2, 3}) {
            assertEquals(MaskDropout.bernoulli(0.5), layer(swapped.get(), i).getIDropout());
        }
        assertBitwiseEqual(tuned.output(X), swapped.get().output(X), "outputs at inference");
        swapped.get().fit(THREE_CLASSES);
        assertTrue(Double.isFinite(swapped.get().score()), "finite score");
    }

    @Test
    void fineTuneDropoutOverwritesDl4jsDropoutLayerButNotMaskDropoutLayer() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DropoutLayer.Builder(0.7).build())
                .layer(new MaskDropoutLayer.Builder(0.7).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        MultiLayerNetwork tuned = new TransferLearning.Builder(net)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().dropout(MaskDropout.bernoulli(0.9)).build())
                .build();

        assertEquals(MaskDropout.bernoulli(0.9), layer(tuned, 1).getIDropout(), "DL4J's DropoutLayer is a BaseLayer");
        assertEquals(MaskDropout.bernoulli(0.7), layer(tuned, 2).getIDropout());
    }

    @Test
    void fineTuneDropOutZeroRemovesLayerDropoutButKeepsMaskDropoutLayers() {
        MultiLayerNetwork tuned = new TransferLearning.Builder(trained())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().dropOut(0.0).build())
                .build();

        assertNull(layer(tuned, 2).getIDropout());
        assertNull(layer(tuned, 3).getIDropout());
        assertEquals(MaskDropout.bernoulli(0.7), ((MaskDropoutLayer) layer(tuned, 1)).getDropout());
        assertDropoutActsInTraining(tuned);
    }

    @Test
    void maskDropoutLayerSettingsCanBeChangedWhileFineTuning() {
        MultiLayerNetwork tuned = new TransferLearning.Builder(trained())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().dropOut(0.0).build())
                .setFeatureExtractor(0)
                .build();
        assertDropoutActsInTraining(tuned); // only the MaskDropoutLayer drops now

        // The network's layer configuration is the one its runtime layer reads: a setter changes both.
        MaskDropoutLayer drop = (MaskDropoutLayer) layer(tuned, 1);
        assertSame(drop, tuned.getLayer(1).conf().getLayer());
        drop.setIDropout(MaskDropout.bernoulli(1.0));

        Nd4j.getRandom().setSeed(3);
        assertBitwiseEqual(tuned.output(X, false), tuned.output(X, true), "p = 1: training output equals inference");
        MultiLayerConfiguration saved = MultiLayerConfiguration.fromJson(tuned.getLayerWiseConfigurations().toJson());
        assertEquals(MaskDropout.bernoulli(1.0), ((MaskDropoutLayer) saved.getConf(1).getLayer()).getDropout());
    }

    @Test
    void graphMaskDropoutLayerCanBeReplacedWhileFineTuning() {
        ComputationGraph tuned = new TransferLearning.GraphBuilder(trainedGraph())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .removeVertexKeepConnections("drop")
                .addLayer("drop", new MaskDropoutLayer.Builder(MaskDropout.gaussian(0.9).storage(MaskStorage.STORED))
                        .build(), "dense0")
                .build();
        tuned.fit(THREE_CLASSES);

        assertEquals(MaskDropout.gaussian(0.9).storage(MaskStorage.STORED),
                ((MaskDropoutLayer) tuned.getLayer("drop").conf().getLayer()).getDropout());
        assertEquals(MaskDropout.gaussian(0.8), tuned.getLayer("dense2").conf().getLayer().getIDropout());
        assertTrue(Double.isFinite(tuned.score()), "finite score");
    }

    @Test
    void builtInNetworkSwappedThenFineTuned() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(new Dropout(0.8)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(new Dropout(0.9)).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork builtIn = new MultiLayerNetwork(conf);
        builtIn.init();
        builtIn.fit(THREE_CLASSES);

        MultiLayerNetwork tuned = new TransferLearning.Builder(DropoutSwap.swap(builtIn).get())
                // DL4J's addLayer needs a fine-tune configuration (NullPointerException without one)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .setFeatureExtractor(0)
                .removeOutputLayer()
                .addLayer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.8)).build())
                .addLayer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        for (int i = 0; i < 3; i++) {
            tuned.fit(TWO_CLASSES);
        }

        assertEquals(MaskDropout.bernoulli(0.8), layer(tuned, 1).getIDropout());
        assertInstanceOf(MaskDropoutLayer.class, layer(tuned, 2));
        assertTrue(Double.isFinite(tuned.score()), "finite score");
        assertDropoutActsInTraining(tuned);
    }
}

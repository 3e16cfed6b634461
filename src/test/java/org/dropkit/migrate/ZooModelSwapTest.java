package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Configurations as DL4J's model zoo writes them (no pretrained weights), not built for these tests: a SqueezeNet
 * graph (fire modules joined by merge vertices, a {@code DropoutLayer} before the last convolution) and SimpleCNN (a
 * MultiLayerNetwork with batch normalization and four {@code DropoutLayer}s). Trained with DL4J's dropout, swapped,
 * trained on, saved, exported back: the swap replaces every dropout, inference stays bit for bit, and the export is
 * free of Dropkit with the same inference output. The two smallest zoo models with dropout; AlexNet, VGG16 and UNet
 * passed the same check by hand but take most of a minute each here.
 */
class ZooModelSwapTest {

    private static INDArray images(long... shape) {
        Nd4j.getRandom().setSeed(31);
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    private static INDArray oneHot(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 3) % classes, 1.0);
        }
        return y;
    }

    @Test
    void squeezeNetTrainedWithDl4jDropoutSwapsTrainsOnSavesAndExports() throws Exception {
        ComputationGraph net = (ComputationGraph) SqueezeNet.builder().numClasses(4).inputShape(new int[] {3, 64, 64})
                .build().init();
        INDArray x = images(2, 3, 64, 64);
        MultiDataSet data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {oneHot(2, 4)});
        net.fit(data);
        INDArray before = net.output(false, x)[0];

        SwapResult<ComputationGraph> result = DropoutSwap.swap(net);
        ComputationGraph swapped = result.get();

        assertEquals(1, result.replaced().size(), result::toString);
        assertEquals(0, result.left().size(), result::toString);
        assertInstanceOf(Dropout.class, ((DropoutLayer) net.getLayer("drop9").conf().getLayer()).getIDropout(),
                "the original keeps DL4J's dropout");
        Layer drop = swapped.getLayer("drop9").conf().getLayer();
        assertInstanceOf(MaskDropoutLayer.class, drop);
        assertEquals(MaskDropout.bernoulli(0.5), ((MaskDropoutLayer) drop).getIDropout());
        assertBitwiseEqual(net.params(), swapped.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), swapped.getUpdater().getStateViewArray(),
                "updater state");
        assertEquals(net.getConfiguration().getIterationCount(), swapped.getConfiguration().getIterationCount());
        assertBitwiseEqual(before, swapped.output(false, x)[0], "inference output after the swap");

        INDArray trainedParams = swapped.params().dup();
        swapped.fit(data);
        assertTrue(Double.isFinite(swapped.score()), "score " + swapped.score());
        assertFalse(trainedParams.equals(swapped.params()), "the swapped graph trains");

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        ModelSerializer.writeModel(swapped, saved, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(
                new ByteArrayInputStream(saved.toByteArray()), true);
        assertInstanceOf(MaskDropoutLayer.class, restored.getLayer("drop9").conf().getLayer());
        INDArray afterTraining = swapped.output(false, x)[0];
        assertBitwiseEqual(afterTraining, restored.output(false, x)[0], "inference output after ModelSerializer");
        restored.fit(data);

        ExportResult<ComputationGraph> exported = DropoutExport.export(swapped);
        assertEquals(1, exported.converted().size(), exported::toString);
        assertEquals(0, exported.left().size(), exported::toString);
        assertFalse(exported.get().getConfiguration().toJson().contains("org.dropkit"), "free of Dropkit");
        ComputationGraph trainedOriginal = net.clone();
        trainedOriginal.getConfiguration().setIterationCount(exported.get().getConfiguration().getIterationCount());
        assertEquals(trainedOriginal.getConfiguration().toJson(), exported.get().getConfiguration().toJson(),
                "the export is the zoo's configuration, at the iteration it reached");
        assertBitwiseEqual(afterTraining, exported.get().output(false, x)[0], "inference output after the export");
    }

    /**
     * SimpleCNN ends in an ActivationLayer (softmax), not an output layer, so DL4J cannot fit it with or without the
     * swap; its training pass is checked instead.
     */
    @Test
    void simpleCnnDropoutLayersAllBecomeDropkitsAndActOnlyInTraining() {
        MultiLayerNetwork net = (MultiLayerNetwork) SimpleCNN.builder().numClasses(4)
                .inputShape(new int[] {3, 48, 48}).build().init();
        INDArray x = images(2, 3, 48, 48);
        INDArray before = net.output(x, false);
        int dropoutLayers = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof DropoutLayer) {
                dropoutLayers++;
            }
        }

        SwapResult<MultiLayerNetwork> result = DropoutSwap.swap(net);
        MultiLayerNetwork swapped = result.get();

        assertEquals(4, dropoutLayers, "SimpleCNN as the zoo writes it");
        assertEquals(dropoutLayers, result.replaced().size(), result::toString);
        assertEquals(0, result.left().size(), result::toString);
        for (int i = 0; i < swapped.getnLayers(); i++) {
            Layer layer = swapped.getLayerWiseConfigurations().getConf(i).getLayer();
            assertFalse(layer instanceof DropoutLayer, "layer " + i + " is still DL4J's DropoutLayer");
        }
        assertBitwiseEqual(before, swapped.output(x, false), "inference output after the swap");
        Nd4j.getRandom().setSeed(8);
        INDArray training = swapped.output(x, true);
        assertFalse(training.equalsWithEps(before, 1e-6), "Dropkit's dropout acts in a training pass");
        assertTrue(Double.isFinite(training.sumNumber().doubleValue()));

        ExportResult<MultiLayerNetwork> exported = DropoutExport.export(swapped);
        assertEquals(dropoutLayers, exported.converted().size(), exported::toString);
        assertEquals(net.getLayerWiseConfigurations().toJson(), exported.get().getLayerWiseConfigurations().toJson(),
                "the export is the zoo's configuration (its DropoutLayers' activation, updater and weight init kept)");
        assertBitwiseEqual(before, exported.get().output(x, false), "inference output after the export");
    }
}

package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Models saved by earlier Dropkit versions still load. The zip was written by {@code ModelSerializer.writeModel} at
 * commit a2ecddb (0.1.0-SNAPSHOT, when the runtime layer was called {@code MaskDropoutLayerImpl}): a FLOAT MLP with a
 * Monte Carlo Gaussian {@code MaskDropoutLayer} and a STORED Bernoulli {@code .dropOut(...)}, trained 5 steps with Adam.
 */
class SavedModelCompatibilityTest {

    private static MultiLayerNetwork load() throws Exception {
        try (InputStream in = SavedModelCompatibilityTest.class
                .getResourceAsStream("/models/dropkit-0.1.0-a2ecddb-mln.zip")) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
    }

    @Test
    void modelSavedBeforeTheRuntimeLayerRenameLoadsAndTrains() throws Exception {
        MultiLayerNetwork net = load();
        assertInstanceOf(org.dropkit.layers.MaskDropoutLayer.class, net.getLayer(1), "runtime layer of layer 1");
        org.dropkit.conf.MaskDropoutLayer conf =
                assertInstanceOf(org.dropkit.conf.MaskDropoutLayer.class, net.getLayer(1).conf().getLayer());
        assertEquals(MaskDropout.gaussian(0.7), conf.getDropout(), "the saved layer's dropout");
        assertTrue(conf.isMonteCarlo(), "Monte Carlo flag restored");
        assertEquals(MaskDropout.bernoulli(0.8).storage(MaskStorage.STORED),
                net.getLayer(2).conf().getLayer().getIDropout(), "the saved .dropOut(...)");
        assertEquals(5, net.getIterationCount(), "iteration count restored");
        String summary = net.summary();
        assertTrue(summary.contains("MaskDropoutLayer") && !summary.contains("MaskDropoutLayerImpl"),
                "net.summary() names the runtime layer as DL4J names its own:\n" + summary);

        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        INDArray before = net.params().dup();
        net.fit(x, y);
        assertNotEquals(before, net.params(), "the restored network trains (with its Adam state)");
        assertEquals(6, net.getIterationCount());
    }
}

package org.dropkit.testsupport;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The round trips DL4J's own tests put a network through ({@code TestUtils.testModelSerialization}): ModelSerializer
 * with the updater, and Java serialization of the configuration, which Spark needs.
 */
public final class SavedModels {

    private SavedModels() {
    }

    /**
     * Saves and restores the network; asserts the same configuration (also through Java serialization), parameters
     * and inference output for x.
     *
     * @return the restored network
     */
    public static MultiLayerNetwork assertSurvivesSaving(MultiLayerNetwork net, INDArray x) throws IOException {
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved(net)), true);
        assertAll(
                () -> assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations()),
                () -> assertEquals(net.getLayerWiseConfigurations(), javaRoundTrip(net.getLayerWiseConfigurations())),
                () -> assertEquals(net.params(), back.params()),
                () -> assertEquals(net.output(x), back.output(x)));
        return back;
    }

    /** {@link #assertSurvivesSaving(MultiLayerNetwork, INDArray)} for a graph of one input and one output. */
    public static ComputationGraph assertSurvivesSaving(ComputationGraph net, INDArray x) throws IOException {
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(saved(net)), true);
        assertAll(
                () -> assertEquals(net.getConfiguration(), back.getConfiguration()),
                () -> assertEquals(net.getConfiguration(), javaRoundTrip(net.getConfiguration())),
                () -> assertEquals(net.params(), back.params()),
                () -> assertEquals(net.outputSingle(x), back.outputSingle(x)));
        return back;
    }

    private static byte[] saved(Model net) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        return bytes.toByteArray();
    }

    private static Object javaRoundTrip(Serializable o) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}

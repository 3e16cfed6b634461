package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * DropBlock's configuration in saved models: the JSON it writes (names users' files will hold), a graph through
 * JSON, YAML and ModelSerializer, and clones that share no mask state. The multi-layer CNN configurations of
 * {@link SerializationTest} carry DropBlock too, through every round trip there.
 */
class DropBlockSerializationTest {

    private static final long SEED = 97;

    private static JsonNode dropoutJson(MaskDropout d) throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).dropOut(d).build())
                .layer(new OutputLayer.Builder().nOut(2).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build();
        return new ObjectMapper().readTree(conf.toJson()).get("confs").get(0).get("layer").get("idropout");
    }

    /** The JSON a DropBlock writes: kind DROP_BLOCK, p the keep probability, and a "block" object. */
    @Test
    void jsonNamesTheBlockSettings() throws IOException {
        JsonNode expected = new ObjectMapper().readTree("{\"@class\": \"org.dropkit.MaskDropout\", \"kind\":"
                + " \"DROP_BLOCK\", \"p\": 0.9, \"pSchedule\": null, \"storage\": \"RECOMPUTE\", \"sharedAxes\": [1],"
                + " \"block\": {\"size\": 7, \"format\": \"NCHW\", \"normalization\": \"EXAMPLE\"}}");
        assertEquals(expected, dropoutJson(MaskDropout.dropBlock(0.9, 7, CNN2DFormat.NCHW).sharedAxes(1)
                .blockNormalization(BlockNormalization.EXAMPLE)));
    }

    /** Other kinds write no "block" field: their JSON is what Dropkit wrote before DropBlock, and reads back. */
    @Test
    void otherKindsWriteNoBlockAndJsonWithoutOneLoads() throws IOException {
        JsonNode json = dropoutJson(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NCHW));
        assertFalse(json.has("block"), json.toString());
        String before = "{\"@class\":\"org.dropkit.MaskDropout\",\"kind\":\"GAUSSIAN\",\"p\":0.7,\"pSchedule\":null,"
                + "\"storage\":\"STORED\",\"sharedAxes\":[2,3]}";
        IDropout restored = NeuralNetConfiguration.mapper().readValue(before, IDropout.class);
        assertEquals(MaskDropout.gaussian(0.7).storage(MaskStorage.STORED).sharedAxes(2, 3), restored);
    }

    static ComputationGraphConfiguration graph(CNN2DFormat format) {
        return new NeuralNetConfiguration.Builder().seed(SEED).dataType(DataType.FLOAT).updater(new Adam(0.05))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("image")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH)
                        .dataFormat(format).build(), "image")
                .addLayer("drop", new MaskDropoutLayer.Builder(MaskDropout.dropBlock(0.8, 3, format)
                        .storage(MaskStorage.STORED)).build(), "conv")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                        .dataFormat(format).dropOut(MaskDropout.dropBlockOfDropRate(0.2, 2, format)
                                .blockNormalization(BlockNormalization.EXAMPLE)).build(), "drop")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "conv2")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(9, 8, 2, format))
                .build();
    }

    private static MultiDataSet data(CNN2DFormat format) {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 5, 'c',
                format == CNN2DFormat.NCHW ? new long[] {4, 2, 9, 8} : new long[] {4, 9, 8, 2});
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 2);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 2, 1.0);
        }
        return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y});
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void graphWithDropBlockSurvivesJsonYamlAndModelSerializer(CNN2DFormat format, @TempDir Path dir)
            throws IOException {
        ComputationGraphConfiguration original = graph(format);
        for (ComputationGraphConfiguration restored : new ComputationGraphConfiguration[] {
                ComputationGraphConfiguration.fromJson(original.toJson()),
                ComputationGraphConfiguration.fromYaml(original.toYaml())}) {
            SerializationTest.assertSameMaskDropouts(SerializationTest.dropouts(original),
                    SerializationTest.dropouts(restored));
            assertEquals(original, restored);
        }

        MultiDataSet data = data(format);
        ComputationGraph net = new ComputationGraph(graph(format));
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(data);
        }
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        SerializationTest.assertSameMaskDropouts(SerializationTest.dropouts(net), SerializationTest.dropouts(restored));
        assertBitwiseEqual(net.params(), restored.params(), "parameters");

        INDArray before = net.params().dup();
        Nd4j.getRandom().setSeed(SEED);
        net.fit(data);
        Nd4j.getRandom().setSeed(SEED);
        restored.fit(data);
        assertFalse(SerializationTest.bitwiseEqual(before, net.params()), "the extra step changes the parameters");
        assertBitwiseEqual(net.params(), restored.params(), "parameters after one more step from the same seed");
    }

    /** A cloned network has DropBlocks of its own: the original's pending forward pass is not the clone's. */
    @Test
    void clonedNetworkSharesNoDropBlockState() {
        ComputationGraph net = new ComputationGraph(graph(CNN2DFormat.NHWC));
        net.init();
        net.fit(data(CNN2DFormat.NHWC));
        ComputationGraph clone = net.clone();
        Map<String, IDropout> original = SerializationTest.dropouts(net);
        Map<String, IDropout> copy = SerializationTest.dropouts(clone);
        long[] shape = {2, 7, 6, 3};
        int dropBlocks = 0;
        for (String layer : original.keySet()) {
            if (!(original.get(layer) instanceof MaskDropout)
                    || ((MaskDropout) original.get(layer)).getKind() != MaskKind.DROP_BLOCK) {
                continue;
            }
            dropBlocks++;
            IDropout o = original.get(layer);
            IDropout c = copy.get(layer);
            assertNotSame(o, c, layer + ": the clone has its own MaskDropout");
            assertEquals(o, c, layer + ": ... equal to the original's");
            INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', shape);
            Nd4j.getRandom().setSeed(SEED);
            o.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> c.backprop(Nd4j.ones(DataType.FLOAT, shape), null, 0, 0),
                    layer + ": the clone must not see the original's pending forward pass");
            assertTrue(e.getMessage().contains("no training forward pass pending"), e.getMessage());
            o.backprop(Nd4j.ones(DataType.FLOAT, shape), null, 0, 0);
        }
        assertEquals(2, dropBlocks, "both DropBlocks of the graph compared");
    }
}

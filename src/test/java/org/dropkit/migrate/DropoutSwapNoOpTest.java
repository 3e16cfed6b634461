package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A DropoutLayer that drops nothing (DL4J's Keras import writes {@code Dropout(1.0)} for Keras 2's Dropout) becomes
 * DL4J's {@code ActivationLayer(IDENTITY)} of the same name: a no-op that keeps names, indices and vertex inputs, and
 * is safe as a network's first layer in front of a layer whose dropout works in place. DL4J's DropoutLayer without
 * dropout, the other DL4J-only candidate, is not: it hands the caller's array on as its output.
 */
class DropoutSwapNoOpTest {

    /** A no-op first layer, then a layer whose dropout may modify its input in place. */
    private static MultiLayerNetwork network(Layer first, WorkspaceMode mode) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(41).trainingWorkspaceMode(mode)
                .inferenceWorkspaceMode(mode).list()
                .layer(first)
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).dropOut(new Dropout(0.5)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray[] data() {
        Nd4j.getRandom().setSeed(42);
        return new INDArray[] {Nd4j.rand(DataType.FLOAT, 3, 5), Nd4j.rand(DataType.FLOAT, 3, 2)};
    }

    @ParameterizedTest
    @EnumSource(WorkspaceMode.class)
    void theIdentityLayerInPlaceOfAPlaceholderIsSafeAsTheFirstLayer(WorkspaceMode mode) {
        for (boolean withDropout : new boolean[] {true, false}) {
            DropoutLayer placeholder = withDropout ? new DropoutLayer.Builder(1.0).name("placeholder").build()
                    : new DropoutLayer.Builder().name("placeholder").build();
            placeholderIsReplacedByASafeIdentity(network(placeholder, mode));
        }
    }

    private static void placeholderIsReplacedByASafeIdentity(MultiLayerNetwork original) {
        SwapResult<MultiLayerNetwork> result = DropoutSwap.swap(original);
        MultiLayerNetwork swapped = result.get();
        assertInstanceOf(ActivationLayer.class, swapped.getLayerWiseConfigurations().getConf(0).getLayer());
        assertEquals("placeholder", swapped.getLayerWiseConfigurations().getConf(0).getLayer().getLayerName());
        assertEquals(1, result.removed().size(), result::toString);
        INDArray[] d = data();
        INDArray x = d[0].dup();
        assertBitwiseEqual(original.output(x), swapped.output(x), "inference output");

        swapped.fit(x, d[1]);
        swapped.output(x, true);

        assertBitwiseEqual(d[0], x, "the caller's features after fit and a training-mode output");
    }

    @Test
    void dl4jsDropoutLayerWithoutDropoutHandsTheCallersArrayOn() {
        INDArray[] d = data();
        INDArray x = d[0].dup();
        MultiLayerNetwork noWorkspace = network(new DropoutLayer.Builder().build(), WorkspaceMode.NONE);
        noWorkspace.fit(x, d[1]);
        assertFalse(d[0].equals(x), "the next layer's in-place dropout wrote into the caller's features");

        MultiLayerNetwork workspaces = network(new DropoutLayer.Builder().build(), WorkspaceMode.ENABLED);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> workspaces.fit(d[0], d[1]));
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void graphVertexInputsStayAsTheyWere() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(43).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("placeholder", new DropoutLayer.Builder(1.0).build(), "dense")
                .addLayer("a", new DenseLayer.Builder().nOut(3).dropOut(new Dropout(0.5)).build(), "placeholder")
                .addLayer("b", new DenseLayer.Builder().nOut(3).build(), "placeholder")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "merge")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build();
        ComputationGraph original = new ComputationGraph(conf);
        original.init();

        SwapResult<ComputationGraph> swapped = DropoutSwap.swap(original);

        ComputationGraphConfiguration after = swapped.get().getConfiguration();
        assertEquals(conf.getVertexInputs(), after.getVertexInputs());
        assertEquals(conf.getVertices().keySet(), after.getVertices().keySet());
        assertInstanceOf(ActivationLayer.class, ((LayerVertex) after.getVertices().get("placeholder")).getLayerConf()
                .getLayer());
        assertEquals(1, swapped.removed().size(), swapped::toString);
        INDArray[] d = data();
        INDArray x = d[0].dup();
        assertBitwiseEqual(original.outputSingle(x), swapped.get().outputSingle(x), "inference output");
        swapped.get().fit(new INDArray[] {x}, new INDArray[] {d[1]});
        assertBitwiseEqual(d[0], x, "the caller's features");
    }
}

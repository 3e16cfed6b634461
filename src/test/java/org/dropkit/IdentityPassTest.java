package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A dropout that keeps every unit (p = 1: fixed, or reached by a schedule; or a MaskDropoutLayer without dropout)
 * draws nothing, and never hands on an array it does not own where DL4J expects a new one: the caller's features
 * stay untouched, DL4J's workspace validation passes, and a later layer's in-place dropout cannot write through it.
 */
class IdentityPassTest {

    /** The first layer of each network: a way of reaching an identity dropout in training. */
    static Stream<Arguments> identityFirstLayers() {
        return Stream.of(
                Arguments.of("MaskDropoutLayer(p = 1)", new MaskDropoutLayer.Builder(1.0).build()),
                Arguments.of("MaskDropoutLayer without dropout", withoutDropout()),
                Arguments.of("MaskDropoutLayer with a schedule at 1",
                        new MaskDropoutLayer.Builder(MaskDropout.bernoulli(scheduleAtOne())).build()),
                Arguments.of("DL4J DropoutLayer(MaskDropout p = 1)",
                        new DropoutLayer.Builder().dropOut(MaskDropout.bernoulli(1.0)).build()),
                Arguments.of("DenseLayer .dropOut(MaskDropout p = 1)", new DenseLayer.Builder().nOut(6)
                        .activation(Activation.TANH).dropOut(MaskDropout.gaussian(1.0)).build()));
    }

    /** A MaskDropoutLayer whose dropout was removed, as a fine-tune configuration may do. */
    private static MaskDropoutLayer withoutDropout() {
        MaskDropoutLayer layer = new MaskDropoutLayer.Builder(0.5).build();
        layer.setIDropout(null);
        return layer;
    }

    /** p = 1 for the first iterations, 0.5 later. */
    private static MapSchedule scheduleAtOne() {
        return new MapSchedule(ScheduleType.ITERATION, Map.of(0, 1.0, 100, 0.5));
    }

    private static MultiLayerNetwork network(Layer first, WorkspaceMode mode) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                .layer(first)
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.5)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @ParameterizedTest(name = "{0}, {2}")
    @MethodSource("identityFirstLayersAndModes")
    void identityFirstLayerLeavesTheCallersFeaturesUntouchedInFitAndTrainingOutput(String what, Layer first,
            WorkspaceMode mode) {
        MultiLayerNetwork net = network(first, mode);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 4).addi(0.5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 8, 2);
        INDArray xBefore = x.dup();
        net.fit(x, y);
        net.fit(x, y);
        Bits.assertBitwiseEqual(xBefore, x, what + ": features after fit");
        net.output(x, true);
        Bits.assertBitwiseEqual(xBefore, x, what + ": features after output(x, true)");
        net.feedForward(x, true);
        Bits.assertBitwiseEqual(xBefore, x, what + ": features after feedForward(x, true)");
    }

    static Stream<Arguments> identityFirstLayersAndModes() {
        return identityFirstLayers().flatMap(a -> Stream.of(WorkspaceMode.ENABLED, WorkspaceMode.NONE)
                .map(m -> Arguments.of(a.get()[0], ((Layer) a.get()[1]).clone(), m)));
    }

    @Test
    void identityDrawsNothingAndCopiesOnlyIntoAFreshResultArray() {
        MaskDropout d = MaskDropout.bernoulli(1.0);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4);
        INDArray xBefore = x.dup();
        INDArray result = Nd4j.zeros(DataType.FLOAT, 3, 4);
        Nd4j.getRandom().setSeed(99);
        long root = Nd4j.getRandom().rootState();
        long node = Nd4j.getRandom().nodeState();
        INDArray out = d.applyDropout(x, result, 0, 0, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(root, Nd4j.getRandom().rootState(), "no random number drawn");
        assertEquals(node, Nd4j.getRandom().nodeState(), "no random number drawn");
        assertSame(result, out, "DL4J's fresh result array is returned, not the input");
        Bits.assertBitwiseEqual(x, out, "identity output");
        assertSame(x, d.applyDropout(x, x, 0, 0, LayerWorkspaceMgr.noWorkspaces()),
                "in place (DL4J allowed modifying the input): the input itself, no copy");
        Bits.assertBitwiseEqual(xBefore, x, "input unchanged");
        INDArray dy = Nd4j.rand(DataType.FLOAT, 3, 4);
        INDArray dx = Nd4j.zeros(DataType.FLOAT, 3, 4);
        assertSame(dx, d.backprop(dy, dx, 0, 0));
        Bits.assertBitwiseEqual(dy, dx, "identity backward");
        d.applyDropout(x, x, 0, 0, LayerWorkspaceMgr.noWorkspaces());
        assertSame(dy, d.backprop(dy, dy, 0, 0), "in-place identity backward returns the gradient untouched");
    }

    /**
     * In a ComputationGraph a layer with dropout is the last consumer of an activation that another layer also
     * reads, directly or through an identity MaskDropoutLayer. DL4J lets the last consumer of a shared activation
     * modify it in place; the sibling's weight gradient must still be the one computed from the activation as it
     * was: the same as in the graph whose other branch has no dropout at all.
     */
    @ParameterizedTest(name = "identity layer between: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void dropoutInAGraphNeverReachesASiblingsActivation(boolean identityLayer) {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 4).subi(0.5);
        INDArray y1 = Nd4j.rand(DataType.DOUBLE, 6, 2);
        INDArray y2 = Nd4j.rand(DataType.DOUBLE, 6, 2);
        ComputationGraph actual = siblingGraph(identityLayer, true);
        ComputationGraph reference = siblingGraph(false, false);
        reference.setParams(actual.params());
        for (ComputationGraph g : new ComputationGraph[] {actual, reference}) {
            g.setInputs(x);
            g.setLabels(y1, y2);
            g.computeGradientAndScore();
        }
        Bits.assertBitwiseEqual(reference.getGradient().getGradientFor("sibling_W"),
                actual.getGradient().getGradientFor("sibling_W"), "sibling's weight gradient");
    }

    private static ComputationGraph siblingGraph(boolean identityLayer, boolean dropout) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(9)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).graphBuilder()
                .addInputs("in")
                .addLayer("shared", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("sibling", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "shared");
        String last = "shared";
        if (identityLayer) {
            b.addLayer("identity", new MaskDropoutLayer.Builder(1.0).build(), "shared");
            last = "identity";
        }
        OutputLayer.Builder dropped = new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY);
        if (dropout) {
            dropped.dropOut(MaskDropout.bernoulli(0.5));
        }
        b.addLayer("dropped", dropped.build(), last)
                .setOutputs("sibling", "dropped")
                .setInputTypes(InputType.feedForward(4));
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }
}

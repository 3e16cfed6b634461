package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The swap never changes what it was given: for every DL4J 1.0.0-M2.1 layer that wraps another (Bidirectional,
 * LastTimeStep, TimeDistributed, MaskZeroLayer, FrozenLayer, FrozenLayerWithBackprop, nested in each other) and the
 * graph vertex that wraps a layer vertex (FrozenVertex), DL4J's {@code clone()} shares or half-copies the inner layer
 * that the swap edits. After {@code swap(conf)} and {@code swap(net)} the original configuration's JSON is the same,
 * the running original network computes bit for bit the same gradient with the same seed (its dropout is still
 * DL4J's), and the swapped copy has Dropkit's dropout where the original had DL4J's.
 */
class SwapLeavesTheOriginalTest {

    // Weight init set here: DL4J does not hand the network's defaults to a layer nested two wrappers deep.
    private static LSTM lstm() {
        return new LSTM.Builder().nOut(4).activation(Activation.TANH).weightInit(WeightInit.XAVIER)
                .dropOut(new Dropout(0.7)).build();
    }

    private static DenseLayer dense() {
        return new DenseLayer.Builder().nOut(4).activation(Activation.TANH).weightInit(WeightInit.XAVIER)
                .dropOut(new Dropout(0.7)).build();
    }

    private static final InputType SEQUENCES = InputType.recurrent(3, 5);
    private static final InputType FEATURES = InputType.feedForward(3);

    static Stream<Arguments> wrappers() {
        return Stream.of(
                Arguments.of("Bidirectional", (Supplier<Layer>) () -> new Bidirectional(lstm()), SEQUENCES, true),
                Arguments.of("LastTimeStep", (Supplier<Layer>) () -> new LastTimeStep(lstm()), SEQUENCES, false),
                Arguments.of("TimeDistributed", (Supplier<Layer>) () -> new TimeDistributed(dense()), SEQUENCES,
                        true),
                Arguments.of("MaskZeroLayer", (Supplier<Layer>) () -> new MaskZeroLayer(lstm(), 0.0), SEQUENCES,
                        true),
                Arguments.of("FrozenLayer", (Supplier<Layer>) () -> new FrozenLayer(dense()), FEATURES, false),
                Arguments.of("FrozenLayerWithBackprop", (Supplier<Layer>) () -> new FrozenLayerWithBackprop(dense()),
                        FEATURES, false),
                Arguments.of("LastTimeStep(Bidirectional)",
                        (Supplier<Layer>) () -> new LastTimeStep(new Bidirectional(lstm())), SEQUENCES, false),
                Arguments.of("MaskZeroLayer(Bidirectional)",
                        (Supplier<Layer>) () -> new MaskZeroLayer(new Bidirectional(lstm()), 0.0), SEQUENCES, true),
                Arguments.of("FrozenLayer(Bidirectional)",
                        (Supplier<Layer>) () -> new FrozenLayer(new Bidirectional(lstm())), SEQUENCES, true),
                Arguments.of("FrozenLayer(LastTimeStep)",
                        (Supplier<Layer>) () -> new FrozenLayer(new LastTimeStep(lstm())), SEQUENCES, false),
                Arguments.of("FrozenLayerWithBackprop(TimeDistributed)",
                        (Supplier<Layer>) () -> new FrozenLayerWithBackprop(new TimeDistributed(dense())), SEQUENCES,
                        true));
    }

    private static Layer loss(boolean sequences) {
        LossFunctions.LossFunction mse = LossFunctions.LossFunction.MSE;
        return sequences ? new RnnLossLayer.Builder(mse).activation(Activation.IDENTITY).build()
                : new LossLayer.Builder(mse).activation(Activation.IDENTITY).build();
    }

    private static MultiLayerNetwork multiLayer(Layer wrapper, InputType input, boolean sequences) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(21).list()
                .layer(wrapper).layer(loss(sequences)).setInputType(input).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static ComputationGraph graph(Layer wrapper, InputType input, boolean sequences) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(21).graphBuilder()
                .addInputs("in").addLayer("wrapped", wrapper, "in").addLayer("out", loss(sequences), "wrapped")
                .setOutputs("out").setInputTypes(input).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** Features, and labels shaped like the network's output. */
    private static INDArray[] data(Model net, InputType input) {
        Nd4j.getRandom().setSeed(22);
        long[] shape = input.getShape(true);
        shape[0] = 3;
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
        INDArray out = net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).output(x)
                : ((ComputationGraph) net).outputSingle(x);
        return new INDArray[] {x, Nd4j.rand(DataType.FLOAT, out.shape())};
    }

    /** Score and gradient of one training pass with a fixed seed: the network's dropout at work, forward and back. */
    private static INDArray gradient(Model net, INDArray[] data) {
        Nd4j.getRandom().setSeed(23);
        if (net instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) net).setInput(data[0]);
            ((MultiLayerNetwork) net).setLabels(data[1]);
        } else {
            ((ComputationGraph) net).setInputs(data[0]);
            ((ComputationGraph) net).setLabels(data[1]);
        }
        if (net instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) net).computeGradientAndScore();
        } else {
            ((ComputationGraph) net).computeGradientAndScore();
        }
        INDArray g = net.gradient().gradient().dup();
        return Nd4j.concat(0, g.reshape(g.length()), Nd4j.scalar(g.dataType(), net.score()).reshape(1));
    }

    /** The dropout of the first layer inside the wrappers that holds one. */
    private static IDropout innerDropout(Layer layer) {
        if (layer instanceof FrozenLayer) {
            return innerDropout(((FrozenLayer) layer).getLayer());
        }
        if (layer instanceof BaseWrapperLayer) {
            return innerDropout(((BaseWrapperLayer) layer).getUnderlying());
        }
        if (layer instanceof Bidirectional) {
            return innerDropout(((Bidirectional) layer).getFwd());
        }
        return layer.getIDropout();
    }

    /** The JSON of a network's configuration. */
    private static String json(Model net) {
        return net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).getLayerWiseConfigurations().toJson()
                : ((ComputationGraph) net).getConfiguration().toJson();
    }

    /** The wrapper layer's configuration as the running network's layer holds it. */
    private static Layer runningWrapper(Model net) {
        return (net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).getLayer(0)
                : ((ComputationGraph) net).getLayer("wrapped")).conf().getLayer();
    }

    /** Swaps the network's configuration; returns the swapped wrapper layer. */
    private static Layer swapConfiguration(Model net) {
        if (net instanceof MultiLayerNetwork) {
            return DropoutSwap.swap(((MultiLayerNetwork) net).getLayerWiseConfigurations()).get().getConf(0)
                    .getLayer();
        }
        ComputationGraphConfiguration swapped = DropoutSwap.swap(((ComputationGraph) net).getConfiguration()).get();
        return ((LayerVertex) swapped.getVertices().get("wrapped")).getLayerConf().getLayer();
    }

    private static Model swapNetwork(Model net) {
        return net instanceof MultiLayerNetwork ? DropoutSwap.swap((MultiLayerNetwork) net).get()
                : DropoutSwap.swap((ComputationGraph) net).get();
    }

    static Stream<Arguments> wrappersInBothNetworkKinds() {
        return wrappers().flatMap(a -> Stream.of(false, true).map(graph -> Arguments.of(a.get()[0], a.get()[1],
                a.get()[2], a.get()[3], graph)));
    }

    @ParameterizedTest(name = "{0}, graph: {4}")
    @MethodSource("wrappersInBothNetworkKinds")
    void theOriginalConfigurationAndTheNetworkRunningOnItAreUnchanged(String name, Supplier<Layer> wrapper,
            InputType input, boolean sequences, boolean graph) {
        Model original = graph ? graph(wrapper.get(), input, sequences) : multiLayer(wrapper.get(), input, sequences);
        String json = json(original);
        INDArray[] data = data(original, input);
        INDArray before = gradient(original, data);

        Layer swappedConf = swapConfiguration(original);
        Model swappedNet = swapNetwork(original);

        assertEquals(json, json(original), name + ": the original's JSON");
        assertBitwiseEqual(before, gradient(original, data), name + ": the running original's score and gradient");
        assertInstanceOf(Dropout.class, innerDropout(runningWrapper(original)),
                name + ": the running original's layer keeps DL4J's dropout");
        assertEquals(MaskDropout.bernoulli(0.7), innerDropout(swappedConf), name);
        assertEquals(MaskDropout.bernoulli(0.7), innerDropout(runningWrapper(swappedNet)), name);
        assertEquals(before.length(), gradient(swappedNet, data).length(), name + ": the swapped network trains");
    }

    /**
     * The way back through the same wrappers: exporting the swapped network leaves it (JSON, running layers,
     * gradient) as it was, and gives the DL4J configuration the swap started from.
     */
    @ParameterizedTest(name = "{0}, graph: {4}")
    @MethodSource("wrappersInBothNetworkKinds")
    void theExportLeavesTheDropkitNetworkAndGivesDl4jDropoutBack(String name, Supplier<Layer> wrapper,
            InputType input, boolean sequences, boolean graph) {
        Model dl4j = graph ? graph(wrapper.get(), input, sequences) : multiLayer(wrapper.get(), input, sequences);
        Model dropkit = swapNetwork(dl4j);
        String json = json(dropkit);
        INDArray[] data = data(dropkit, input);
        INDArray before = gradient(dropkit, data);

        Model exported = dropkit instanceof MultiLayerNetwork ? DropoutExport.export((MultiLayerNetwork) dropkit).get()
                : DropoutExport.export((ComputationGraph) dropkit).get();

        assertEquals(json, json(dropkit), name + ": the Dropkit network's JSON");
        assertBitwiseEqual(before, gradient(dropkit, data), name + ": the running Dropkit network's score and gradient");
        assertEquals(MaskDropout.bernoulli(0.7), innerDropout(runningWrapper(dropkit)), name);
        assertEquals(new Dropout(0.7), innerDropout(runningWrapper(exported)), name);
        assertEquals(json(dl4j), json(exported), name + ": the export is the DL4J configuration swapped");
        assertEquals(before.length(), gradient(exported, data).length(), name + ": the export trains");
    }

    @Test
    void frozenVertexLayerIsSwappedAndTheOriginalIsUnchanged() {
        // A FrozenVertex keeps its layer's parameters fixed but runs it in training mode: its dropout acts.
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(24).graphBuilder()
                .addInputs("in")
                .addVertex("frozen", new FrozenVertex(new LayerVertex(new NeuralNetConfiguration.Builder().seed(24)
                        .layer(new DenseLayer.Builder().name("frozen").nIn(3).nOut(4).activation(Activation.TANH)
                                .dropOut(new Dropout(0.6)).build()).build(), null)), "in")
                .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "frozen")
                .setOutputs("out").build();
        ComputationGraph original = new ComputationGraph(conf);
        original.init();
        String json = original.getConfiguration().toJson();
        INDArray[] data = data(original, FEATURES);
        INDArray before = gradient(original, data);

        SwapResult<ComputationGraph> swapped = DropoutSwap.swap(original);

        assertEquals(json, original.getConfiguration().toJson());
        assertBitwiseEqual(before, gradient(original, data), "the running original's score and gradient");
        FrozenVertex vertex = assertInstanceOf(FrozenVertex.class, swapped.get().getConfiguration()
                .getVertices().get("frozen"));
        assertEquals(MaskDropout.bernoulli(0.6), ((LayerVertex) vertex.getUnderlying()).getLayerConf().getLayer()
                .getIDropout());
        SwapResult.Entry entry = swapped.find("frozen", SwapResult.Site.DROPOUT);
        assertNotNull(entry, swapped::toString);
        assertTrue(entry.where().contains("inside FrozenVertex"), entry.where());
        // The swapped graph trains, with Dropkit's dropout acting in the frozen vertex.
        INDArray swappedGradient = gradient(swapped.get(), data);
        assertEquals(before.length(), swappedGradient.length());
    }
}

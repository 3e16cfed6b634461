package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * Configuration is a value: every Dropkit option survives JSON, YAML, ModelSerializer and Java serialization, and a
 * restored network trains on exactly as the original would. Run-time mask state is not: clones of configurations
 * and networks never share a MaskDropout instance, so a forward pass of one never feeds the backward pass of another.
 */
class SerializationTest {

    private static final long SEED = 20240611L;
    private static final int TRAINING_STEPS = 3;

    // ------------------------------------------------------------------------------------------------------------
    // Configurations under test: together they use every option (see configurationsUnderTestUseEveryOption).

    /** p = 0.9 for iterations 0-1, then 0.72, 0.576, ...: changes during the few steps these tests train. */
    private static ISchedule stepSchedule() {
        return new StepSchedule(ScheduleType.ITERATION, 0.9, 0.8, 2);
    }

    private static ISchedule mapSchedule() {
        return new MapSchedule.Builder(ScheduleType.EPOCH).add(0, 0.85).add(2, 0.6).build();
    }

    private static NeuralNetConfiguration.Builder base(IDropout globalDropout) {
        return new NeuralNetConfiguration.Builder().seed(SEED).dataType(DataType.FLOAT).updater(new Adam(0.05))
                .weightInit(WeightInit.XAVIER).dropOut(globalDropout);
    }

    /**
     * Feed-forward, 4 inputs, 3 classes. Layers 0 and 4 get the global dropout; every other layer has its own (alpha
     * dropout and Gaussian noise with schedules among them).
     */
    static MultiLayerConfiguration denseConfiguration() {
        return base(MaskDropout.ofDropRate(0.1)).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.8)).scaling(Scaling.VANILLA)
                        .monteCarlo(true).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(stepSchedule()).storage(MaskStorage.STORED)).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(mapSchedule()).sharedAxes(0)).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.gaussianOfDropRate(0.25).storage(MaskStorage.STORED))
                        .build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.alpha(stepSchedule()).storage(MaskStorage.STORED))
                        .build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussianNoise(mapSchedule())).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX)
                        .dropOut(MaskDropout.bernoulli(stepSchedule()).storage(MaskStorage.STORED).sharedAxes(1))
                        .build())
                .setInputType(InputType.feedForward(4)).build();
    }

    /** Spatial masks and DropBlock in both data formats, as .dropOut(...) and as a layer. */
    static MultiLayerConfiguration cnnConfiguration(CNN2DFormat format) {
        return base(MaskDropout.gaussian(0.9)).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).dataFormat(format)
                        .build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.gaussian(0.7).spatial(format)
                        .storage(MaskStorage.STORED)).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.dropBlock(0.8, 2, format)
                        .blockNormalization(BlockNormalization.EXAMPLE).storage(MaskStorage.STORED)).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).dataFormat(format)
                        .dropOut(MaskDropout.bernoulli(mapSchedule()).spatial(format)).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).dataFormat(format)
                        .dropOut(MaskDropout.dropBlock(stepSchedule(), 2, format)
                                .sharedAxes(format == CNN2DFormat.NCHW ? 1 : 3)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2, format)).build();
    }

    /** Time-locked masks: the layer sees the network's format, .dropOut(...) on an LSTM sees NCW. */
    static MultiLayerConfiguration rnnConfiguration(RNNFormat format) {
        return base(MaskDropout.bernoulli(0.95)).list()
                .layer(new LSTM.Builder().nOut(4).activation(Activation.TANH).dataFormat(format).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7).timeLocked(format))
                        .scaling(Scaling.VANILLA).build())
                .layer(new LSTM.Builder().nOut(3).activation(Activation.TANH).dataFormat(format)
                        .dropOut(MaskDropout.gaussian(stepSchedule()).timeLocked(RNNFormat.NCW)
                                .storage(MaskStorage.STORED)).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).dataFormat(format).build())
                .setInputType(InputType.recurrent(3, 5, format)).build();
    }

    /**
     * Two inputs (3 and 2 features), 3 classes; "denseB" and "out" get the global dropout. "hidden" has a residual
     * connection whose branch goes through drop path, and alpha dropout and Gaussian noise act on "denseB".
     */
    static ComputationGraphConfiguration graphConfiguration() {
        return base(MaskDropout.gaussian(0.9)).graphBuilder()
                .addInputs("a", "b")
                .addLayer("denseA", new DenseLayer.Builder().nOut(4).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(stepSchedule()).storage(MaskStorage.STORED)).build(), "a")
                .addLayer("denseB", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "b")
                .addLayer("alphaB", new MaskDropoutLayer.Builder(MaskDropout.alpha(0.9)).build(), "denseB")
                .addLayer("noiseB", new MaskDropoutLayer.Builder(MaskDropout.gaussianNoise(0.2)
                        .storage(MaskStorage.STORED)).build(), "alphaB")
                .addLayer("dropB", new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.75).sharedAxes(0))
                        .scaling(Scaling.VANILLA).monteCarlo(true).build(), "noiseB")
                .addVertex("merge", new MergeVertex(), "denseA", "dropB")
                .addLayer("hidden", new DenseLayer.Builder().nOut(4).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(mapSchedule())).build(), "merge")
                .addLayer("branch", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "hidden")
                .addLayer("path", new MaskDropoutLayer.Builder(MaskDropout.dropPath(0.8).storage(MaskStorage.STORED))
                        .build(), "branch")
                .addVertex("residual", new ElementWiseVertex(ElementWiseVertex.Op.Add), "hidden", "path")
                .addLayer("drop", new MaskDropoutLayer.Builder(MaskDropout.gaussianOfDropRate(0.2)
                        .storage(MaskStorage.STORED)).build(), "residual")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "drop")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(3), InputType.feedForward(2))
                .build();
    }

    static Map<String, Supplier<MultiLayerConfiguration>> multiLayerConfigurations() {
        Map<String, Supplier<MultiLayerConfiguration>> confs = new LinkedHashMap<>();
        confs.put("dense", SerializationTest::denseConfiguration);
        confs.put("cnn NCHW", () -> cnnConfiguration(CNN2DFormat.NCHW));
        confs.put("cnn NHWC", () -> cnnConfiguration(CNN2DFormat.NHWC));
        confs.put("rnn NCW", () -> rnnConfiguration(RNNFormat.NCW));
        confs.put("rnn NWC", () -> rnnConfiguration(RNNFormat.NWC));
        return confs;
    }

    static Stream<String> multiLayerConfigurationNames() {
        return multiLayerConfigurations().keySet().stream();
    }

    enum Text { JSON, YAML }

    static List<Arguments> multiLayerCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : multiLayerConfigurations().keySet()) {
            for (Text text : Text.values()) {
                cases.add(Arguments.of(name, text));
            }
        }
        return cases;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers.

    /** Every layer's dropout, by layer index and class, in layer order. */
    static Map<String, IDropout> dropouts(MultiLayerConfiguration conf) {
        Map<String, IDropout> dropouts = new LinkedHashMap<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            dropouts.put("layer " + i + " (" + layer.getClass().getSimpleName() + ")", layer.getIDropout());
        }
        return dropouts;
    }

    /** Every layer vertex's dropout, by vertex name. */
    static Map<String, IDropout> dropouts(ComputationGraphConfiguration conf) {
        Map<String, IDropout> dropouts = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex) {
                dropouts.put(e.getKey(), ((LayerVertex) e.getValue()).getLayerConf().getLayer().getIDropout());
            }
        }
        return dropouts;
    }

    /** The dropouts the runtime layers of a network use (their own configurations), by layer index. */
    static Map<String, IDropout> dropouts(MultiLayerNetwork net) {
        Map<String, IDropout> dropouts = new LinkedHashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i).conf().getLayer();
            dropouts.put("layer " + i + " (" + layer.getClass().getSimpleName() + ")", layer.getIDropout());
        }
        return dropouts;
    }

    /** The dropouts the runtime layers of a graph use, by layer name. */
    static Map<String, IDropout> dropouts(ComputationGraph net) {
        Map<String, IDropout> dropouts = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            Layer conf = layer.conf().getLayer();
            dropouts.put(conf.getLayerName(), conf.getIDropout());
        }
        return dropouts;
    }

    /**
     * The restored dropout is a MaskDropout equal to the original in every configuration field, and a schedule gives
     * the same p at the same iteration and epoch: a lost or replaced schedule, a lost storage mode or lost shared
     * axes fail here even if equals() were to miss them.
     */
    static void assertSameMaskDropout(IDropout expected, IDropout actual, String where) {
        if (expected == null) {
            assertNull(actual, where + ": no dropout in the original, none restored");
            return;
        }
        MaskDropout e = assertInstanceOf(MaskDropout.class, expected, where + ": original");
        MaskDropout a = assertInstanceOf(MaskDropout.class, actual, where + ": restored dropout class");
        assertAll(where,
                () -> assertEquals(e.getKind(), a.getKind(), where + ": kind"),
                () -> assertEquals(e.getP(), a.getP(), where + ": fixed p (NaN when a schedule gives it)"),
                () -> assertEquals(e.getPSchedule(), a.getPSchedule(), where + ": schedule for p"),
                () -> assertEquals(e.getStorage(), a.getStorage(), where + ": storage"),
                () -> assertArrayEquals(e.getSharedAxes(), a.getSharedAxes(), where + ": shared axes"),
                () -> assertEquals(e.isPerExample(), a.isPerExample(), where + ": per-example mask"),
                () -> assertEquals(e.getSigma(), a.getSigma(), where + ": fixed noise sigma"),
                () -> assertEquals(e.getSigmaSchedule(), a.getSigmaSchedule(), where + ": schedule for sigma"),
                () -> assertEquals(e.getBlockSize(), a.getBlockSize(), where + ": DropBlock's block size"),
                () -> assertEquals(e.getBlockFormat(), a.getBlockFormat(), where + ": DropBlock's format"),
                () -> assertEquals(e.getBlockNormalization(), a.getBlockNormalization(),
                        where + ": DropBlock's normalization"),
                () -> {
                    for (int t = 0; t < 6; t++) {
                        assertEquals(e.retainProbability(t, t / 2), a.retainProbability(t, t / 2),
                                where + ": p at iteration " + t + ", epoch " + t / 2);
                        if (e.getKind() == MaskKind.GAUSSIAN_NOISE) {
                            assertEquals(e.noiseSigma(t, t / 2), a.noiseSigma(t, t / 2),
                                    where + ": sigma at iteration " + t + ", epoch " + t / 2);
                        }
                    }
                },
                () -> assertEquals(e, a, where + ": equals"));
    }

    static void assertSameMaskDropouts(Map<String, IDropout> expected, Map<String, IDropout> actual) {
        assertEquals(expected.keySet(), actual.keySet(), "the same layers");
        for (String layer : expected.keySet()) {
            assertSameMaskDropout(expected.get(layer), actual.get(layer), layer);
        }
    }

    /**
     * Each layer of the copy has its own MaskDropout, equal to the original's, and no MaskDropout is used twice in
     * either. Behaviourally: after a forward pass of the original's instance, the copy's instance has no pending
     * pass to back-propagate (IllegalStateException), while the original's has.
     */
    static void assertNoSharedMaskState(Map<String, IDropout> original, Map<String, IDropout> copy, long[] shape) {
        assertEquals(original.keySet(), copy.keySet(), "the same layers");
        Set<IDropout> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int compared = 0;
        for (String layer : original.keySet()) {
            IDropout o = original.get(layer);
            IDropout c = copy.get(layer);
            if (o == null) {
                assertNull(c, layer + ": no dropout in the original, none in the copy");
                continue;
            }
            assertNotSame(o, c, layer + ": the copy has its own MaskDropout instance");
            assertEquals(o, c, layer + ": ... equal to the original's");
            assertTrue(seen.add(o), layer + ": the original's MaskDropout is used by no other layer");
            assertTrue(seen.add(c), layer + ": the copy's MaskDropout is used by no other layer");

            INDArray x = Nd4j.rand(DataType.FLOAT, shape).addi(0.5);
            Nd4j.getRandom().setSeed(SEED);
            o.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> c.backprop(Nd4j.ones(DataType.FLOAT, shape), null, 0, 0),
                    layer + ": the copy must not see the original's pending forward pass");
            assertTrue(e.getMessage().contains("no training forward pass pending"), e.getMessage());
            o.backprop(Nd4j.ones(DataType.FLOAT, shape), null, 0, 0); // the original's own pass is still pending
            compared++;
        }
        assertTrue(compared >= 4, "the networks under test have MaskDropouts on at least 4 layers, got " + compared);
    }

    static boolean bitwiseEqual(INDArray a, INDArray b) {
        return Arrays.equals(a.shape(), b.shape()) && Arrays.equals(Bits.rawBits(a), Bits.rawBits(b));
    }

    static INDArray oneHot(int n, int classes) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % classes, 1.0);
        }
        return labels;
    }

    static DataSet denseData() {
        return data("dense");
    }

    /** A small batch for the configuration of this name in {@link #multiLayerConfigurations()}. */
    static DataSet data(String configuration) {
        Nd4j.getRandom().setSeed(7);
        if (configuration.startsWith("cnn")) {
            long[] shape = configuration.endsWith("NCHW") ? new long[] {6, 2, 5, 5} : new long[] {6, 5, 5, 2};
            return new DataSet(Nd4j.rand(DataType.FLOAT, shape).subi(0.5), oneHot(6, 3));
        }
        if (configuration.startsWith("rnn")) {
            boolean ncw = configuration.endsWith("NCW");
            INDArray labels = Nd4j.zeros(DataType.FLOAT, ncw ? new long[] {4, 2, 5} : new long[] {4, 5, 2});
            for (int i = 0; i < 4; i++) {
                for (int t = 0; t < 5; t++) {
                    int c = (i + t) % 2;
                    labels.putScalar(ncw ? new long[] {i, c, t} : new long[] {i, t, c}, 1.0);
                }
            }
            long[] shape = ncw ? new long[] {4, 3, 5} : new long[] {4, 5, 3};
            return new DataSet(Nd4j.rand(DataType.FLOAT, shape).subi(0.5), labels);
        }
        return new DataSet(Nd4j.rand(DataType.FLOAT, 8, 4).subi(0.5), oneHot(8, 3));
    }

    static MultiDataSet graphData() {
        Nd4j.getRandom().setSeed(8);
        return new MultiDataSet(new INDArray[] {Nd4j.rand(DataType.FLOAT, 8, 3).subi(0.5),
                Nd4j.rand(DataType.FLOAT, 8, 2).subi(0.5)}, new INDArray[] {oneHot(8, 3)});
    }

    @SuppressWarnings("unchecked")
    static <T extends Serializable> T javaRoundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The configurations under test, and the field-by-field check, are not vacuous.

    @Test
    void configurationsUnderTestUseEveryOption() {
        List<MaskDropout> all = new ArrayList<>();
        List<MaskDropoutLayer> layers = new ArrayList<>();
        for (Supplier<MultiLayerConfiguration> conf : multiLayerConfigurations().values()) {
            MultiLayerConfiguration c = conf.get();
            dropouts(c).values().forEach(d -> all.add((MaskDropout) d));
            c.getConfs().stream().map(NeuralNetConfiguration::getLayer).filter(MaskDropoutLayer.class::isInstance)
                    .forEach(l -> layers.add((MaskDropoutLayer) l));
        }
        dropouts(graphConfiguration()).values().forEach(d -> all.add((MaskDropout) d));

        Set<MaskKind> kinds = EnumSet.noneOf(MaskKind.class);
        Set<MaskStorage> storages = EnumSet.noneOf(MaskStorage.class);
        Set<Class<?>> schedules = new HashSet<>();
        Set<String> axes = new HashSet<>();
        boolean fixedP = false;
        for (MaskDropout d : all) {
            kinds.add(d.getKind());
            storages.add(d.getStorage());
            if (d.getPSchedule() != null) {
                schedules.add(d.getPSchedule().getClass());
            } else {
                fixedP = true;
            }
            axes.add(Arrays.toString(d.getSharedAxes()));
        }
        assertEquals(EnumSet.allOf(MaskKind.class), kinds, "every mask kind");
        assertTrue(all.stream().anyMatch(MaskDropout::isPerExample), "a per-example (drop path) mask");
        assertTrue(all.stream().anyMatch(d -> d.getSigmaSchedule() != null)
                && all.stream().anyMatch(d -> !Double.isNaN(d.getSigma())), "noise with fixed and scheduled sigma");
        assertEquals(EnumSet.allOf(MaskStorage.class), storages, "both storage modes");
        assertEquals(Set.of(MapSchedule.class, StepSchedule.class), schedules, "both schedule classes");
        assertTrue(fixedP, "fixed p too");
        assertTrue(axes.containsAll(List.of("[]", "[0]", "[1]", "[2]", "[1, 2]", "[2, 3]")),
                "element-wise, explicit, time-locked (NCW, NWC) and spatial (NHWC, NCHW) axes: " + axes);
        assertTrue(layers.stream().anyMatch(l -> l.getScaling() == Scaling.VANILLA && l.isMonteCarlo()),
                "a MaskDropoutLayer with vanilla scaling and Monte Carlo dropout");
        assertTrue(layers.stream().anyMatch(l -> l.getRnnDataFormat() == RNNFormat.NWC),
                "a MaskDropoutLayer that knows its recurrent format");
        assertEquals(MaskDropout.ofDropRate(0.1), denseConfiguration().getConf(0).getLayer().getIDropout(),
                "the global .dropOut(...) reaches a layer without its own");
    }

    @Test
    void fieldByFieldComparisonCatchesALostSchedule() {
        MaskDropout scheduled = MaskDropout.bernoulli(stepSchedule()).storage(MaskStorage.STORED);
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(scheduled,
                MaskDropout.bernoulli(0.9).storage(MaskStorage.STORED), "lost schedule"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(scheduled,
                MaskDropout.bernoulli(mapSchedule()).storage(MaskStorage.STORED), "replaced schedule"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(scheduled,
                MaskDropout.bernoulli(stepSchedule()), "lost storage"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(scheduled.sharedAxes(1),
                scheduled, "lost shared axes"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(scheduled.perExample(),
                scheduled, "lost per-example sharing"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(MaskDropout.gaussianNoise(mapSchedule()),
                MaskDropout.gaussianNoise(0.85), "lost sigma schedule"));
        MaskDropout block = MaskDropout.dropBlock(0.9, 3, CNN2DFormat.NCHW);
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(block,
                MaskDropout.dropBlock(0.9, 3, CNN2DFormat.NHWC), "lost format"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(block,
                MaskDropout.dropBlock(0.9, 5, CNN2DFormat.NCHW), "lost block size"));
        assertThrows(AssertionError.class, () -> assertSameMaskDropout(block,
                block.blockNormalization(BlockNormalization.EXAMPLE), "lost normalization"));
        assertSameMaskDropout(scheduled, scheduled.clone(), "a clone");
    }

    // ------------------------------------------------------------------------------------------------------------
    // JSON and YAML.

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("multiLayerCases")
    void multiLayerConfigurationSurvivesJsonAndYaml(String name, Text text) {
        MultiLayerConfiguration original = multiLayerConfigurations().get(name).get();
        MultiLayerConfiguration restored = text == Text.JSON
                ? MultiLayerConfiguration.fromJson(original.toJson())
                : MultiLayerConfiguration.fromYaml(original.toYaml());

        assertSameMaskDropouts(dropouts(original), dropouts(restored));
        for (int i = 0; i < original.getConfs().size(); i++) {
            Layer o = original.getConf(i).getLayer();
            Layer r = restored.getConf(i).getLayer();
            if (o instanceof MaskDropoutLayer) {
                MaskDropoutLayer ol = (MaskDropoutLayer) o;
                MaskDropoutLayer rl = assertInstanceOf(MaskDropoutLayer.class, r, "layer " + i);
                assertEquals(ol.getScaling(), rl.getScaling(), "layer " + i + ": scaling");
                assertEquals(ol.isMonteCarlo(), rl.isMonteCarlo(), "layer " + i + ": Monte Carlo");
                assertEquals(ol.getRnnDataFormat(), rl.getRnnDataFormat(), "layer " + i + ": recurrent format");
            }
        }
        assertEquals(original, restored, "the restored configuration equals the original");
        assertEquals(original.toJson(), restored.toJson(), "and serializes to the same text again");
    }

    @ParameterizedTest
    @EnumSource(Text.class)
    void graphConfigurationSurvivesJsonAndYaml(Text text) {
        ComputationGraphConfiguration original = graphConfiguration();
        ComputationGraphConfiguration restored = text == Text.JSON
                ? ComputationGraphConfiguration.fromJson(original.toJson())
                : ComputationGraphConfiguration.fromYaml(original.toYaml());

        assertSameMaskDropouts(dropouts(original), dropouts(restored));
        MaskDropoutLayer dropB = (MaskDropoutLayer) ((LayerVertex) restored.getVertices().get("dropB"))
                .getLayerConf().getLayer();
        assertEquals(Scaling.VANILLA, dropB.getScaling(), "scaling");
        assertTrue(dropB.isMonteCarlo(), "Monte Carlo");
        assertEquals(original, restored, "the restored configuration equals the original");
        assertEquals(original.toJson(), restored.toJson(), "and serializes to the same text again");
    }

    // ------------------------------------------------------------------------------------------------------------
    // ModelSerializer: a restored network is the trained network, updater state included.

    @ParameterizedTest(name = "{0}")
    @MethodSource("multiLayerConfigurationNames")
    void trainedMultiLayerNetworkSurvivesModelSerializer(String name, @TempDir Path dir) throws IOException {
        DataSet data = data(name);
        MultiLayerNetwork net = new MultiLayerNetwork(multiLayerConfigurations().get(name).get());
        net.init();
        for (int i = 0; i < TRAINING_STEPS; i++) {
            net.fit(data);
        }
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations(), "configuration");
        assertSameMaskDropouts(dropouts(net), dropouts(restored));
        assertBitwiseEqual(net.params(), restored.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(),
                "updater state");

        // The dense network has a Monte Carlo layer: inference draws a mask, from the same seed on both.
        Nd4j.getRandom().setSeed(SEED);
        INDArray expected = net.output(data.getFeatures());
        Nd4j.getRandom().setSeed(SEED);
        INDArray actual = restored.output(data.getFeatures());
        assertBitwiseEqual(expected, actual, "inference output");

        INDArray before = net.params().dup();
        Nd4j.getRandom().setSeed(SEED);
        net.fit(data);
        Nd4j.getRandom().setSeed(SEED);
        restored.fit(data);
        assertFalse(bitwiseEqual(before, net.params()), "the extra step changes the parameters");
        assertBitwiseEqual(net.params(), restored.params(), "parameters after one more step from the same seed");
    }

    @Test
    void trainedComputationGraphSurvivesModelSerializer(@TempDir Path dir) throws IOException {
        MultiDataSet data = graphData();
        ComputationGraph net = new ComputationGraph(graphConfiguration());
        net.init();
        for (int i = 0; i < TRAINING_STEPS; i++) {
            net.fit(data);
        }
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertEquals(net.getConfiguration(), restored.getConfiguration(), "configuration");
        assertSameMaskDropouts(dropouts(net), dropouts(restored));
        assertBitwiseEqual(net.params(), restored.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(),
                "updater state");

        // "dropB" is a Monte Carlo layer: inference draws a mask, from the same seed on both.
        Nd4j.getRandom().setSeed(SEED);
        INDArray expected = net.outputSingle(data.getFeatures());
        Nd4j.getRandom().setSeed(SEED);
        INDArray actual = restored.outputSingle(data.getFeatures());
        assertBitwiseEqual(expected, actual, "inference output");

        INDArray before = net.params().dup();
        Nd4j.getRandom().setSeed(SEED);
        net.fit(data);
        Nd4j.getRandom().setSeed(SEED);
        restored.fit(data);
        assertFalse(bitwiseEqual(before, net.params()), "the extra step changes the parameters");
        assertBitwiseEqual(net.params(), restored.params(), "parameters after one more step from the same seed");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Java serialization.

    static Stream<MaskDropout> maskDropouts() {
        return Stream.of(
                MaskDropout.bernoulli(0.8),
                MaskDropout.gaussianOfDropRate(0.3).storage(MaskStorage.STORED),
                MaskDropout.bernoulli(stepSchedule()).storage(MaskStorage.STORED).spatial(CNN2DFormat.NHWC),
                MaskDropout.gaussian(mapSchedule()).timeLocked(RNNFormat.NCW),
                MaskDropout.ofDropRate(0.5).sharedAxes(0, 3),
                MaskDropout.alpha(0.9).storage(MaskStorage.STORED).spatial(CNN2DFormat.NCHW),
                MaskDropout.alpha(stepSchedule()),
                MaskDropout.gaussianNoise(0.3).sharedAxes(1),
                MaskDropout.gaussianNoise(mapSchedule()).storage(MaskStorage.STORED),
                MaskDropout.dropPath(0.7).storage(MaskStorage.STORED),
                MaskDropout.dropBlock(0.9, 7, CNN2DFormat.NHWC).sharedAxes(3)
                        .blockNormalization(BlockNormalization.EXAMPLE),
                MaskDropout.dropBlock(stepSchedule(), 4, CNN2DFormat.NCHW).storage(MaskStorage.STORED));
    }

    @ParameterizedTest
    @MethodSource("maskDropouts")
    void maskDropoutSurvivesJavaSerialization(MaskDropout original) throws Exception {
        MaskDropout restored = javaRoundTrip(original);
        assertNotSame(original, restored);
        assertSameMaskDropout(original, restored, "MaskDropout after Java serialization");
        assertEquals(original.hashCode(), restored.hashCode(), "hash code");
    }

    @Test
    void javaSerializationCarriesNoPendingPass() throws Exception {
        MaskDropout original = MaskDropout.bernoulli(stepSchedule()).storage(MaskStorage.STORED);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4);
        Nd4j.getRandom().setSeed(SEED);
        original.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        assertTrue(original.keptMaskBytes() > 0, "the original keeps its mask for backward");

        MaskDropout restored = javaRoundTrip(original);
        assertEquals(original, restored);
        assertEquals(0, restored.keptMaskBytes(), "the mask is run-time state, not serialized");
        assertThrows(IllegalStateException.class, () -> restored.backprop(x.ulike().assign(1), null, 0, 0),
                "the restored instance has no pending forward pass");
        original.backprop(x.ulike().assign(1), null, 0, 0);
    }

    @Test
    void maskDropoutLayerSurvivesJavaSerialization() throws Exception {
        MaskDropoutLayer original = new MaskDropoutLayer.Builder(MaskDropout.bernoulli(mapSchedule())
                .storage(MaskStorage.STORED).timeLocked(RNNFormat.NWC))
                .scaling(Scaling.VANILLA).monteCarlo(true).name("drop").build();
        original.setRnnDataFormat(RNNFormat.NWC);

        MaskDropoutLayer restored = javaRoundTrip(original);
        assertNotSame(original, restored);
        assertEquals(original, restored, "equal after the round trip");
        assertEquals("drop", restored.getLayerName(), "name");
        assertEquals(Scaling.VANILLA, restored.getScaling(), "scaling");
        assertTrue(restored.isMonteCarlo(), "Monte Carlo");
        assertEquals(RNNFormat.NWC, restored.getRnnDataFormat(), "recurrent format");
        assertNotSame(original.getDropout(), restored.getDropout());
        assertSameMaskDropout(original.getDropout(), restored.getDropout(), "the layer's MaskDropout");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Cloning never shares mask state.

    @Test
    void clonedMultiLayerConfigurationSharesNoMaskState() {
        MultiLayerConfiguration original = denseConfiguration();
        MultiLayerConfiguration clone = original.clone();
        assertEquals(original, clone);
        assertNoSharedMaskState(dropouts(original), dropouts(clone), new long[] {3, 4});
    }

    @Test
    void clonedGraphConfigurationSharesNoMaskState() {
        ComputationGraphConfiguration original = graphConfiguration();
        ComputationGraphConfiguration clone = original.clone();
        assertEquals(original, clone);
        assertNoSharedMaskState(dropouts(original), dropouts(clone), new long[] {3, 4});
    }

    @Test
    void clonedMultiLayerNetworkSharesNoMaskState() {
        MultiLayerNetwork net = new MultiLayerNetwork(denseConfiguration());
        net.init();
        net.fit(denseData());
        MultiLayerNetwork clone = net.clone();
        assertEquals(net.getLayerWiseConfigurations(), clone.getLayerWiseConfigurations());
        assertNoSharedMaskState(dropouts(net), dropouts(clone), new long[] {3, 4});
        assertNoSharedMaskState(dropouts(net.getLayerWiseConfigurations()),
                dropouts(clone.getLayerWiseConfigurations()), new long[] {3, 4});
    }

    @Test
    void clonedComputationGraphSharesNoMaskState() {
        ComputationGraph net = new ComputationGraph(graphConfiguration());
        net.init();
        net.fit(graphData());
        ComputationGraph clone = net.clone();
        // Not the whole configuration: DL4J's ComputationGraphConfiguration.clone() resets the iteration count.
        assertEquals(net.getConfiguration().getVertices(), clone.getConfiguration().getVertices());
        assertNoSharedMaskState(dropouts(net), dropouts(clone), new long[] {3, 4});
        assertNoSharedMaskState(dropouts(net.getConfiguration()), dropouts(clone.getConfiguration()),
                new long[] {3, 4});
    }
}

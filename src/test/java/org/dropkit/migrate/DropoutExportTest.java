package org.dropkit.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.util.GraphIndices;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.Scaling;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * What {@link DropoutExport} makes of each Dropkit dropout in a configuration: DL4J's built-in of the same meaning
 * (with DL4J's conventions: a retain probability for Dropout and SpatialDropout, a drop rate for GaussianDropout), or
 * left and reported with the reason; refused on request; the original unchanged; and swap(export(x)) equal to x.
 */
class DropoutExportTest {

    private static final ISchedule STEPS = new StepSchedule(ScheduleType.ITERATION, 0.9, 0.9, 100);

    /** Dense 5 -> 4 -> output, the dropout on the middle layer's input. */
    static MultiLayerConfiguration onDense(IDropout dropout) {
        return new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).dropOut(dropout).build())
                .layer(output())
                .setInputType(InputType.feedForward(5)).build();
    }

    /** A MaskDropoutLayer named "drop" after a layer of the given output type. */
    static MultiLayerConfiguration layerAfter(Layer before, MaskDropoutLayer drop, InputType input) {
        return new NeuralNetConfiguration.Builder().list()
                .layer(before)
                .layer(drop)
                .layer(new DenseLayer.Builder().nOut(3).build())
                .layer(output())
                .setInputType(input).build();
    }

    static MaskDropoutLayer drop(MaskDropout d) {
        return new MaskDropoutLayer.Builder(d).name("drop").build();
    }

    static OutputLayer output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build();
    }

    static Layer conv(CNN2DFormat format) {
        return new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(format).build();
    }

    static InputType image(CNN2DFormat format) {
        return InputType.convolutional(6, 6, 2, format);
    }

    static Stream<Arguments> converted() {
        return Stream.of(
                Arguments.of("bernoulli(p) on a dense layer", onDense(MaskDropout.bernoulli(0.8)), 1,
                        new Dropout(0.8)),
                Arguments.of("bernoulli(schedule)", onDense(MaskDropout.bernoulli(STEPS)), 1, new Dropout(STEPS)),
                Arguments.of("gaussian(p): GaussianDropout takes the rate 1 - p, decimally",
                        onDense(MaskDropout.gaussian(0.7)), 1, new GaussianDropout(0.3)),
                Arguments.of("gaussian(OneMinusSchedule(s)): the rate schedule s itself",
                        onDense(MaskDropout.gaussian(new OneMinusSchedule(STEPS))), 1, new GaussianDropout(STEPS)),
                Arguments.of("gaussian(MapSchedule): the complement of every value",
                        onDense(MaskDropout.gaussian(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 0.9, 3, 0.7)))),
                        1, new GaussianDropout(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 0.1, 3, 0.3)))),
                Arguments.of("gaussian(FixedSchedule)", onDense(MaskDropout.gaussian(new FixedSchedule(0.8))), 1,
                        new GaussianDropout(new FixedSchedule(0.2))),
                Arguments.of("alpha(p)", onDense(MaskDropout.alpha(0.9)), 1, new AlphaDropout(0.9)),
                Arguments.of("gaussianNoise(sigma)", onDense(MaskDropout.gaussianNoise(0.3)), 1,
                        new GaussianNoise(0.3)),
                Arguments.of("gaussianNoise(schedule)", onDense(MaskDropout.gaussianNoise(STEPS)), 1,
                        new GaussianNoise(STEPS)),
                Arguments.of("spatial(NCHW) on an NCHW convolution",
                        new NeuralNetConfiguration.Builder().list().layer(conv(CNN2DFormat.NCHW))
                                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3)
                                        .dropOut(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NCHW)).build())
                                .layer(output()).setInputType(image(CNN2DFormat.NCHW)).build(), 1,
                        new SpatialDropout(0.8)),
                Arguments.of("timeLocked(NCW) on an LSTM: one value per (example, feature), SpatialDropout on NCW",
                        lstm(RNNFormat.NCW, MaskDropout.bernoulli(0.8).timeLocked(RNNFormat.NCW)), 1,
                        new SpatialDropout(0.8)),
                Arguments.of("timeLocked(NWC) on an LSTM, which hands its dropout NCW",
                        lstm(RNNFormat.NWC, MaskDropout.bernoulli(0.8).timeLocked(RNNFormat.NWC)), 1,
                        new SpatialDropout(0.8)),
                Arguments.of("MaskDropoutLayer spatial(NCDHW) after a Convolution3D",
                        layerAfter(new Convolution3D.Builder(2, 2, 2).nOut(3).build(),
                                drop(MaskDropout.bernoulli(0.6).spatial(Convolution3D.DataFormat.NCDHW)),
                                InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2)), 1,
                        new SpatialDropout(0.6)),
                Arguments.of("MaskDropoutLayer sharedAxes(2) after an NCW LSTM",
                        layerAfter(new LSTM.Builder().nOut(3).build(), drop(MaskDropout.bernoulli(0.6).sharedAxes(2)),
                                InputType.recurrent(2, 5, RNNFormat.NCW)), 1, new SpatialDropout(0.6)),
                Arguments.of("MaskDropoutLayer alpha(p)", layerAfter(new DenseLayer.Builder().nOut(4).build(),
                        drop(MaskDropout.alpha(0.95)), InputType.feedForward(5)), 1, new AlphaDropout(0.95)));
    }

    static MultiLayerConfiguration lstm(RNNFormat format, MaskDropout dropout) {
        return new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nOut(3).dataFormat(format).build())
                .layer(new LSTM.Builder().nOut(3).dataFormat(format).dropOut(dropout).build())
                .setInputType(InputType.recurrent(2, 5, format)).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("converted")
    void convertsToTheBuiltInOfTheSameMeaning(String name, MultiLayerConfiguration conf, int index,
            IDropout expected) {
        String before = conf.toJson();

        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(conf);

        assertEquals(1, result.converted().size(), result::toString);
        assertTrue(result.isDropkitFree(), result::toString);
        Layer layer = result.get().getConf(index).getLayer();
        assertEquals(expected, layer.getIDropout(), result::toString);
        if (conf.getConf(index).getLayer() instanceof MaskDropoutLayer) {
            assertInstanceOf(DropoutLayer.class, layer);
            assertEquals("drop", layer.getLayerName());
            assertEquals(ExportResult.Site.DROPOUT_LAYER, result.converted().get(0).site());
        }
        assertSame(expected.getClass(), result.converted().get(0).replacement().getClass());
        assertFalse(result.get().toJson().contains("org.dropkit"), result.get().toJson());
        assertEquals(before, conf.toJson(), "the original configuration is unchanged");
    }

    static Stream<Arguments> left() {
        return Stream.of(
                Arguments.of("DropBlock", layerAfter(conv(CNN2DFormat.NCHW),
                        drop(MaskDropout.dropBlock(0.9, 2, CNN2DFormat.NCHW)), image(CNN2DFormat.NCHW)),
                        "DL4J has no built-in DropBlock"),
                Arguments.of("drop path", layerAfter(new DenseLayer.Builder().nOut(4).build(),
                        drop(MaskDropout.dropPath(0.9)), InputType.feedForward(5)), "one mask value per example"),
                Arguments.of("time-locked NWC in a MaskDropoutLayer (shares axis 1)",
                        layerAfter(new LSTM.Builder().nOut(3).dataFormat(RNNFormat.NWC).build(),
                                drop(MaskDropout.bernoulli(0.8).timeLocked(RNNFormat.NWC)),
                                InputType.recurrent(2, 5, RNNFormat.NWC)), "time-locked (NWC) mask, shared axes [1]"),
                Arguments.of("spatial(NHWC): axes 1, 2", layerAfter(conv(CNN2DFormat.NHWC),
                        drop(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NHWC)), image(CNN2DFormat.NHWC)),
                        "shared axes [1, 2] of NHWC input"),
                Arguments.of("spatial(NCHW) on rank 5", layerAfter(new Convolution3D.Builder(2, 2, 2).nOut(3).build(),
                        drop(MaskDropout.bernoulli(0.6).spatial(CNN2DFormat.NCHW)),
                        InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2)),
                        "(here [2, 3, 4])"),
                Arguments.of("shared axes, rank unknown: a MaskDropoutLayer first",
                        spatialFirst(),
                        "DropoutExport.options().inputTypes(...)"),
                Arguments.of("Gaussian with shared axes", layerAfter(conv(CNN2DFormat.NCHW),
                        drop(MaskDropout.gaussian(0.8).spatial(CNN2DFormat.NCHW)), image(CNN2DFormat.NCHW)),
                        "GaussianDropout draws one value per element"),
                Arguments.of("alpha schedule", onDense(MaskDropout.alpha(STEPS)), "\"pschedule\""),
                Arguments.of("gaussian schedule without a DL4J complement",
                        onDense(MaskDropout.gaussian(new ExponentialSchedule(ScheduleType.ITERATION, 0.9, 0.99))),
                        "OneMinusSchedule is Dropkit's"),
                Arguments.of("vanilla scaling", layerAfter(new DenseLayer.Builder().nOut(4).build(),
                        new MaskDropoutLayer.Builder(0.8).name("drop").scaling(Scaling.VANILLA).build(),
                        InputType.feedForward(5)), "vanilla scaling multiplies by p at inference"),
                Arguments.of("Monte Carlo", layerAfter(new DenseLayer.Builder().nOut(4).build(),
                        new MaskDropoutLayer.Builder(0.8).name("drop").monteCarlo(true).build(),
                        InputType.feedForward(5)), "Monte Carlo dropout acts at inference"),
                Arguments.of("Dropout on an NHWC convolution (channels-first backward)",
                        new NeuralNetConfiguration.Builder().list().layer(conv(CNN2DFormat.NHWC))
                                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC)
                                        .dropOut(MaskDropout.bernoulli(0.8)).build())
                                .layer(output()).setInputType(image(CNN2DFormat.NHWC)).build(),
                        "hands its backward pass a channels-first gradient"),
                Arguments.of("SpaceToBatch", new NeuralNetConfiguration.Builder().list()
                        .layer(new SpaceToBatchLayer.Builder(new int[] {2, 2})
                                .dropOut(MaskDropout.bernoulli(0.8)).build())
                        .layer(conv(CNN2DFormat.NCHW)).layer(output()).setInputType(image(CNN2DFormat.NCHW)).build(),
                        "no workspace manager"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("left")
    void leavesWhatHasNoBuiltInEquivalentAndSaysWhy(String name, MultiLayerConfiguration conf, String why) {
        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(conf);

        assertEquals(0, result.converted().size(), result::toString);
        assertEquals(1, result.left().size(), result::toString);
        assertFalse(result.isDropkitFree());
        ExportResult.Entry entry = result.left().get(0);
        assertFalse(entry.isConverted());
        assertNull(entry.replacement());
        assertTrue(entry.note().contains(why), entry::toString);
        assertTrue(result.get().toJson().contains("org.dropkit"), "left as it was");
        assertEquals(conf, result.get(), "nothing changed");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DropoutExport.export(conf, DropoutExport.options().refuseLeftovers()));
        assertTrue(e.getMessage().contains("\"" + entry.layerName() + "\"") && e.getMessage().contains(why),
                e.getMessage());
    }

    @Test
    void gaussianNoiseOnAChannelsLastConvolutionConverts() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list().layer(conv(CNN2DFormat.NHWC))
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC)
                        .dropOut(MaskDropout.gaussianNoise(0.2)).build())
                .layer(output()).setInputType(image(CNN2DFormat.NHWC)).build();

        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(conf);

        assertTrue(result.isDropkitFree(), result::toString);
        assertEquals(new GaussianNoise(0.2), result.get().getConf(1).getLayer().getIDropout());
    }

    /** A spatial MaskDropoutLayer as the first layer: the configuration alone does not tell its input's rank. */
    static MultiLayerConfiguration spatialFirst() {
        return new NeuralNetConfiguration.Builder().list()
                .layer(drop(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NCHW)))
                .layer(conv(CNN2DFormat.NCHW)).layer(output())
                .inputPreProcessor(2, new CnnToFeedForwardPreProcessor(5, 5, 3)).build();
    }

    @Test
    void spatialDropoutOfUnknownRankConvertsWithInputTypes() {
        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(spatialFirst(),
                DropoutExport.options().inputTypes(image(CNN2DFormat.NCHW)));

        assertTrue(result.isDropkitFree(), result::toString);
        assertEquals(new SpatialDropout(0.8), result.get().getConf(0).getLayer().getIDropout());
    }

    /** A DL4J dropout whose schedule is Dropkit's still needs Dropkit: reported, and it makes the result not free. */
    @Test
    void reportsADropkitClassInsideADl4jDropout() {
        MultiLayerConfiguration conf = onDense(new GaussianDropout(new OneMinusSchedule(STEPS)));

        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(conf);

        ExportResult.Entry entry = result.find("layer1", ExportResult.Site.OTHER);
        assertFalse(entry.isConverted(), result::toString);
        assertEquals(OneMinusSchedule.class.getName(), entry.before());
        assertFalse(result.isDropkitFree());
        assertThrows(IllegalArgumentException.class,
                () -> DropoutExport.export(conf, DropoutExport.options().refuseLeftovers()));
    }

    @Test
    void aMaskDropoutLayerWithoutDropoutBecomesTheIdentity() {
        MaskDropoutLayer empty = drop(MaskDropout.bernoulli(0.5));
        empty.setIDropout(null);
        MultiLayerConfiguration conf = layerAfter(new DenseLayer.Builder().nOut(4).build(), empty,
                InputType.feedForward(5));

        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(conf);

        assertTrue(result.isDropkitFree(), result::toString);
        Layer layer = result.get().getConf(1).getLayer();
        assertInstanceOf(ActivationLayer.class, layer);
        assertEquals("drop", layer.getLayerName());
    }

    /**
     * In a graph DL4J lets the last reader of a shared activation drop it out in place, so DL4J's dropout there would
     * corrupt the other reader's gradients: left. The other reader, earlier in DL4J's order, converts.
     */
    @Test
    void leavesDropoutDl4jWouldApplyInPlaceToASharedActivation() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("shared", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("a", new DenseLayer.Builder().nOut(4).dropOut(MaskDropout.bernoulli(0.8)).build(), "shared")
                .addLayer("b", new DenseLayer.Builder().nOut(4).dropOut(MaskDropout.bernoulli(0.7)).build(), "shared")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("out", output(), "sum")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build();
        List<String> dl4jOrder = orderOf(conf);
        String last = dl4jOrder.indexOf("a") > dl4jOrder.indexOf("b") ? "a" : "b";
        String earlier = last.equals("a") ? "b" : "a";

        ExportResult<ComputationGraphConfiguration> result = DropoutExport.export(conf);

        ExportResult.Entry inPlace = result.find(last, ExportResult.Site.DROPOUT);
        assertFalse(inPlace.isConverted(), result::toString);
        assertTrue(inPlace.note().contains("modify that activation in place") && inPlace.note().contains(
                "[" + earlier + "]"), inPlace::toString);
        assertTrue(result.find(earlier, ExportResult.Site.DROPOUT).isConverted(), result::toString);
        assertInstanceOf(Dropout.class, ((LayerVertex) result.get().getVertices().get(earlier)).getLayerConf()
                .getLayer().getIDropout());
    }

    /** A merge copies the shared activation in its forward pass and never reads it again: no hazard, converted. */
    @Test
    void convertsDropoutOnTheLastReaderWhenTheOtherReadersOnlyCopyIt() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("shared", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
                .addVertex("merge", new MergeVertex(), "shared", "in")
                .addVertex("scale", new ScaleVertex(2.0), "shared")
                .addLayer("a", new DenseLayer.Builder().nOut(4).dropOut(MaskDropout.bernoulli(0.8)).build(), "shared")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "merge", "scale")
                .addLayer("out", output(), "sum")
                .addLayer("out2", output(), "a")
                .setOutputs("out", "out2").setInputTypes(InputType.feedForward(4)).build();
        List<String> order = orderOf(conf);
        assertTrue(order.indexOf("a") > order.indexOf("merge") && order.indexOf("a") > order.indexOf("scale"),
                "precondition: \"a\" is the last reader of \"shared\" in DL4J's order " + order);

        ExportResult<ComputationGraphConfiguration> result = DropoutExport.export(conf);

        assertTrue(result.isDropkitFree(), result::toString);
        assertTrue(result.find("a", ExportResult.Site.DROPOUT).isConverted(), result::toString);
    }

    private static List<String> orderOf(ComputationGraphConfiguration conf) {
        GraphIndices indices = new ComputationGraph(conf.clone()).calculateIndices();
        List<String> names = new ArrayList<>();
        for (int i : indices.getTopologicalSortOrder()) {
            names.add(indices.getIdxToName().get(i));
        }
        return names;
    }

    /** Round trip: where every layer converts, swapping the export back gives the configuration it came from. */
    @Test
    void swapOfTheExportIsTheOriginalConfiguration() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(conv(CNN2DFormat.NCHW))
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3)
                        .dropOut(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NCHW)).build())
                .layer(drop(MaskDropout.gaussian(0.7)))
                .layer(new DenseLayer.Builder().nOut(6).dropOut(MaskDropout.bernoulli(STEPS)).build())
                .layer(new DenseLayer.Builder().nOut(6).dropOut(MaskDropout.gaussian(new OneMinusSchedule(STEPS)))
                        .build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.alpha(0.9)).name("alpha").build())
                .layer(new DenseLayer.Builder().nOut(6).dropOut(MaskDropout.gaussianNoise(0.25)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).dropOut(MaskDropout.bernoulli(
                        0.9)).build())
                .setInputType(image(CNN2DFormat.NCHW)).build();

        ExportResult<MultiLayerConfiguration> exported = DropoutExport.export(conf);
        SwapResult<MultiLayerConfiguration> back = DropoutSwap.swap(exported.get());

        assertEquals(7, exported.converted().size(), exported::toString);
        assertTrue(exported.isDropkitFree(), exported::toString);
        assertEquals(7, back.replaced().size(), back::toString);
        assertEquals(conf, back.get(), back::toString);
        assertEquals(conf.toJson(), back.get().toJson());
    }

    /**
     * The other way round: a network builder's global activation, weight init and updater reach its DropoutLayers,
     * which read none of them; the swap keeps them (getSwappedFrom) so that exporting the swap gives the DL4J
     * configuration back, JSON included, also after the swapped configuration went through JSON or YAML itself.
     */
    @Test
    void exportOfTheSwapIsTheOriginalConfigurationWithGlobalSettings() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).activation(Activation.RELU)
                .weightInit(WeightInit.RELU).updater(new Adam(1e-3)).l2(1e-4).list()
                .layer(new DenseLayer.Builder().nOut(6).build())
                .layer(new DropoutLayer.Builder(0.7).name("drop").build())
                .layer(new DenseLayer.Builder().nOut(6).dropOut(new Dropout(0.8)).build())
                .layer(new DropoutLayer.Builder().dropOut(new GaussianDropout(0.2)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.feedForward(5)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);
        MultiLayerConfiguration throughJson = MultiLayerConfiguration.fromJson(swapped.get().toJson());
        ExportResult<MultiLayerConfiguration> back = DropoutExport.export(throughJson);

        assertEquals(3, swapped.replaced().size(), swapped::toString);
        MaskDropoutLayer drop = (MaskDropoutLayer) throughJson.getConf(1).getLayer();
        assertEquals(new ActivationReLU(), drop.getSwappedFrom().getActivationFn(), "kept through JSON");
        assertEquals(conf.toJson(), back.get().toJson());
        assertEquals(conf, back.get());
        assertEquals(swapped.get(), throughJson);
        MultiLayerConfiguration throughYaml = MultiLayerConfiguration.fromYaml(swapped.get().toYaml());
        assertEquals(conf.toJson(), DropoutExport.export(throughYaml).get().toJson(), "through YAML");
    }

    @Test
    void exportOfTheSwapIsTheOriginalGraphConfigurationWithGlobalSettings() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().activation(Activation.TANH)
                .updater(new Adam(1e-2)).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(6).build(), "in")
                .addLayer("drop", new DropoutLayer.Builder(0.6).build(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).build(), "drop")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build();

        ComputationGraphConfiguration swapped = ComputationGraphConfiguration.fromJson(
                DropoutSwap.swap(conf).get().toJson());
        ComputationGraphConfiguration back = DropoutExport.export(swapped).get();
        new ComputationGraph(conf).topologicalSortOrder(); // writes it into conf, as the swap's graph analysis does

        assertInstanceOf(MaskDropoutLayer.class, ((LayerVertex) swapped.getVertices().get("drop")).getLayerConf()
                .getLayer());
        assertEquals(conf.toJson(), back.toJson());
    }

    /** A DropoutLayer with DL4J's own defaults leaves nothing to keep: the swapped JSON is as if written by hand. */
    @Test
    void aDropoutLayerWithDefaultSettingsKeepsNothing() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().nOut(6).build())
                .layer(new DropoutLayer.Builder(0.7).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerConfiguration byHand = new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().nOut(6).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).build())
                .setInputType(InputType.feedForward(5)).build();

        MultiLayerConfiguration swapped = DropoutSwap.swap(conf).get();

        assertNull(((MaskDropoutLayer) swapped.getConf(1).getLayer()).getSwappedFrom());
        assertEquals(byHand.toJson(), swapped.toJson());
        assertFalse(swapped.toJson().contains("swappedFrom"));
        assertEquals(conf.toJson(), DropoutExport.export(swapped).get().toJson());
    }

    @Test
    void reportNamesWhatBecameWhat() {
        ExportResult<MultiLayerConfiguration> result = DropoutExport.export(onDense(MaskDropout.gaussian(0.8)));

        assertEquals("DropoutExport: 1 converted, 0 left (free of Dropkit)\nconverted:\n  \"layer1\" .dropOut of"
                + " DenseLayer: MaskDropout(GAUSSIAN, p=0.8, RECOMPUTE) -> GaussianDropout(rate=0.2) (rate = 1 - p ="
                + " 0.2, sigma = sqrt(rate / (1 - rate)) = 0.5, as Dropkit's)", result.toString());
    }
}

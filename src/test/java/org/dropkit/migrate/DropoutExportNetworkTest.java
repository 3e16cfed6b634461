package org.dropkit.migrate;

import static org.dropkit.migrate.DropoutSwapNetworkTest.inputs;
import static org.dropkit.migrate.DropoutSwapNetworkTest.labels;
import static org.dropkit.migrate.DropoutSwapNetworkTest.output;
import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Model;
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
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.util.NativeCpuBuild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Exporting trained Dropkit networks to DL4J's built-in dropout: inference outputs bit for bit the same, parameters,
 * updater state and counts kept, no Dropkit class in the saved model, and the saved model loads and gives the same
 * outputs in a JVM that has no Dropkit on its class path. MultiLayerNetwork and ComputationGraph; dense, CNN NCHW and
 * LSTM layers; every kind that has a built-in equivalent.
 */
class DropoutExportNetworkTest {

    static MultiLayerNetwork dense() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(31).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8)).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.gaussian(0.7)).name("gauss").build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.SELU).dropOut(MaskDropout.alpha(0.9))
                        .build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.gaussianNoise(0.1)).name("noise").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.bernoulli(new MapSchedule(
                                ScheduleType.ITERATION, Map.of(0, 0.9, 2, 0.8)))).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork cnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(32).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(5).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NCHW)).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7).spatial(CNN2DFormat.NCHW))
                        .name("spatial").build())
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(MaskDropout.gaussian(0.6))
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 2, CNN2DFormat.NCHW)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork lstm() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(33).updater(new Adam(1e-2)).list()
                .layer(new LSTM.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new LSTM.Builder().nOut(6).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8).timeLocked(RNNFormat.NCW)).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)).name("drop").build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.gaussian(0.8)).build())
                .setInputType(InputType.recurrent(4, 7, RNNFormat.NCW)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(34).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("a", "b")
                .addLayer("denseA", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8)).build(), "a")
                .addLayer("dropA", new MaskDropoutLayer.Builder(0.7).build(), "denseA")
                .addLayer("denseB", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(0.75)).build(), "b")
                .addVertex("merge", new MergeVertex(), "dropA", "denseB")
                .addLayer("hidden", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussianNoise(0.2)).build(), "merge")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.alpha(0.9)).build(), "hidden")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(5), InputType.feedForward(4))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** A graph with a CNN NCHW branch and an LSTM branch. */
    static ComputationGraph cnnLstmGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(35).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("image", "sequence")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(),
                        "image")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(5).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NCHW)).build(), "conv1")
                .addLayer("spatial", new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)
                        .spatial(CNN2DFormat.NCHW)).build(), "conv2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "spatial")
                .addLayer("lstm1", new LSTM.Builder().nOut(6).activation(Activation.TANH).build(), "sequence")
                .addLayer("lstm2", new LSTM.Builder().nOut(6).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8).timeLocked(RNNFormat.NCW)).build(), "lstm1")
                .addLayer("lstmDrop", new MaskDropoutLayer.Builder(MaskDropout.gaussian(0.8)).build(), "lstm2")
                .addVertex("last", new LastTimeStepVertex("sequence"), "lstmDrop")
                .addVertex("merge", new MergeVertex(), "pool", "last")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.bernoulli(0.9)).build(), "merge")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(9, 9, 2, CNN2DFormat.NCHW),
                        InputType.recurrent(4, 7, RNNFormat.NCW))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("dense MultiLayerNetwork", (Supplier<Model>) DropoutExportNetworkTest::dense,
                        new long[][] {{10, 6}}, 5),
                Arguments.of("CNN NCHW", (Supplier<Model>) DropoutExportNetworkTest::cnn,
                        new long[][] {{10, 2, 9, 9}}, 3),
                Arguments.of("LSTM", (Supplier<Model>) DropoutExportNetworkTest::lstm, new long[][] {{10, 4, 7}}, 3),
                Arguments.of("dense ComputationGraph", (Supplier<Model>) DropoutExportNetworkTest::graph,
                        new long[][] {{10, 5}, {10, 4}}, 5),
                Arguments.of("CNN and LSTM ComputationGraph", (Supplier<Model>) DropoutExportNetworkTest::cnnLstmGraph,
                        new long[][] {{10, 2, 9, 9}, {10, 4, 7}}, 5));
    }

    static void train(Model net, INDArray[] x, int iterations) {
        for (int i = 0; i < iterations; i++) {
            if (net instanceof MultiLayerNetwork) {
                MultiLayerNetwork mln = (MultiLayerNetwork) net;
                long[] out = mln.output(x[0]).shape();
                INDArray y = out.length == 3 ? labels((int) (out[0] * out[2]), 3).reshape(out[0], out[2], 3)
                        .permute(0, 2, 1).dup() : labels((int) out[0], 3);
                mln.fit(new DataSet(x[0], y));
            } else {
                ((ComputationGraph) net).fit(new MultiDataSet(x, new INDArray[] {labels((int) x[0].size(0), 3)}));
            }
        }
    }

    static ExportResult<? extends Model> export(Model net) {
        return net instanceof MultiLayerNetwork ? DropoutExport.export((MultiLayerNetwork) net)
                : DropoutExport.export((ComputationGraph) net);
    }

    static String json(Model net) {
        return net instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).getLayerWiseConfigurations().toJson()
                : ((ComputationGraph) net).getConfiguration().toJson();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void inferenceOutputsAreBitIdenticalAfterTheExport(String name, Supplier<Model> network, long[][] shapes,
            int converted) {
        Model original = network.get();
        INDArray[] x = inputs(shapes);
        train(original, x, 2);
        assertTrue(json(original).contains("org.dropkit"), "the original uses Dropkit");
        INDArray[] before = output(original, x, false);

        ExportResult<? extends Model> exported = export(original);

        assertEquals(converted, exported.converted().size(), exported::toString);
        assertEquals(0, exported.left().size(), exported::toString);
        assertTrue(exported.isDropkitFree());
        assertFalse(json(exported.get()).contains("org.dropkit"), () -> json(exported.get()));
        INDArray[] after = output(exported.get(), x, false);
        for (int i = 0; i < before.length; i++) {
            assertBitwiseEqual(before[i], after[i], name + " output " + i);
        }
        assertBitwiseEqual(original.params(), exported.get().params(), name + " parameters");
        // Not vacuous: the exported network's dropout acts in training. (A graph's output(true, x) fails with DL4J's
        // dropout: DL4J opens no INPUT workspace there; its feedForward(x, true) does.)
        Nd4j.getRandom().setSeed(5);
        INDArray[] train = trainingOutput(exported.get(), x);
        assertFalse(train[0].equalsWithEps(after[0], 1e-6), name + ": dropout acts in training after the export");
        INDArray trained = exported.get().params().dup();
        train(exported.get(), x, 2);
        assertTrue(Double.isFinite(exported.get().score()), name + ": the export trains on with DL4J's dropout");
        assertFalse(trained.equalsWithEps(exported.get().params(), 1e-7), name + ": parameters moved");
        assertTrue(json(original).contains("org.dropkit"), "the original is unchanged");
    }

    static INDArray[] trainingOutput(Model net, INDArray[] x) {
        if (net instanceof MultiLayerNetwork) {
            return output(net, x, true);
        }
        ComputationGraph graph = (ComputationGraph) net;
        return new INDArray[] {graph.feedForward(x, true).get(graph.getConfiguration().getNetworkOutputs().get(0))};
    }

    static Stream<Arguments> roundTrips() {
        return Stream.of(
                Arguments.of("dense MultiLayerNetwork", (Supplier<Model>) DropoutExportNetworkTest::dense),
                Arguments.of("CNN NCHW", (Supplier<Model>) DropoutExportNetworkTest::cnn),
                Arguments.of("dense ComputationGraph", (Supplier<Model>) DropoutExportNetworkTest::graph));
    }

    /**
     * swap(export(net)) has the original configuration, trained parameters and updater state. (With
     * {@code timeLocked(NCW)} the way back gives {@code sharedAxes(2)}: the same mask, another name in the JSON.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("roundTrips")
    void swapOfTheExportedNetworkIsTheOriginal(String name, Supplier<Model> network) {
        Model original = network.get();
        INDArray[] x = inputs(original instanceof ComputationGraph ? new long[][] {{10, 5}, {10, 4}}
                : name.startsWith("CNN") ? new long[][] {{10, 2, 9, 9}} : new long[][] {{10, 6}});
        train(original, x, 2);

        Model back = DropoutSwapNetworkTest.swap(export(original).get()).get();

        if (original instanceof MultiLayerNetwork) {
            assertEquals(((MultiLayerNetwork) original).getLayerWiseConfigurations(),
                    ((MultiLayerNetwork) back).getLayerWiseConfigurations(), name);
        } else {
            assertEquals(((ComputationGraph) original).getConfiguration(), ((ComputationGraph) back).getConfiguration(),
                    name);
        }
        assertBitwiseEqual(original.params(), back.params(), name + " parameters");
        INDArray[] before = output(original, x, false);
        INDArray[] after = output(back, x, false);
        assertBitwiseEqual(before[0], after[0], name + " output");
    }

    @Test
    void refusesUninitializedNetworksAndInputTypesThatDoNotFit() {
        MultiLayerNetwork net = new MultiLayerNetwork(dense().getLayerWiseConfigurations());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DropoutExport.export(net));
        assertTrue(e.getMessage().contains("net.init()"), e.getMessage());
        IllegalArgumentException types = assertThrows(IllegalArgumentException.class, () -> DropoutExport.export(
                graph().getConfiguration(), DropoutExport.options().inputTypes(InputType.feedForward(5))));
        assertTrue(types.getMessage().contains("give one per network input"), types.getMessage());
    }

    @Test
    void parametersUpdaterStateAndCountsOfAMultiLayerNetworkAreKept() {
        MultiLayerNetwork net = dense();
        INDArray[] x = inputs(new long[][] {{10, 6}});
        train(net, x, 3);

        MultiLayerNetwork exported = DropoutExport.export(net).get();

        assertBitwiseEqual(net.params(), exported.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), exported.getUpdater().getStateViewArray(),
                "Adam's moments");
        assertEquals(3, exported.getIterationCount());
        assertEquals(net.getEpochCount(), exported.getEpochCount());
        assertEquals(new Dropout(0.8), exported.getLayerWiseConfigurations().getConf(1).getLayer().getIDropout());
        // rate = 1 - 0.7 on the decimal digits: 0.3, not 0.30000000000000004
        assertDropoutLayer("gauss", new GaussianDropout(0.3), exported.getLayerWiseConfigurations().getConf(2)
                .getLayer());
        assertEquals(new AlphaDropout(0.9), exported.getLayerWiseConfigurations().getConf(3).getLayer()
                .getIDropout());
        assertEquals(new GaussianNoise(0.1), exported.getLayerWiseConfigurations().getConf(4).getLayer()
                .getIDropout());
        assertEquals(new Dropout(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 0.9, 2, 0.8))),
                exported.getLayerWiseConfigurations().getConf(5).getLayer().getIDropout());
        assertInstanceOf(MaskDropout.class, net.getLayerWiseConfigurations().getConf(1).getLayer().getIDropout(),
                "the original keeps Dropkit's dropout");
    }

    private static void assertDropoutLayer(String name, IDropout dropout, Layer layer) {
        assertInstanceOf(DropoutLayer.class, layer);
        assertEquals(name, layer.getLayerName());
        assertEquals(dropout, layer.getIDropout());
    }

    @Test
    void parametersUpdaterStateAndCountsOfAComputationGraphAreKept() {
        ComputationGraph net = cnnLstmGraph();
        INDArray[] x = inputs(new long[][] {{10, 2, 9, 9}, {10, 4, 7}});
        train(net, x, 3);

        ComputationGraph exported = DropoutExport.export(net).get();

        assertBitwiseEqual(net.params(), exported.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), exported.getUpdater().getStateViewArray(),
                "Adam's moments");
        assertEquals(3, exported.getConfiguration().getIterationCount());
        assertEquals(new SpatialDropout(0.8), exported.getLayer("conv2").conf().getLayer().getIDropout());
        assertEquals(new SpatialDropout(0.8), exported.getLayer("lstm2").conf().getLayer().getIDropout());
        assertDropoutLayer("spatial", new SpatialDropout(0.7), exported.getLayer("spatial").conf().getLayer());
        assertEquals(new GaussianDropout(0.2), exported.getLayer("lstmDrop").conf().getLayer().getIDropout());
        assertInstanceOf(MaskDropoutLayer.class, net.getLayer("spatial").conf().getLayer(), "the original is kept");
    }

    /**
     * The exported networks, saved with ModelSerializer, name no Dropkit class anywhere in the file, and load and give
     * the original's outputs bit for bit in a JVM whose class path lacks Dropkit; the original network, saved alike,
     * fails to load there (so the check can fail).
     */
    @Test
    void savedExportLoadsInAJvmWithoutDropkit(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>();
        List<INDArray> expected = new ArrayList<>();
        List<Model> originals = List.of(dense(), cnn(), lstm(), graph(), cnnLstmGraph());
        long[][][] shapes = {{{10, 6}}, {{10, 2, 9, 9}}, {{10, 4, 7}}, {{10, 5}, {10, 4}}, {{10, 2, 9, 9}, {10, 4, 7}}};
        for (int i = 0; i < originals.size(); i++) {
            Model original = originals.get(i);
            INDArray[] x = inputs(shapes[i]);
            train(original, x, 2);
            Model exported = export(original).get();
            File model = dir.resolve("exported" + i + ".zip").toFile();
            ModelSerializer.writeModel(exported, model, true);
            assertFalse(zipContains(model, "org.dropkit"), "the saved model names no Dropkit class");
            args.add(task(dir, exported instanceof MultiLayerNetwork ? "mln" : "cg", model, "y" + i, x));
            expected.add(output(original, x, false)[0]);
        }
        File control = dir.resolve("original.zip").toFile();
        ModelSerializer.writeModel(dense(), control, true);
        assertTrue(zipContains(control, "org.dropkit"), "the unexported model names Dropkit classes");
        args.add(task(dir, "mln", control, "control", inputs(new long[][] {{10, 6}})));
        assertEquals(10, ModelSerializer.restoreMultiLayerNetwork(control, true).output(inputs(new long[][] {{10, 6}})[0])
                .size(0), "with Dropkit on the class path the unexported model loads");

        List<String> lines = runWithoutDropkit(dir, args);

        assertEquals("dropkit hidden", lines.get(0), lines::toString);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(lines.get(1 + i).startsWith("loaded"), () -> lines + readQuietly(dir.resolve("stderr.txt")));
            assertBitwiseEqual(expected.get(i), Nd4j.readBinary(dir.resolve("y" + i + ".bin").toFile()),
                    "output of exported network " + i + " loaded without Dropkit");
        }
        String last = lines.get(lines.size() - 1);
        // DL4J's message names no class ("may have a custom layer, vertex or preprocessor"); the same file loads here
        assertTrue(last.startsWith("failed: " + control.getPath()), lines::toString);
    }

    /** One model for the child JVM: "kind|model|output|input,input...". */
    private static String task(Path dir, String kind, File model, String output, INDArray[] x) throws Exception {
        List<String> inputs = new ArrayList<>();
        for (int j = 0; j < x.length; j++) {
            File f = dir.resolve(output + "-x" + j + ".bin").toFile();
            Nd4j.saveBinary(x[j], f);
            inputs.add(f.getPath());
        }
        return kind + "|" + model.getPath() + "|" + dir.resolve(output + ".bin") + "|" + String.join(",", inputs);
    }

    private static boolean zipContains(File zip, String text) throws Exception {
        try (ZipFile z = new ZipFile(zip)) {
            Enumeration<? extends ZipEntry> entries = z.entries();
            while (entries.hasMoreElements()) {
                byte[] bytes = z.getInputStream(entries.nextElement()).readAllBytes();
                if (new String(bytes, StandardCharsets.ISO_8859_1).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs dropkitfree.LoadWithoutDropkit in a new JVM: this JVM's class path without Dropkit's classes. */
    private static List<String> runWithoutDropkit(Path dir, List<String> args) throws Exception {
        Path library = Paths.get(MaskDropout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path tests = Paths.get(DropoutExportNetworkTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        Path main = dir.resolve("main");
        Files.createDirectories(main.resolve("dropkitfree"));
        Files.copy(tests.resolve("dropkitfree/LoadWithoutDropkit.class"),
                main.resolve("dropkitfree/LoadWithoutDropkit.class"));
        List<String> classPath = new ArrayList<>();
        classPath.add(main.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Paths.get(entry).toAbsolutePath();
            if (!p.equals(library.toAbsolutePath()) && !p.equals(tests.toAbsolutePath())) {
                classPath.add(entry);
            }
        }
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (jvmArg.startsWith("--add-opens")) {
                command.add(jvmArg);
            }
        }
        // The child cannot call NativeCpuBuild.select() (Dropkit is not on its class path): it gets the build this
        // JVM chose, or JavaCPP would load the AVX-512 build on a CPU without AVX-512 and die of SIGILL.
        String build = System.getProperty(NativeCpuBuild.PROPERTY);
        if (build != null) {
            command.add("-D" + NativeCpuBuild.PROPERTY + "=" + build);
        }
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), "dropkitfree.LoadWithoutDropkit"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), "the JVM without Dropkit finished");
        assertEquals(0, process.exitValue(), () -> out + readQuietly(dir.resolve("stderr.txt")));
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.equals("dropkit hidden") || line.equals("dropkit visible") || line.startsWith("loaded")
                    || line.startsWith("failed")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}

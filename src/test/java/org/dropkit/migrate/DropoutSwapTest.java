package org.dropkit.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling1D;
import org.deeplearning4j.nn.conf.layers.Upsampling3D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/** What the swap turns DL4J's dropout into, on configurations: the conversion table of DropoutSwap's Javadoc. */
class DropoutSwapTest {

    private static NeuralNetConfiguration.ListBuilder list() {
        return new NeuralNetConfiguration.Builder().seed(3).list();
    }

    private static OutputLayer output(int nOut) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(nOut).activation(Activation.SOFTMAX)
                .build();
    }

    private static IDropout dropoutOf(MultiLayerConfiguration conf, int layer) {
        return conf.getConf(layer).getLayer().getIDropout();
    }

    @Test
    void dropoutBecomesBernoulliWithTheSameRetainProbability() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().name("hidden").nOut(4).dropOut(new Dropout(0.7)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2).dropOut(0.6)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(MaskDropout.bernoulli(0.7), dropoutOf(swapped.get(), 0));
        assertEquals(MaskDropout.bernoulli(0.6), dropoutOf(swapped.get(), 1));
        assertEquals(2, swapped.replaced().size());
        assertEquals(0, swapped.left().size());
        SwapResult.Entry hidden = swapped.find("hidden", SwapResult.Site.DROPOUT);
        assertEquals("Dropout(p=0.7)", hidden.before());
        assertEquals(MaskDropout.bernoulli(0.7), hidden.replacement());
        assertEquals(".dropOut of DenseLayer", hidden.where());
    }

    @Test
    void gaussianDropoutRateBecomesRetainProbabilityOneMinusRateWithTheSameSigma() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().nOut(4).dropOut(new GaussianDropout(0.2)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        MaskDropout d = (MaskDropout) dropoutOf(DropoutSwap.swap(conf).get(), 0);

        assertEquals(MaskKind.GAUSSIAN, d.getKind());
        assertEquals(0.8, d.getP(), 1e-15);
        // Dropkit's sigma^2 = (1 - p) / p; DL4J's GaussianDropout(rate) uses sigma^2 = rate / (1 - rate).
        assertEquals(0.2 / 0.8, (1 - d.getP()) / d.getP(), 1e-12);
    }

    @Test
    void schedulesAreKept() {
        StepSchedule pSchedule = new StepSchedule(ScheduleType.ITERATION, 0.9, 0.5, 10);
        MapSchedule rateSchedule = new MapSchedule.Builder(ScheduleType.EPOCH).add(0, 0.5).add(2, 0.25).build();
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().nOut(4).dropOut(new Dropout(pSchedule)).build())
                .layer(new DenseLayer.Builder().nOut(4).dropOut(new GaussianDropout(rateSchedule)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        MultiLayerConfiguration swapped = DropoutSwap.swap(conf).get();

        MaskDropout bernoulli = (MaskDropout) dropoutOf(swapped, 0);
        assertEquals(pSchedule, bernoulli.getPSchedule());
        assertEquals(0.9, bernoulli.retainProbability(5, 0), 1e-15);
        assertEquals(0.45, bernoulli.retainProbability(15, 0), 1e-15);
        MaskDropout gaussian = (MaskDropout) dropoutOf(swapped, 1);
        assertEquals(MaskKind.GAUSSIAN, gaussian.getKind());
        assertEquals(new OneMinusSchedule(rateSchedule), gaussian.getPSchedule());
        assertEquals(0.5, gaussian.retainProbability(0, 1), 1e-15);
        assertEquals(0.75, gaussian.retainProbability(0, 3), 1e-15);
    }

    static Stream<Arguments> spatialCases() {
        return Stream.of(
                Arguments.of("ConvolutionLayer NCHW", new ConvolutionLayer.Builder(2, 2).nOut(3)
                        .dataFormat(CNN2DFormat.NCHW).dropOut(new SpatialDropout(0.8)).build(),
                        InputType.convolutional(6, 6, 2, CNN2DFormat.NCHW), new int[] {2, 3}, false),
                Arguments.of("ConvolutionLayer NHWC", new ConvolutionLayer.Builder(2, 2).nOut(3)
                        .dataFormat(CNN2DFormat.NHWC).dropOut(new SpatialDropout(0.8)).build(),
                        InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC), new int[] {1, 2}, true),
                Arguments.of("SimpleRnn NCW", new SimpleRnn.Builder().nOut(3).dataFormat(RNNFormat.NCW)
                        .dropOut(new SpatialDropout(0.8)).build(),
                        InputType.recurrent(2, 7, RNNFormat.NCW), new int[] {2}, false),
                Arguments.of("Upsampling3D NCDHW", new Upsampling3D.Builder(2)
                        .dataFormat(Convolution3D.DataFormat.NCDHW).dropOut(new SpatialDropout(0.8)).build(),
                        InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2), new int[] {2, 3, 4},
                        false),
                Arguments.of("Upsampling3D NDHWC", new Upsampling3D.Builder(2)
                        .dataFormat(Convolution3D.DataFormat.NDHWC).dropOut(new SpatialDropout(0.8)).build(),
                        InputType.convolutional3D(Convolution3D.DataFormat.NDHWC, 4, 4, 4, 2), new int[] {1, 2, 3},
                        true),
                // LSTM permutes its input to NCW before its dropout, whatever the network's format.
                Arguments.of("LSTM NCW", new LSTM.Builder().nOut(3).dropOut(new SpatialDropout(0.8)).build(),
                        InputType.recurrent(2, 5, RNNFormat.NCW), new int[] {2}, false),
                Arguments.of("LSTM NWC", new LSTM.Builder().nOut(3).dataFormat(RNNFormat.NWC)
                        .dropOut(new SpatialDropout(0.8)).build(),
                        InputType.recurrent(2, 5, RNNFormat.NWC), new int[] {2}, false),
                Arguments.of("SimpleRnn NWC", new SimpleRnn.Builder().nOut(3).dataFormat(RNNFormat.NWC)
                        .dropOut(new SpatialDropout(0.8)).build(),
                        InputType.recurrent(2, 5, RNNFormat.NWC), new int[] {1}, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spatialCases")
    void spatialDropoutSharesEveryAxisButExamplesAndChannels(String name, Layer layer, InputType input,
            int[] expectedAxes, boolean channelsLast) {
        Layer last = input instanceof InputType.InputTypeRecurrent
                ? new RnnOutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build()
                : input instanceof InputType.InputTypeConvolutional3D
                        ? new Cnn3DLossLayer.Builder(((InputType.InputTypeConvolutional3D) input).getDataFormat())
                                .lossFunction(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build()
                        : output(2);
        MultiLayerConfiguration conf = list().layer(layer).layer(last).setInputType(input).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        MaskDropout d = (MaskDropout) dropoutOf(swapped.get(), 0);
        assertEquals(MaskDropout.bernoulli(0.8).sharedAxes(expectedAxes), d);
        String note = swapped.replaced().get(0).note();
        assertTrue(note.contains("one mask value per (example, channel)"), note);
        assertEquals(channelsLast, note.contains("DL4J's SpatialDropout assumes channels at axis 1"), note);
    }

    @Test
    void spatialDropoutLayerTakesItsLayoutFromTheLayerBefore() {
        MultiLayerConfiguration conf = list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build())
                .layer(new DropoutLayer.Builder().name("spatial").dropOut(new SpatialDropout(0.75)).build())
                .layer(output(2)).setInputType(InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        Layer layer = swapped.get().getConf(1).getLayer();
        MaskDropoutLayer m = assertInstanceOf(MaskDropoutLayer.class, layer);
        assertEquals("spatial", m.getLayerName());
        assertEquals(MaskDropout.bernoulli(0.75).spatial(CNN2DFormat.NHWC), m.getDropout());
        assertEquals(SwapResult.Site.DROPOUT_LAYER, swapped.replaced().get(0).site());
    }

    @Test
    void spatialDropoutWithUnknownLayoutIsLeftUntilTheInputTypeIsGiven() {
        // A DropoutLayer first: nothing in the configuration says what rank or format its input has.
        MultiLayerConfiguration conf = list()
                .layer(new DropoutLayer.Builder().name("first").dropOut(new SpatialDropout(0.8)).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build())
                .layer(output(2)).setInputType(InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC)).build();

        SwapResult<MultiLayerConfiguration> guessed = DropoutSwap.swap(conf);
        assertInstanceOf(DropoutLayer.class, guessed.get().getConf(0).getLayer());
        assertEquals(1, guessed.left().size());
        assertTrue(guessed.left().get(0).note().contains("inputTypes"), guessed.left().get(0).note());

        SwapResult<MultiLayerConfiguration> told = DropoutSwap.swap(conf, DropoutSwap.options()
                .inputTypes(InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC)));
        MaskDropoutLayer m = assertInstanceOf(MaskDropoutLayer.class, told.get().getConf(0).getLayer());
        assertEquals(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NHWC), m.getDropout());
        assertEquals(0, told.left().size());
    }

    @Test
    void spatialDropoutOnTwoDimensionalInputIsLeftBecauseDl4jRejectsIt() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().name("dense").nOut(4).dropOut(new SpatialDropout(0.8)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf,
                DropoutSwap.options().inputTypes(InputType.feedForward(3)));

        assertInstanceOf(SpatialDropout.class, dropoutOf(swapped.get(), 0));
        assertTrue(swapped.left().get(0).note().contains("rank 2"), swapped.left().get(0).note());
    }

    @Test
    void dropoutLayerBecomesMaskDropoutLayerWithTheSameName() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().nOut(4).build())
                .layer(new DropoutLayer.Builder(0.6).name("drop").build())
                .layer(new DropoutLayer.Builder().name("noise").dropOut(new GaussianDropout(0.3)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        MultiLayerConfiguration swapped = DropoutSwap.swap(conf).get();

        MaskDropoutLayer drop = assertInstanceOf(MaskDropoutLayer.class, swapped.getConf(1).getLayer());
        assertEquals("drop", drop.getLayerName());
        assertEquals(MaskDropout.bernoulli(0.6), drop.getDropout());
        MaskDropoutLayer noise = assertInstanceOf(MaskDropoutLayer.class, swapped.getConf(2).getLayer());
        assertEquals(MaskDropout.gaussian(1 - 0.3), noise.getDropout());
        assertEquals(conf.getConfs().size(), swapped.getConfs().size());
    }

    /** A dropout class the swap has never heard of (identity; enough for a configuration). */
    static final class CustomDropout implements IDropout {
        @Override
        public INDArray applyDropout(INDArray in, INDArray out, int it, int ep, LayerWorkspaceMgr mgr) {
            return in;
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int it, int ep) {
            return gradAtOutput;
        }

        @Override
        public void clear() {
        }

        @Override
        public CustomDropout clone() {
            return new CustomDropout();
        }
    }

    @Test
    void leavesWhatItDoesNotUnderstandAndSaysWhy() {
        AlphaDropout alpha = new AlphaDropout(1.5);
        GaussianNoise noise = new GaussianNoise(Double.NaN);
        Dropout tooLarge = new Dropout(1.5);
        CustomDropout custom = new CustomDropout();
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().name("alpha").nOut(4).dropOut(alpha).build())
                .layer(new DenseLayer.Builder().name("noise").nOut(4).dropOut(noise).build())
                .layer(new DenseLayer.Builder().name("dropConnect").nOut(4).weightNoise(new DropConnect(1.5))
                        .build())
                .layer(new DenseLayer.Builder().name("tooLarge").nOut(4).dropOut(tooLarge).build())
                .layer(new DenseLayer.Builder().name("custom").nOut(4).dropOut(custom).build())
                .layer(new DropoutLayer.Builder().name("alphaLayer").dropOut(new AlphaDropout(2.0)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(0, swapped.replaced().size(), swapped::toString);
        assertEquals(6, swapped.left().size(), swapped::toString);
        assertEquals(alpha, dropoutOf(swapped.get(), 0));
        assertEquals(noise, dropoutOf(swapped.get(), 1));
        assertEquals(tooLarge, dropoutOf(swapped.get(), 3));
        assertInstanceOf(CustomDropout.class, dropoutOf(swapped.get(), 4));
        assertInstanceOf(DropoutLayer.class, swapped.get().getConf(5).getLayer());
        assertEquals(conf.toJson(), swapped.get().toJson(), "nothing changed");
        Map<String, String> expectedReasons = Map.of(
                "alpha", "p = 1.5 is outside (0, 1]", "noise", "not finite", "tooLarge", "outside (0, 1]",
                "custom", "unknown IDropout class", "alphaLayer", "p = 2.0 is outside (0, 1]");
        expectedReasons.forEach((layer, reason) -> {
            SwapResult.Entry e = swapped.find(layer, layer.equals("alphaLayer") ? SwapResult.Site.DROPOUT_LAYER
                    : SwapResult.Site.DROPOUT);
            assertNotNull(e, layer);
            assertNull(e.replacement(), layer);
            assertTrue(e.note().contains(reason), layer + ": " + e.note());
        });
        SwapResult.Entry dropConnect = swapped.find("dropConnect", SwapResult.Site.WEIGHT_NOISE);
        assertTrue(dropConnect.before().contains("DropConnect"), dropConnect.before());
        assertNull(dropConnect.weightNoiseReplacement());
        assertTrue(dropConnect.note().contains("p = 1.5 is outside (0, 1]"), dropConnect.note());
    }

    @Test
    void theOriginalConfigurationIsUnchanged() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().nOut(4).dropOut(new Dropout(0.7)).build())
                .layer(new DropoutLayer.Builder(0.6).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();
        String before = conf.toJson();

        DropoutSwap.swap(conf);

        assertEquals(before, conf.toJson());
        assertInstanceOf(Dropout.class, dropoutOf(conf, 0));
    }

    @Test
    void swappedConfigurationsSurviveJsonRoundTrips() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().nOut(4).dropOut(new GaussianDropout(
                        new StepSchedule(ScheduleType.ITERATION, 0.4, 0.5, 3))).build())
                .layer(new DropoutLayer.Builder(0.6).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();
        MultiLayerConfiguration swapped = DropoutSwap.swap(conf).get();

        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(swapped.toJson());

        assertEquals(swapped, back);
        assertEquals(swapped.getConf(0).getLayer().getIDropout(), back.getConf(0).getLayer().getIDropout());
        assertInstanceOf(OneMinusSchedule.class, ((MaskDropout) back.getConf(0).getLayer().getIDropout())
                .getPSchedule());
        assertEquals(MultiLayerConfiguration.fromYaml(swapped.toYaml()), swapped);
    }

    @Test
    void graphConfigurationsAreSwappedVertexByVertex() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("image", "features")
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(CNN2DFormat.NCHW).build(),
                        "image")
                .addLayer("spatial", new DropoutLayer.Builder().dropOut(new SpatialDropout(0.9)).build(), "conv")
                .addLayer("dense", new DenseLayer.Builder().nOut(4).dropOut(new GaussianDropout(0.1)).build(),
                        "features")
                .addLayer("flat", new DenseLayer.Builder().nOut(4).dropOut(new Dropout(0.8)).build(), "spatial")
                .addVertex("merge", new MergeVertex(), "flat", "dense")
                .addLayer("out", output(2), "merge")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(5, 5, 2, CNN2DFormat.NCHW), InputType.feedForward(3))
                .build();

        SwapResult<ComputationGraphConfiguration> swapped = DropoutSwap.swap(conf);

        Map<String, org.deeplearning4j.nn.conf.graph.GraphVertex> v = swapped.get().getVertices();
        MaskDropoutLayer spatial = assertInstanceOf(MaskDropoutLayer.class,
                ((LayerVertex) v.get("spatial")).getLayerConf().getLayer());
        assertEquals(MaskDropout.bernoulli(0.9).spatial(CNN2DFormat.NCHW), spatial.getDropout());
        assertEquals(MaskDropout.gaussian(1 - 0.1),
                ((LayerVertex) v.get("dense")).getLayerConf().getLayer().getIDropout());
        assertEquals(MaskDropout.bernoulli(0.8), ((LayerVertex) v.get("flat")).getLayerConf().getLayer()
                .getIDropout());
        assertEquals(3, swapped.replaced().size());
        assertEquals(swapped.get(), ComputationGraphConfiguration.fromJson(swapped.get().toJson()));
        assertInstanceOf(DropoutLayer.class, ((LayerVertex) conf.getVertices().get("spatial")).getLayerConf()
                .getLayer(), "the original is unchanged");
    }

    @Test
    void frozenLayersAreSwappedAndReportedAsInert() {
        MultiLayerConfiguration conf = list()
                .layer(new FrozenLayer(new DenseLayer.Builder().name("frozenDense").nIn(3).nOut(4)
                        .dropOut(new Dropout(0.7)).build()))
                .layer(new FrozenLayer(new DropoutLayer.Builder(0.6).name("frozenDrop").build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        FrozenLayer dense = assertInstanceOf(FrozenLayer.class, swapped.get().getConf(0).getLayer());
        assertEquals(MaskDropout.bernoulli(0.7), dense.getLayer().getIDropout());
        FrozenLayer drop = assertInstanceOf(FrozenLayer.class, swapped.get().getConf(1).getLayer());
        assertEquals(MaskDropout.bernoulli(0.6), assertInstanceOf(MaskDropoutLayer.class, drop.getLayer())
                .getDropout());
        assertEquals(2, swapped.replaced().size());
        for (SwapResult.Entry e : swapped.replaced()) {
            assertTrue(e.where().contains("inside FrozenLayer"), e.where());
            assertTrue(e.note().contains("never acts"), e.note());
        }
    }

    @Test
    void reportNamesEveryEntry() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().name("a").nOut(4).dropOut(new Dropout(0.7)).build())
                .layer(new DenseLayer.Builder().name("b").nOut(4).dropOut(new AlphaDropout(1.5)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        String report = DropoutSwap.swap(conf).toString();

        assertTrue(report.startsWith("DropoutSwap: 1 replaced, 0 removed, 1 left"), report);
        assertTrue(report.contains("\"a\" .dropOut of DenseLayer: Dropout(p=0.7) -> MaskDropout(BERNOULLI, p=0.7"),
                report);
        assertTrue(report.contains("\"b\" .dropOut of DenseLayer: AlphaDropout(p=1.5) left as is"), report);
    }

    @Test
    void inputTypesMustMatchTheNetwork() {
        MultiLayerConfiguration conf = list().layer(new DenseLayer.Builder().nOut(4).build()).layer(output(2))
                .setInputType(InputType.feedForward(3)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DropoutSwap.swap(conf,
                DropoutSwap.options().inputTypes(InputType.feedForward(3), InputType.feedForward(3))));
        assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
    }

    @Test
    void dropkitDropoutIsLeftUntouchedAndNotReported() {
        MaskDropout mine = MaskDropout.bernoulli(0.5).sharedAxes(1);
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().nOut(4).dropOut(mine).build())
                .layer(new MaskDropoutLayer.Builder(0.9).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(mine, dropoutOf(swapped.get(), 0));
        assertEquals(0, swapped.replaced().size() + swapped.left().size());
        assertArrayEquals(new int[] {1}, ((MaskDropout) dropoutOf(swapped.get(), 0)).getSharedAxes());
        assertSame(MaskDropoutLayer.class, swapped.get().getConf(1).getLayer().getClass());
    }

    @Test
    void dropoutThatDropsNothingIsRemovedAndTheDropoutLayerBecomesAnIdentityLayer() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().name("dense").nOut(4).dropOut(new Dropout(1.0)).build())
                .layer(new DropoutLayer.Builder(1.0).name("placeholder").build())
                .layer(new DenseLayer.Builder().name("calm").nOut(4).dropOut(new GaussianDropout(0.0)).build())
                .layer(new DropoutLayer.Builder().name("alpha").dropOut(new AlphaDropout(1.0)).build())
                .layer(new DenseLayer.Builder().name("real").nOut(4).dropOut(new Dropout(0.5)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertNull(dropoutOf(swapped.get(), 0), "no dropout at all where p = 1");
        assertNull(dropoutOf(swapped.get(), 2), "no dropout at all where the Gaussian rate is 0");
        for (int i : new int[] {1, 3}) {
            ActivationLayer identity = assertInstanceOf(ActivationLayer.class, swapped.get().getConf(i).getLayer());
            assertEquals(Activation.IDENTITY.getActivationFunction(), identity.getActivationFn());
            assertEquals(conf.getConf(i).getLayer().getLayerName(), identity.getLayerName(), "same name");
            assertNull(identity.getIDropout());
        }
        assertEquals(conf.getConfs().size(), swapped.get().getConfs().size(), "same layers, same indices");
        assertEquals(1, swapped.replaced().size(), swapped::toString);
        assertEquals(4, swapped.removed().size(), swapped::toString);
        assertEquals(0, swapped.left().size(), swapped::toString);
        assertTrue(swapped.toString().startsWith("DropoutSwap: 1 replaced, 4 removed, 0 left"), swapped::toString);
        String placeholder = swapped.find("placeholder", SwapResult.Site.DROPOUT_LAYER).toString();
        assertTrue(placeholder.contains("\"placeholder\" DropoutLayer: Dropout(p=1.0) removed"), placeholder);
        assertTrue(placeholder.contains("ActivationLayer(IDENTITY)"), placeholder);
        assertTrue(swapped.find("calm", SwapResult.Site.DROPOUT).note().contains("rate = 0"), swapped::toString);
        assertFalse(swapped.get().toJson().contains("org.dropkit.conf"), "no Dropkit layer where nothing drops");
    }

    static Stream<Arguments> layersThatSkipTheirDropoutsBackprop() {
        InputType sequences = InputType.recurrent(2, 7);
        InputType volumes = InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2);
        return Stream.of(
                Arguments.of("Convolution1DLayer", new Convolution1DLayer.Builder(2).nOut(3)
                        .dropOut(new Dropout(0.8)).build(), sequences),
                Arguments.of("Convolution3D", new Convolution3D.Builder(2, 2, 2).nOut(3)
                        .dropOut(new SpatialDropout(0.8)).build(), volumes),
                Arguments.of("Deconvolution2D", new Deconvolution2D.Builder(2, 2).nOut(3)
                        .dropOut(new Dropout(0.8)).build(), InputType.convolutional(5, 5, 2)),
                Arguments.of("Deconvolution3D", new Deconvolution3D.Builder().kernelSize(2, 2, 2).nOut(3)
                        .dropOut(new Dropout(0.8)).build(), volumes),
                Arguments.of("SpaceToDepthLayer", new SpaceToDepthLayer.Builder().blocks(2)
                        .dropOut(new GaussianDropout(0.2)).build(), InputType.convolutional(4, 4, 2)),
                Arguments.of("RepeatVector", new RepeatVector.Builder(3).dropOut(new Dropout(0.8)).build(),
                        InputType.feedForward(3)),
                Arguments.of("Upsampling1D", new Upsampling1D.Builder(2).dropOut(new Dropout(0.8)).build(),
                        sequences),
                Arguments.of("CenterLossOutputLayer", new CenterLossOutputLayer.Builder().nOut(2)
                        .activation(Activation.SOFTMAX).dropOut(new Dropout(0.8)).build(), InputType.feedForward(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layersThatSkipTheirDropoutsBackprop")
    void dropoutOnALayerThatNeverBackPropagatesItIsLeftWithTheFix(String name, Layer layer, InputType input) {
        NeuralNetConfiguration.ListBuilder b = list().layer(layer.clone());
        if (!(layer instanceof CenterLossOutputLayer)) {
            b.layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build());
        }
        MultiLayerConfiguration conf = b.setInputType(input).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(conf.toJson(), swapped.get().toJson(), "left as it was");
        SwapResult.Entry e = swapped.left().get(0);
        assertEquals(1, swapped.left().size(), swapped::toString);
        assertTrue(e.note().contains("never back-propagates it"), e.note());
        assertTrue(e.note().contains("put a MaskDropoutLayer before the layer"), e.note());
        assertTrue(e.note().contains(layer.getClass().getSimpleName()), e.note());
    }

    @Test
    void dropkitsOwnDropoutOnSuchALayerIsReportedAndLeft() {
        MaskDropout mine = MaskDropout.bernoulli(0.8);
        MultiLayerConfiguration conf = list()
                .layer(new Convolution3D.Builder(2, 2, 2).name("conv3d").nOut(3).dropOut(mine).build())
                .layer(new GravesBidirectionalLSTM.Builder().name("graves").nIn(3).nOut(3).dropOut(mine).build())
                .layer(new DenseLayer.Builder().name("fine").nIn(3).nOut(3).dropOut(mine).build())
                .layer(output(2)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(conf.toJson(), swapped.get().toJson(), "nothing changed");
        assertEquals(2, swapped.left().size(), swapped::toString);
        assertTrue(swapped.find("conv3d", SwapResult.Site.DROPOUT).note().contains("never back-propagates"));
        assertTrue(swapped.find("graves", SwapResult.Site.DROPOUT).note().contains("never applies"));
        assertNull(swapped.find("fine", SwapResult.Site.DROPOUT), "Dropkit's dropout where it works: not reported");
    }

    @Test
    void dropoutOnALayerThatNeverAppliesItIsLeftAndReported() {
        MultiLayerConfiguration conf = list()
                .layer(new GravesBidirectionalLSTM.Builder().name("graves").nOut(3).dropOut(new Dropout(0.8))
                        .build())
                .layer(new Bidirectional(new LSTM.Builder().nOut(3).build()))
                .layer(new RnnOutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 5)).build();
        conf.getConf(1).getLayer().setIDropout(new Dropout(0.7)); // the wrapper's own dropout, which DL4J ignores
        conf.getConf(1).getLayer().setLayerName("bidirectional");

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(0, swapped.replaced().size(), swapped::toString);
        assertEquals(2, swapped.left().size(), swapped::toString);
        assertInstanceOf(Dropout.class, dropoutOf(swapped.get(), 0));
        for (String name : new String[] {"graves", "bidirectional"}) {
            String note = swapped.find(name, SwapResult.Site.DROPOUT).note();
            assertTrue(note.contains("never applies its .dropOut(...), so it does nothing"), note);
        }
    }

    @Test
    void spaceToBatchDropoutIsConvertedWithDl4jsCaveat() {
        MultiLayerConfiguration conf = list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).build())
                .layer(new SpaceToBatchLayer.Builder().name("s2b").blocks(2, 2).dropOut(new Dropout(0.8)).build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.convolutional(4, 4, 2)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(MaskDropout.bernoulli(0.8), dropoutOf(swapped.get(), 1));
        assertTrue(swapped.find("s2b", SwapResult.Site.DROPOUT).note().contains("NullPointerException"));
    }

    @Test
    void reportAndConfigurationShowTheRetainProbabilityAPersonWrites() {
        MultiLayerConfiguration conf = list()
                .layer(new DenseLayer.Builder().name("noise").nOut(4).dropOut(new GaussianDropout(0.8)).build())
                .layer(new DropoutLayer.Builder().name("drop").dropOut(new GaussianDropout(0.7)).build())
                .layer(output(2)).setInputType(InputType.feedForward(3)).build();

        SwapResult<MultiLayerConfiguration> swapped = DropoutSwap.swap(conf);

        assertEquals(0.2, ((MaskDropout) dropoutOf(swapped.get(), 0)).getP(), 0.0, "1 - 0.8 is 0.2, not 0.19999...");
        String report = swapped.toString();
        assertTrue(report.contains("GaussianDropout(rate=0.8) -> MaskDropout(GAUSSIAN, p=0.2, RECOMPUTE)"), report);
        assertTrue(report.contains("p = 1 - rate = 0.2, sigma"), report);
        assertTrue(report.contains("MaskDropoutLayer with MaskDropout(GAUSSIAN, p=0.3, RECOMPUTE)"), report);
        assertFalse(report.contains("99999"), report);
        assertFalse(swapped.get().toJson().contains("99999"), "JSON");
    }

    @Test
    void equivalentOfOneDropoutIsWhatTheSwapPutsInItsPlace() {
        assertEquals(MaskDropout.bernoulli(0.5), DropoutSwap.equivalent(new Dropout(0.5)).orElseThrow());
        assertEquals(MaskDropout.gaussian(0.8), DropoutSwap.equivalent(new GaussianDropout(0.2)).orElseThrow());
        assertFalse(DropoutSwap.equivalent(new SpatialDropout(0.5)).isPresent(), "the channel axis needs the layer");
        assertFalse(DropoutSwap.equivalent(new Dropout(1.5)).isPresent(), "p outside (0, 1] is left");
        MaskDropout own = MaskDropout.bernoulli(0.7).sharedAxes(1);
        MaskDropout copy = DropoutSwap.equivalent(own).orElseThrow();
        assertEquals(own, copy);
        assertFalse(own == copy, "a copy, never the instance itself");
    }
}

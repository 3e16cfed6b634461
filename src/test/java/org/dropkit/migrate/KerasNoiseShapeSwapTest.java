package org.dropkit.migrate;

import static org.dropkit.migrate.KerasImportSwapTest.kerasOptions;
import static org.dropkit.migrate.KerasImportSwapTest.layerNamed;
import static org.dropkit.migrate.KerasImportSwapTest.maskDropoutLayer;
import static org.dropkit.migrate.KerasImportSwapTest.resource;
import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras {@code noise_shape}, {@code SpatialDropout1D/3D} and Keras 1 models (JSON in Keras' {@code to_json()}
 * format, in src/test/resources), imported with DL4J's KerasModelImport and swapped with the Keras JSON. DL4J's
 * import ignores noise_shape (and loses the rate: Dropout(p=1.0)); the swap shares the mask along the axes Keras
 * shares, counted in the array the dropout sees in DL4J.
 */
class KerasNoiseShapeSwapTest {

    private static final String RNN = "keras-rnn-noise-shape.json";
    private static final String CNN = "keras-cnn-noise-shape.json";
    private static final String CNN3D = "keras-cnn3d-spatial-dropout.json";
    private static final String KERAS1 = "keras1-sequential-dropouts.json";

    private static MultiLayerNetwork imported(String name) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(KerasModelImport.importKerasSequentialConfiguration(
                resource(name)));
        net.init();
        return net;
    }

    /** The dropout applied to ones of this shape in training: the mask itself. */
    private static INDArray mask(MaskDropout dropout, long... shape) {
        Nd4j.getRandom().setSeed(31);
        INDArray ones = Nd4j.ones(DataType.FLOAT, shape);
        MaskDropout d = dropout.clone();
        INDArray m = d.applyDropout(ones, ones.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        d.clear();
        return m;
    }

    /** Whether the mask holds one value along each of the axes (max equals min along them, everywhere). */
    private static boolean constantAlong(INDArray mask, int... axes) {
        return mask.max(true, axes).equalsWithEps(mask.min(true, axes), 0.0);
    }

    @Test
    void recurrentNoiseShapesBecomeSharedAxesOfTheArrayTheDropoutSees() throws Exception {
        MultiLayerNetwork imported = imported(RNN);
        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(imported, kerasOptions(RNN));
        MultiLayerConfiguration conf = swapped.get().getLayerWiseConfigurations();

        // DL4J imports Keras' LSTM as NWC, [batch, steps, features], the layout of the Keras tensor.
        Map<String, MaskDropout> expected = Map.of(
                "time_locked", MaskDropout.ofDropRate(0.5).sharedAxes(1),    // noise_shape [None, 1, 5]
                "spatial_dropout1d", MaskDropout.ofDropRate(0.3).sharedAxes(1),
                "per_example", MaskDropout.ofDropRate(0.2).sharedAxes(1, 2), // [None, 1, 1]
                "element_wise", MaskDropout.ofDropRate(0.1),                 // [None, 6, 5]: nothing shared
                "dense_noise", MaskDropout.ofDropRate(0.25).sharedAxes(1));  // [None, 1] after LastTimeStep
        expected.forEach((name, dropout) -> assertEquals(dropout, maskDropoutLayer(layerNamed(conf, name)), name));
        assertEquals(0, swapped.left().size(), swapped::toString);
        assertEquals(5, swapped.replaced().size(), swapped::toString);
        String note = swapped.find("time_locked", SwapResult.Site.DROPOUT_LAYER).note();
        assertTrue(note.contains("noise_shape [None, 1, 5] shares Keras axes [1] of its channels_last input"), note);
        assertTrue(note.contains("shared axes [1] of the NWC array"), note);

        INDArray m = mask(maskDropoutLayer(layerNamed(conf, "time_locked")), 4, 6, 5);
        assertTrue(constantAlong(m, 1), "one mask value per (example, feature), the same at every step");
        assertFalse(constantAlong(m, 2), "not one value per example");

        Nd4j.getRandom().setSeed(32);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6, 4);
        assertBitwiseEqual(imported.output(x), swapped.get().output(x), "outputs at inference");
    }

    @Test
    void convolutionalNoiseShapesKeepKerasAxesOnChannelsLastArrays() throws Exception {
        MultiLayerNetwork imported = imported(CNN);
        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(imported, kerasOptions(CNN));
        MultiLayerConfiguration conf = swapped.get().getLayerWiseConfigurations();

        // noise_shape [None, 1, 1, 4] on NHWC: one value per (example, channel), Keras' own spatial dropout.
        assertEquals(MaskDropout.ofDropRate(0.4).spatial(CNN2DFormat.NHWC),
                maskDropoutLayer(layerNamed(conf, "channel_noise")));
        // noise_shape [None, 6, 1, 1]: one value per (example, row).
        MaskDropout rows = maskDropoutLayer(layerNamed(conf, "row_noise"));
        assertEquals(MaskDropout.ofDropRate(0.3).sharedAxes(2, 3), rows);
        INDArray m = mask(rows, 2, 6, 6, 4);
        assertTrue(constantAlong(m, 2, 3));
        assertFalse(constantAlong(m, 1, 2));

        Nd4j.getRandom().setSeed(33);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6, 6, 3);
        assertBitwiseEqual(imported.output(x), swapped.get().output(x), "outputs at inference");
    }

    @Test
    void spatialDropout3DAfterAChannelsLastConv3DSharesDepthHeightAndWidth() throws Exception {
        MultiLayerNetwork imported = imported(CNN3D);
        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(imported, kerasOptions(CNN3D));

        MaskDropout d = maskDropoutLayer(layerNamed(swapped.get().getLayerWiseConfigurations(), "spatial_dropout3d"));

        assertEquals(MaskDropout.ofDropRate(0.25).spatial(Convolution3D.DataFormat.NDHWC), d);
        INDArray m = mask(d, 2, 4, 4, 4, 3);
        assertTrue(constantAlong(m, 1, 2, 3), "one value per (example, channel)");
        assertFalse(constantAlong(m, 4));
        assertTrue(swapped.find("spatial_dropout3d", SwapResult.Site.DROPOUT_LAYER).note()
                .contains("DL4J's SpatialDropout assumes channels at axis 1"));
    }

    @Test
    void noiseShapeIsLeftWhereTheLayoutOfTheInputIsNotKnownAndPlacedOnceItIs() throws Exception {
        // The Keras model's "time_locked" Dropout as the first layer of a network: nothing before it says NCW or NWC.
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DropoutLayer.Builder(1.0).name("time_locked").build())
                .layer(new LSTM.Builder().nOut(3).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(5, 6, RNNFormat.NCW)).build();

        SwapResult<MultiLayerConfiguration> blind = DropoutSwap.swap(conf, kerasOptions(RNN));
        SwapResult<MultiLayerConfiguration> told = DropoutSwap.swap(conf, kerasOptions(RNN)
                .inputTypes(InputType.recurrent(5, 6, RNNFormat.NCW)));

        SwapResult.Entry left = blind.find("time_locked", SwapResult.Site.DROPOUT_LAYER);
        assertNull(left.replacement(), blind::toString);
        assertTrue(blind.left().contains(left));
        assertTrue(left.note().contains("inputTypes"), left.note());
        assertInstanceOf(DropoutLayer.class, blind.get().getConf(0).getLayer(), "left as DL4J imported it");
        // Keras' time axis (1 of [batch, steps, features]) is axis 2 of DL4J's NCW [batch, features, steps].
        assertEquals(MaskDropout.ofDropRate(0.5).sharedAxes(2), maskDropoutLayer(told.get().getConf(0).getLayer()));
    }

    @Test
    void keras1DropoutRateIsReadFromItsPField() throws Exception {
        MultiLayerNetwork imported = imported(KERAS1);
        // Keras 1.2.2: Dropout(p=0.3), p being Keras 1's drop rate. DL4J 1.0.0-M2.1 stores Dropout(1.0) for it.
        assertEquals(new Dropout(1.0), layerNamed(imported.getLayerWiseConfigurations(), "dropout_1")
                .getIDropout());

        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(imported, kerasOptions(KERAS1));

        assertEquals(MaskDropout.bernoulli(0.7), maskDropoutLayer(layerNamed(swapped.get()
                .getLayerWiseConfigurations(), "dropout_1")));
        assertEquals(1, swapped.replaced().size(), swapped::toString);
        assertEquals(3, swapped.removed().size(), swapped::toString); // the Dropout(1.0) DL4J put on each Dense
        String note = swapped.find("dropout_1", SwapResult.Site.DROPOUT_LAYER).note();
        assertTrue(note.contains("Keras Dropout(rate=0.3): p = 1 - rate = 0.7"), note);
        assertTrue(note.contains("DL4J's import stored p = 1.0"), note);
        Nd4j.getRandom().setSeed(34);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 5);
        assertBitwiseEqual(imported.output(x), swapped.get().output(x), "outputs at inference");
    }

    @Test
    void kerasAxesAreMappedByRoleWhereDl4jKeepsChannelsElsewhere() {
        // channels_last Keras tensor [batch, H, W, C] shared over H and W, in a DL4J NCHW array: axes 2 and 3.
        assertArrayEquals(new int[] {2, 3}, KerasNoiseShape.map(new long[] {-1, 1, 1, 8}, false,
                Layout.of(CNN2DFormat.NCHW)).axes);
        // channels_first Keras tensor [batch, C, H, W] shared over C, in a DL4J NHWC array: axis 3.
        assertArrayEquals(new int[] {3}, KerasNoiseShape.map(new long[] {-1, 1, 6, 6}, true,
                Layout.of(CNN2DFormat.NHWC)).axes);
        // Same layout on both sides: the same axes, the batch axis included.
        assertArrayEquals(new int[] {0, 1}, KerasNoiseShape.map(new long[] {1, 1, 5}, false,
                Layout.of(RNNFormat.NWC)).axes);
        assertArrayEquals(new int[] {1}, KerasNoiseShape.map(new long[] {-1, 1}, false, null).axes,
                "a rank-2 tensor is [batch, features] in DL4J too");
        KerasNoiseShape wrongRank = KerasNoiseShape.map(new long[] {-1, 1, 5}, false, Layout.FEED_FORWARD);
        assertNull(wrongRank.axes);
        assertTrue(wrongRank.note.contains("rank 2"), wrongRank.note);
    }

    @Test
    void keras1AndChannelsFirstLayoutsAreReadFromTheModelJson() {
        String keras1 = "{\"class_name\": \"Sequential\", \"keras_version\": \"1.2.2\", \"config\": ["
                + "{\"class_name\": \"Convolution2D\", \"config\": {\"name\": \"conv\", \"dim_ordering\": \"th\"}},"
                + "{\"class_name\": \"GaussianDropout\", \"config\": {\"name\": \"noise\", \"p\": 0.2}},"
                + "{\"class_name\": \"SpatialDropout2D\", \"config\": {\"name\": \"spatial\", \"p\": 0.1,"
                + " \"dim_ordering\": \"th\"}}]}";
        String functional = "{\"class_name\": \"Functional\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\"},"
                + " \"inbound_nodes\": []},"
                + "{\"class_name\": \"Conv1D\", \"name\": \"conv\", \"config\": {\"name\": \"conv\","
                + " \"data_format\": \"channels_first\"}, \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]},"
                + "{\"class_name\": \"LSTM\", \"name\": \"lstm\", \"config\": {\"name\": \"lstm\"},"
                + " \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Dropout\", \"name\": \"after_conv\", \"config\": {\"name\": \"after_conv\","
                + " \"rate\": 0.5, \"noise_shape\": [null, 1, 1]}, \"inbound_nodes\": [[[\"conv\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Dropout\", \"name\": \"after_lstm\", \"config\": {\"name\": \"after_lstm\","
                + " \"rate\": 0.5, \"noise_shape\": [null, 1, 3]}, \"inbound_nodes\": [[[\"lstm\", 0, 0, {}]]]}"
                + "]}}";

        KerasDropouts k1 = KerasDropouts.parse(keras1);
        KerasDropouts f = KerasDropouts.parse(functional);

        assertEquals(0.2, k1.get("noise").rate, 0.0);
        assertTrue(k1.get("noise").channelsFirst, "after a Keras 1 \"th\" convolution");
        assertEquals(0.1, k1.get("spatial").rate, 0.0);
        assertTrue(f.get("after_conv").channelsFirst, "inbound from a channels_first Conv1D");
        assertFalse(f.get("after_lstm").channelsFirst, "an LSTM's output is [batch, steps, units]");
        assertArrayEquals(new long[] {-1, 1, 3}, f.get("after_lstm").noiseShape);
        assertNull(k1.get("noise").noiseShape);
    }
}

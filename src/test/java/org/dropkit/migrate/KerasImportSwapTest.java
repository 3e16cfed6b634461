package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras models (JSON as written by Keras 2's {@code model.to_json()}, in src/test/resources) imported with DL4J's
 * KerasModelImport, then swapped to Dropkit: a Sequential and a functional model, each with Dropout,
 * SpatialDropout2D and GaussianDropout.
 *
 * <p>Three DL4J 1.0.0-M2.1 import bugs are pinned down here, and what the swap (given the Keras JSON) does about
 * them: Keras 2's Dropout(rate) is imported with p = 1 (no dropout); GaussianDropout(rate) is imported with sigma =
 * sqrt((1 - rate) / rate) instead of Keras' sqrt(rate / (1 - rate)); and SpatialDropout2D after a channels_last
 * convolution drops rows instead of channels.
 */
class KerasImportSwapTest {

    private static final String SEQUENTIAL = "keras-sequential-dropouts.json";
    private static final String FUNCTIONAL = "keras-functional-dropouts.json";

    static String resource(String name) {
        try {
            return new File(KerasImportSwapTest.class.getResource(name).toURI()).getPath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Swap options for a network imported from this Keras JSON file. */
    static DropoutSwap.Options kerasOptions(String name) throws IOException {
        return DropoutSwap.options().kerasModelJson(Files.readString(Path.of(resource(name))));
    }

    static MultiLayerNetwork importedSequential() throws Exception {
        MultiLayerConfiguration conf = KerasModelImport.importKerasSequentialConfiguration(
                resource(SEQUENTIAL));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph importedFunctional() throws Exception {
        ComputationGraphConfiguration conf = KerasModelImport.importKerasModelConfiguration(
                resource(FUNCTIONAL));
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    static Layer layerNamed(MultiLayerConfiguration conf, String name) {
        for (int i = 0; i < conf.getConfs().size(); i++) {
            if (name.equals(conf.getConf(i).getLayer().getLayerName())) {
                return conf.getConf(i).getLayer();
            }
        }
        throw new AssertionError("no layer " + name);
    }

    private static Layer layerNamed(ComputationGraphConfiguration conf, String name) {
        return ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }

    static MaskDropout maskDropoutLayer(Layer layer) {
        return assertInstanceOf(MaskDropoutLayer.class, layer).getDropout();
    }

    /** Sample standard deviation of a dropout's mask: the dropout applied to n ones in training. */
    private static double maskStd(IDropout dropout, long n) {
        Nd4j.getRandom().setSeed(7);
        INDArray ones = Nd4j.ones(DataType.DOUBLE, n);
        INDArray m = dropout.applyDropout(ones, ones.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        dropout.clear();
        return m.stdNumber().doubleValue();
    }

    @Test
    void sequentialModelImportsAndSwapsToDropkit() throws Exception {
        MultiLayerNetwork imported = importedSequential();
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 8, 8, 3); // channels_last, as in Keras

        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(imported, kerasOptions(SEQUENTIAL));
        MultiLayerConfiguration conf = swapped.get().getLayerWiseConfigurations();

        assertEquals(MaskDropout.bernoulli(0.5), maskDropoutLayer(layerNamed(conf, "dropout")));
        assertEquals(MaskDropout.bernoulli(0.75).spatial(CNN2DFormat.NHWC),
                maskDropoutLayer(layerNamed(conf, "spatial_dropout2d")));
        assertEquals(MaskDropout.gaussian(0.8), maskDropoutLayer(layerNamed(conf, "gaussian_dropout")));
        assertEquals(0, swapped.left().size(), swapped::toString);
        // DL4J's import put Dropout(p=1.0) on conv2d, dense and dense_1, which had no dropout: removed, not replaced.
        assertEquals(3, swapped.replaced().size(), swapped::toString);
        assertEquals(3, swapped.removed().size(), swapped::toString);
        assertTrue(swapped.toString().startsWith("DropoutSwap: 3 replaced, 3 removed, 0 left"), swapped::toString);
        for (String name : new String[] {"conv2d", "dense", "dense_1"}) {
            assertInstanceOf(org.deeplearning4j.nn.conf.dropout.Dropout.class,
                    layerNamed(imported.getLayerWiseConfigurations(), name).getIDropout(), name + " as imported");
            assertEquals(null, layerNamed(conf, name).getIDropout(), name + ": no dropout after the swap");
            assertTrue(swapped.find(name, SwapResult.Site.DROPOUT).note().contains("Keras import writes"), name);
        }
        assertBitwiseEqual(imported.output(x), swapped.get().output(x), "outputs at inference");
        Nd4j.getRandom().setSeed(6);
        assertFalse(swapped.get().output(x, true).equalsWithEps(swapped.get().output(x, false), 1e-6),
                "dropout acts in training");
    }

    @Test
    void dl4jImportsGaussianDropoutWithTheWrongVarianceAndTheSwapGivesKerasSigma() throws Exception {
        MultiLayerNetwork imported = importedSequential();
        // Keras: GaussianDropout(rate=0.2), multiplicative noise N(1, rate / (1 - rate)): sigma = 0.5.
        double kerasSigma = Math.sqrt(0.2 / 0.8);
        GaussianDropout dl4j = assertInstanceOf(GaussianDropout.class,
                layerNamed(imported.getLayerWiseConfigurations(), "gaussian_dropout").getIDropout());
        assertEquals(0.8, dl4j.getRate(), 1e-12, "DL4J stores 1 - rate where its class expects the rate");

        MaskDropout swapped = maskDropoutLayer(layerNamed(DropoutSwap.swap(imported, kerasOptions(SEQUENTIAL)).get()
                .getLayerWiseConfigurations(), "gaussian_dropout"));

        // Sample standard deviations of 200000 mask values: the standard error of each is below 0.4 % of sigma,
        // so 3 % tolerance cannot fail by chance, and 2.0 vs 0.5 cannot pass by chance.
        double dl4jStd = maskStd(dl4j.clone(), 200_000);
        double dropkitStd = maskStd(swapped.clone(), 200_000);
        assertEquals(Math.sqrt(0.8 / 0.2), dl4jStd, 0.03 * 2.0, "DL4J's imported sigma: sqrt((1 - rate) / rate)");
        assertEquals(kerasSigma, dropkitStd, 0.03 * kerasSigma, "Dropkit after the swap: Keras' sigma");
        assertEquals(kerasSigma, Math.sqrt((1 - swapped.getP()) / swapped.getP()), 1e-12);

        // Without the Keras JSON the swap keeps DL4J's meaning of the stored value, wrong sigma included.
        MaskDropout faithful = maskDropoutLayer(layerNamed(DropoutSwap.swap(imported).get()
                .getLayerWiseConfigurations(), "gaussian_dropout"));
        assertEquals(2.0, Math.sqrt((1 - faithful.getP()) / faithful.getP()), 1e-9);
    }

    @Test
    void spatialDropout2DAfterAChannelsLastConvolutionDropsChannelsAfterTheSwap() throws Exception {
        MultiLayerNetwork imported = importedSequential();
        SpatialDropout dl4j = assertInstanceOf(SpatialDropout.class,
                layerNamed(imported.getLayerWiseConfigurations(), "spatial_dropout2d").getIDropout());
        MaskDropout dropkit = maskDropoutLayer(layerNamed(DropoutSwap.swap(imported, kerasOptions(SEQUENTIAL)).get()
                .getLayerWiseConfigurations(), "spatial_dropout2d"));
        long[] nhwc = {3, 8, 8, 4}; // what the DropoutLayer receives from the NHWC convolution
        INDArray ones = Nd4j.ones(DataType.FLOAT, nhwc);

        Nd4j.getRandom().setSeed(8);
        INDArray dl4jMask = dl4j.clone().applyDropout(ones, ones.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        Nd4j.getRandom().setSeed(8);
        INDArray dropkitMask = dropkit.clone().applyDropout(ones, ones.ulike(), 0, 0,
                LayerWorkspaceMgr.noWorkspaces());

        // DL4J: one value per (example, row h), shared over width and channels: whole rows are dropped.
        assertTrue(constantOver(dl4jMask, 1, 2, 3), "DL4J's mask is shared over W and C");
        assertFalse(constantOver(dl4jMask, 3, 1, 2), "DL4J's mask is not one value per channel");
        // Dropkit: one value per (example, channel), shared over height and width: Keras' SpatialDropout2D.
        assertTrue(constantOver(dropkitMask, 3, 1, 2), "Dropkit's mask is shared over H and W");
        assertFalse(constantOver(dropkitMask, 1, 2, 3), "Dropkit's mask is not one value per row");
    }

    /** True when, for every example and every index along {@code keep}, the mask is constant over axes a and b. */
    private static boolean constantOver(INDArray mask, int keep, int a, int b) {
        for (long n = 0; n < mask.size(0); n++) {
            for (long k = 0; k < mask.size(keep); k++) {
                double first = Double.NaN;
                for (long i = 0; i < mask.size(a); i++) {
                    for (long j = 0; j < mask.size(b); j++) {
                        long[] idx = new long[4];
                        idx[0] = n;
                        idx[keep] = k;
                        idx[a] = i;
                        idx[b] = j;
                        double v = mask.getDouble(idx);
                        if (Double.isNaN(first)) {
                            first = v;
                        } else if (v != first) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    @Test
    void functionalModelImportsAndSwapsToDropkit() throws Exception {
        ComputationGraph imported = importedFunctional();
        Nd4j.getRandom().setSeed(9);
        INDArray image = Nd4j.rand(DataType.FLOAT, 4, 8, 8, 3);
        INDArray features = Nd4j.rand(DataType.FLOAT, 4, 10);

        SwapResult<ComputationGraph> swapped = DropoutSwap.swap(imported, kerasOptions(FUNCTIONAL));
        ComputationGraphConfiguration conf = swapped.get().getConfiguration();

        assertEquals(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NHWC),
                maskDropoutLayer(layerNamed(conf, "spatial_dropout")));
        assertEquals(MaskDropout.bernoulli(0.7), maskDropoutLayer(layerNamed(conf, "dropout")));
        MaskDropout gaussian = maskDropoutLayer(layerNamed(conf, "gaussian_dropout"));
        assertEquals(0.9, gaussian.getP(), 1e-12);
        assertEquals(Math.sqrt(0.1 / 0.9), Math.sqrt((1 - gaussian.getP()) / gaussian.getP()), 1e-12,
                "Keras' sigma for rate 0.1");
        assertInstanceOf(DropoutLayer.class, layerNamed(imported.getConfiguration(), "dropout"),
                "the imported graph is unchanged");
        assertEquals(0, swapped.left().size(), swapped::toString);
        assertBitwiseEqual(imported.output(image, features)[0], swapped.get().output(image, features)[0],
                "outputs at inference");
    }

    @Test
    void dl4jImportsKeras2DropoutWithoutItsRateAndTheSwapRestoresIt() throws Exception {
        MultiLayerNetwork imported = importedSequential();
        // Keras: Dropout(rate=0.5). DL4J 1.0.0-M2.1 reads the rate from a field named "dropout", finds none: p = 1.
        assertEquals(new org.deeplearning4j.nn.conf.dropout.Dropout(1.0),
                layerNamed(imported.getLayerWiseConfigurations(), "dropout").getIDropout());

        SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(imported, kerasOptions(SEQUENTIAL));

        assertEquals(MaskDropout.ofDropRate(0.5), maskDropoutLayer(layerNamed(swapped.get()
                .getLayerWiseConfigurations(), "dropout")));
        String note = swapped.find("dropout", SwapResult.Site.DROPOUT_LAYER).note();
        assertTrue(note.contains("DL4J's import stored p = 1.0"), note);
        // Without the Keras JSON the lost rate cannot come back: p = 1, no dropout, as DL4J imported it; the swap
        // removes it (an identity layer of the same name keeps the indices) and says how to get the rate back.
        SwapResult<MultiLayerNetwork> blind = DropoutSwap.swap(imported);
        ActivationLayer identity = assertInstanceOf(ActivationLayer.class, layerNamed(blind.get()
                .getLayerWiseConfigurations(), "dropout"));
        assertEquals(Activation.IDENTITY.getActivationFunction(), identity.getActivationFn());
        SwapResult.Entry removed = blind.find("dropout", SwapResult.Site.DROPOUT_LAYER);
        assertTrue(blind.removed().contains(removed), blind::toString);
        assertTrue(removed.note().contains("kerasModelJson"), removed.note());
    }

    @Test
    void kerasDropoutLayersMissingFromTheNetworkAreReported() throws Exception {
        SwapResult<ComputationGraph> swapped = DropoutSwap.swap(importedFunctional(), kerasOptions(SEQUENTIAL));

        SwapResult.Entry missing = swapped.find("spatial_dropout2d", SwapResult.Site.DROPOUT_LAYER);
        assertTrue(missing.note().contains("no DropoutLayer of this name"), missing.note());
        assertEquals(null, missing.replacement());
    }

    @Test
    void rejectsTextThatIsNotAKerasModel() {
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
                () -> DropoutSwap.options().kerasModelJson("model.h5"));
        assertTrue(notJson.getMessage().contains("model.to_json()"), notJson.getMessage());
        IllegalArgumentException notKeras = assertThrows(IllegalArgumentException.class,
                () -> DropoutSwap.options().kerasModelJson("{\"layers\": []}"));
        assertTrue(notKeras.getMessage().contains("class_name"), notKeras.getMessage());
    }
}

package org.dropkit.testing;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.migrate.DropoutSwap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The gradient-check helper for users' CI, on real networks, and its messages when a network does not qualify. */
class DropoutGradientCheckTest {

    static INDArray labels(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1.0);
        }
        return y;
    }

    static INDArray input(long... shape) {
        Nd4j.getRandom().setSeed(51);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
    }

    static MultiLayerNetwork dense(DataType type, IUpdater updater, IDropout layerDropout) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(52).dataType(type).updater(updater)
                .list()
                .layer(new DenseLayer.Builder().name("dense0").nOut(6).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.6)).name("drop").build())
                .layer(new DenseLayer.Builder().name("dense2").nOut(5).activation(Activation.TANH)
                        .dropOut(layerDropout).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.gaussian(0.8).storage(MaskStorage.STORED))
                        .build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void passesOnAMultiLayerNetworkWithDropkitAsDropOutAndAsALayer() {
        MultiLayerNetwork net = dense(DataType.DOUBLE, new NoOp(), MaskDropout.bernoulli(0.7));

        GradientCheckResult result = DropoutGradientCheck.of(net).run(input(6, 4), labels(6, 3));

        assertTrue(result.passed(), result::toString);
        assertTrue(result.numericalCheckPassed());
        assertEquals(5, result.checked().size(), result::toString); // reproducibility, numerical, 3 exact checks
        assertTrue(result.checked().stream().anyMatch(c -> c.startsWith("MaskDropoutLayer \"drop\" (index 1)")),
                result::toString);
        assertTrue(result.checked().stream().anyMatch(c -> c.contains("of OutputLayer \"out\" (index 3)")),
                result::toString);
        assertTrue(result.notes().isEmpty(), result::toString);
        result.assertPassed();
    }

    @Test
    void passesOnAComputationGraphWithConvolutionsAndTwoInputs() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(53).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder()
                .addInputs("image", "features")
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build(),
                        "image")
                .addLayer("spatial", new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)
                        .spatial(CNN2DFormat.NHWC)).build(), "conv")
                .addLayer("conv2", new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(0.7).spatial(CNN2DFormat.NHWC)).build(), "spatial")
                .addLayer("flat", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "conv2")
                .addLayer("dense", new DenseLayer.Builder().nOut(3).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(0.8)).build(), "features")
                .addVertex("merge", new MergeVertex(), "flat", "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(5, 4, 2, CNN2DFormat.NHWC), InputType.feedForward(3))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();

        GradientCheckResult result = DropoutGradientCheck.of(net).maxPerParameter(8)
                .run(new INDArray[] {input(3, 5, 4, 2), input(3, 3)}, new INDArray[] {labels(3, 2)});

        assertTrue(result.passed(), result::toString);
        assertEquals(5, result.checked().size(), result::toString);
    }

    static MultiLayerNetwork lstm(RNNFormat format) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(54).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                // LSTM hands its dropout NCW input whatever the network's format
                .layer(new LSTM.Builder().nOut(3).activation(Activation.TANH).dataFormat(format)
                        .dropOut(MaskDropout.bernoulli(0.7).timeLocked(RNNFormat.NCW)).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).dataFormat(format).dropOut(MaskDropout.bernoulli(0.8)).build())
                .setInputType(InputType.recurrent(3, 4, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Labels [3, 2, 4] (NCW) or [3, 4, 2] (NWC), one class per example and step. */
    static INDArray sequenceLabels(RNNFormat format) {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 2, 4);
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < 4; t++) {
                labels.putScalar(i, (i + t) % 2, t, 1.0);
            }
        }
        return format == RNNFormat.NCW ? labels : labels.permute(0, 2, 1).dup('c');
    }

    static INDArray sequenceMask() {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 3, 4);
        mask.putScalar(0, 3, 0.0);
        mask.putScalar(1, 2, 0.0);
        mask.putScalar(1, 3, 0.0);
        return mask;
    }

    @Test
    void passesOnAnLstmWithTimeLockedDropoutAndMasks() {
        GradientCheckResult result = DropoutGradientCheck.of(lstm(RNNFormat.NCW))
                .masks(sequenceMask(), sequenceMask()).maxPerParameter(12)
                .run(input(3, 3, 4), sequenceLabels(RNNFormat.NCW));

        assertTrue(result.passed(), result::toString);
        assertEquals(4, result.checked().size(), result::toString);
        assertTrue(result.checked().get(1).contains("at most 12 values per parameter array"), result::toString);
    }

    /** DL4J's LSTM with NWC data back-propagates wrong gradients with any dropout: the check says so and why. */
    @Test
    void namesDl4jsLstmDefectWhenAnNwcLstmHasDropout() {
        GradientCheckResult result = DropoutGradientCheck.of(lstm(RNNFormat.NWC))
                .masks(sequenceMask(), sequenceMask()).maxPerParameter(12)
                .run(input(3, 4, 3), sequenceLabels(RNNFormat.NWC));

        assertFalse(result.numericalCheckPassed(), result::toString);
        String failure = result.failures().get(0);
        assertTrue(failure.contains("layer \"layer0\" (index 0) is an LSTM with NWC data and a dropout that does"
                + " not write into its input (the first layer of a MultiLayerNetwork)"), failure);
        assertTrue(failure.contains("put a MaskDropoutLayer before the LSTM"), failure);
        assertTrue(result.checked().stream().anyMatch(c -> c.contains("of LSTM \"layer0\"")
                && c.contains("bit for bit")), "Dropkit's own dropout is exact there: " + result);
    }

    /**
     * In a graph DL4J lets a layer's dropout overwrite its input unless that is a network input or another layer
     * reads it later, and DL4J's dropout then does, as does Dropkit's on an LSTM. An NWC LSTM's dropout gives wrong
     * gradients where it does not, and only those layers are named.
     */
    @Test
    void namesOnlyTheNwcLstmsWhoseDropoutDoesNotWriteIntoTheirInput() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(56).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder()
                .addInputs("in")
                .addLayer("first", new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                        .dropOut(MaskDropout.bernoulli(0.7)).build(), "in")
                .addLayer("second", new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                        .dropOut(new Dropout(0.7)).build(), "first")
                .addLayer("third", new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                        .dropOut(MaskDropout.bernoulli(0.7)).build(), "second")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).dataFormat(RNNFormat.NWC).build(), "third")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(3, 4, RNNFormat.NWC))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();

        GradientCheckResult result = DropoutGradientCheck.of(net).maxPerParameter(6)
                .run(new INDArray[] {input(3, 4, 3)}, new INDArray[] {input(3, 4, 2)});

        assertFalse(result.numericalCheckPassed(), result::toString);
        String failure = result.failures().get(0);
        assertTrue(failure.contains("layer \"first\" is an LSTM with NWC data and a dropout that does not write into"
                + " its input (DL4J allows it neither on a network input"), failure);
        assertFalse(failure.contains("\"second\""), "DL4J's dropout writes into that LSTM's input: " + failure);
        assertFalse(failure.contains("\"third\""), "Dropkit's dropout writes into that LSTM's input: " + failure);
    }

    /**
     * An NWC LSTM fed by another NWC LSTM in a graph: its dropout sees a contiguous array, so nothing shows it is
     * NWC, and it must still write into the LSTM's input for the gradients to be right (see LstmInputs).
     */
    @Test
    void passesOnAGraphWhoseNwcLstmReadsAnotherLstm() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(58).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder()
                .addInputs("in")
                .addLayer("first", new LSTM.Builder().nOut(3).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                        .build(), "in")
                .addLayer("second", new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                        .dropOut(MaskDropout.bernoulli(0.7)).build(), "first")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).dataFormat(RNNFormat.NWC).build(), "second")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(3, 4, RNNFormat.NWC))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();

        GradientCheckResult result = DropoutGradientCheck.of(net).maxPerParameter(6)
                .run(new INDArray[] {input(3, 4, 3)}, new INDArray[] {input(3, 4, 2)});

        assertTrue(result.passed(), result::toString);
    }

    @Test
    void passesOnAnNwcLstmWithDropoutAfterTheFirstLayer() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(57).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC).build())
                .layer(new LSTM.Builder().nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                        .dropOut(MaskDropout.bernoulli(0.7).timeLocked(RNNFormat.NWC)).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).dataFormat(RNNFormat.NWC).build())
                .setInputType(InputType.recurrent(3, 4, RNNFormat.NWC)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        GradientCheckResult result = DropoutGradientCheck.of(net).maxPerParameter(6)
                .run(input(3, 4, 3), input(3, 4, 2));

        assertTrue(result.passed(), result::toString);
    }

    @Test
    void passesOnANetworkSwappedFromBuiltInDropout() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(55).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new DropoutLayer.Builder(0.7).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .dropOut(new GaussianDropout(0.3)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(new Dropout(0.8)).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork builtIn = new MultiLayerNetwork(conf);
        builtIn.init();

        GradientCheckResult result = DropoutGradientCheck.of(DropoutSwap.swap(builtIn).get())
                .run(input(5, 4), labels(5, 3));

        assertTrue(result.passed(), result::toString);
        assertEquals(5, result.checked().size(), result::toString);
    }

    @Test
    void rejectsAFloatNetworkAndSaysHowToFixIt() {
        MultiLayerNetwork net = dense(DataType.FLOAT, new NoOp(), MaskDropout.bernoulli(0.7));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DropoutGradientCheck.of(net).run(input(4, 4), labels(4, 3)));

        assertTrue(e.getMessage().contains("FLOAT precision"), e.getMessage());
        assertTrue(e.getMessage().contains(".dataType(DataType.DOUBLE)"), e.getMessage());
    }

    @Test
    void rejectsAnUpdaterThatChangesGradientsAndNamesTheLayers() {
        MultiLayerNetwork net = dense(DataType.DOUBLE, new Adam(1e-3), MaskDropout.bernoulli(0.7));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DropoutGradientCheck.of(net).run(input(4, 4), labels(4, 3)));

        assertTrue(e.getMessage().contains(".updater(new NoOp())"), e.getMessage());
        assertTrue(e.getMessage().contains("layer \"dense0\" (index 0) uses Adam"), e.getMessage());
        assertTrue(e.getMessage().contains("layer \"out\" (index 3) uses Adam"), e.getMessage());
    }

    /** Draws its mask from java.util.Random, outside Nd4j.getRandom(): no seed reproduces it. */
    static final class UnseededDropout implements IDropout {
        private final transient Random random = new Random();
        private transient INDArray mask;

        @Override
        public INDArray applyDropout(INDArray in, INDArray out, int it, int ep, LayerWorkspaceMgr mgr) {
            mask = Nd4j.rand(in.dataType(), in.shape()).muli(random.nextDouble() + 0.5);
            return out.assign(in.mul(mask));
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int it, int ep) {
            return gradAtInput.assign(gradAtOutput.mul(mask));
        }

        @Override
        public void clear() {
            mask = null;
        }

        @Override
        public UnseededDropout clone() {
            return new UnseededDropout();
        }
    }

    /** Scales by 2 in forward but passes the gradient through unchanged: a wrong backward pass. */
    static final class WrongBackwardDropout implements IDropout {
        @Override
        public INDArray applyDropout(INDArray in, INDArray out, int it, int ep, LayerWorkspaceMgr mgr) {
            return out.assign(in.mul(2.0));
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int it, int ep) {
            return gradAtInput.assign(gradAtOutput);
        }

        @Override
        public void clear() {
        }

        @Override
        public WrongBackwardDropout clone() {
            return new WrongBackwardDropout();
        }
    }

    @Test
    void reportsRandomnessThatNoSeedReproducesAndNamesTheDropout() {
        MultiLayerNetwork net = dense(DataType.DOUBLE, new NoOp(), new UnseededDropout());

        GradientCheckResult result = DropoutGradientCheck.of(net).run(input(4, 4), labels(4, 3));

        assertFalse(result.passed());
        assertFalse(result.numericalCheckPassed(), "skipped: it cannot pass");
        String failure = result.failures().get(0);
        assertTrue(failure.contains("not reproducible"), failure);
        assertTrue(failure.contains("layer \"dense2\" (index 2): " + UnseededDropout.class.getName()), failure);
    }

    @Test
    void reportsWrongGradientsAndFailsTheAssertionWithTheReport() {
        MultiLayerNetwork net = dense(DataType.DOUBLE, new NoOp(), new WrongBackwardDropout());

        GradientCheckResult result = DropoutGradientCheck.of(net).maxPerParameter(4)
                .run(input(4, 4), labels(4, 3));

        assertFalse(result.passed());
        assertFalse(result.numericalCheckPassed());
        assertTrue(result.failures().get(0).contains("DL4J's numerical gradient check"), result::toString);
        assertTrue(result.failures().get(0).contains("at most 4 values per parameter array"), result::toString);
        AssertionError e = assertThrows(AssertionError.class, result::assertPassed);
        assertTrue(e.getMessage().startsWith("Dropout gradient check FAILED"), e.getMessage());
        // The Dropkit dropouts themselves are exact; the report says so.
        assertTrue(result.checked().stream().anyMatch(c -> c.startsWith("MaskDropoutLayer \"drop\"")),
                result::toString);
    }

    @Test
    void leavesTheNetworkAndNd4jsDefaultDataTypesAsTheyWere() {
        MultiLayerNetwork net = dense(DataType.DOUBLE, new NoOp(), MaskDropout.bernoulli(0.7));
        INDArray params = net.params().dup();
        String conf = net.getLayerWiseConfigurations().toJson();
        DataType before = Nd4j.dataType();
        DataType beforeFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        try {
            DropoutGradientCheck.of(net).run(input(4, 4).castTo(DataType.FLOAT), labels(4, 3)).assertPassed();

            assertEquals(DataType.FLOAT, Nd4j.defaultFloatingPointType());
            assertBitwiseEqual(params, net.params(), "parameters");
            assertEquals(conf, net.getLayerWiseConfigurations().toJson());
        } finally {
            Nd4j.setDefaultDataTypes(before, beforeFloating);
        }
    }

    @Test
    void notesWhenNoDropoutActs() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(56).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH)
                        .dropOut(MaskDropout.bernoulli(1.0)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        GradientCheckResult result = DropoutGradientCheck.of(net).run(input(4, 3), labels(4, 2));

        assertTrue(result.passed(), result::toString);
        assertTrue(result.notes().get(0).contains("no dropout acts in training"), result::toString);
    }

    @Test
    void rejectsToleranceOutsideDl4jsRange() {
        MultiLayerNetwork net = dense(DataType.DOUBLE, new NoOp(), MaskDropout.bernoulli(0.7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DropoutGradientCheck.of(net).tolerances(0.5, 1e-3, 1e-8));
        assertTrue(e.getMessage().contains("epsilon (0.5) must be in (0, 0.1]"), e.getMessage());
    }
}

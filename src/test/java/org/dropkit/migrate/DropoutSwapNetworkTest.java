package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Swapping trained networks: outputs at inference bit for bit the same, parameters, updater state and counts kept,
 * and the swapped network trains on, with dropout that acts. MultiLayerNetwork and ComputationGraph; dense, CNN
 * (NCHW and NHWC) and LSTM layers.
 */
class DropoutSwapNetworkTest {

    static INDArray labels(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % classes, 1.0);
        }
        return y;
    }

    static MultiLayerNetwork dense() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).dropOut(new Dropout(0.8)).build())
                .layer(new DropoutLayer.Builder().name("gauss").dropOut(new GaussianDropout(0.3)).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(0.7).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(new Dropout(0.9)).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork cnn(CNN2DFormat format) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(5).activation(Activation.TANH)
                        .dropOut(new SpatialDropout(0.8)).build())
                .layer(new DropoutLayer.Builder().name("spatial").dropOut(new SpatialDropout(0.7)).build())
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(new Dropout(0.6)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 2, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork lstm() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).updater(new Adam(1e-2)).list()
                .layer(new LSTM.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new LSTM.Builder().nOut(6).activation(Activation.TANH).dropOut(new SpatialDropout(0.8))
                        .build())
                .layer(new DropoutLayer.Builder().name("drop").dropOut(new Dropout(0.7)).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(new GaussianDropout(0.2)).build())
                .setInputType(InputType.recurrent(4, 7, RNNFormat.NCW)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(14).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("a", "b")
                .addLayer("denseA", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(new Dropout(0.8)).build(), "a")
                .addLayer("dropA", new DropoutLayer.Builder(0.7).build(), "denseA")
                .addLayer("denseB", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(new GaussianDropout(0.25)).build(), "b")
                .addVertex("merge", new MergeVertex(), "dropA", "denseB")
                .addLayer("hidden", new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(new Dropout(0.6)).build(), "merge")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(5), InputType.feedForward(4))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("dense MultiLayerNetwork", (Supplier<Model>) DropoutSwapNetworkTest::dense,
                        new long[][] {{10, 6}}, 3),
                Arguments.of("CNN NCHW", (Supplier<Model>) () -> cnn(CNN2DFormat.NCHW), new long[][] {{10, 2, 9, 9}},
                        3),
                Arguments.of("CNN NHWC", (Supplier<Model>) () -> cnn(CNN2DFormat.NHWC), new long[][] {{10, 9, 9, 2}},
                        3),
                Arguments.of("LSTM", (Supplier<Model>) DropoutSwapNetworkTest::lstm, new long[][] {{10, 4, 7}}, 3),
                Arguments.of("ComputationGraph", (Supplier<Model>) DropoutSwapNetworkTest::graph,
                        new long[][] {{10, 5}, {10, 4}}, 3));
    }

    static INDArray[] inputs(long[][] shapes) {
        Nd4j.getRandom().setSeed(99);
        INDArray[] x = new INDArray[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            x[i] = Nd4j.rand(DataType.FLOAT, shapes[i]).subi(0.5);
        }
        return x;
    }

    static INDArray[] output(Model net, INDArray[] x, boolean train) {
        return net instanceof MultiLayerNetwork ? new INDArray[] {((MultiLayerNetwork) net).output(x[0], train)}
                : ((ComputationGraph) net).output(train, x);
    }

    static SwapResult<? extends Model> swap(Model net) {
        return net instanceof MultiLayerNetwork ? DropoutSwap.swap((MultiLayerNetwork) net)
                : DropoutSwap.swap((ComputationGraph) net);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void inferenceOutputsAreBitIdenticalAfterTheSwap(String name, Supplier<Model> network, long[][] shapes,
            int replaced) {
        Model original = network.get();
        INDArray[] x = inputs(shapes);
        INDArray[] before = output(original, x, false);

        SwapResult<? extends Model> swapped = swap(original);

        INDArray[] after = output(swapped.get(), x, false);
        for (int i = 0; i < before.length; i++) {
            assertBitwiseEqual(before[i], after[i], name + " output " + i);
        }
        assertTrue(swapped.replaced().size() >= replaced, swapped::toString);
        assertEquals(0, swapped.left().size(), swapped::toString);
        // Not vacuous: the swapped network's dropout acts in training.
        Nd4j.getRandom().setSeed(5);
        INDArray[] train = output(swapped.get(), x, true);
        assertFalse(train[0].equalsWithEps(after[0], 1e-6), name + ": dropout acts in training after the swap");
    }

    @Test
    void parametersUpdaterStateAndCountsOfAMultiLayerNetworkAreKept() {
        MultiLayerNetwork net = dense();
        INDArray[] x = inputs(new long[][] {{10, 6}});
        for (int i = 0; i < 3; i++) {
            net.fit(new DataSet(x[0], labels(10, 3)));
        }

        MultiLayerNetwork swapped = DropoutSwap.swap(net).get();

        assertNotSame(net.params(), swapped.params());
        assertBitwiseEqual(net.params(), swapped.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), swapped.getUpdater().getStateViewArray(),
                "Adam's moments");
        assertEquals(3, swapped.getIterationCount());
        assertEquals(net.getEpochCount(), swapped.getEpochCount());
        assertInstanceOf(Dropout.class, net.getLayerWiseConfigurations().getConf(1).getLayer().getIDropout(),
                "the original keeps DL4J's dropout");
    }

    @Test
    void parametersUpdaterStateAndCountsOfAComputationGraphAreKept() {
        ComputationGraph net = graph();
        INDArray[] x = inputs(new long[][] {{10, 5}, {10, 4}});
        for (int i = 0; i < 3; i++) {
            net.fit(new MultiDataSet(x, new INDArray[] {labels(10, 3)}));
        }

        ComputationGraph swapped = DropoutSwap.swap(net).get();

        assertBitwiseEqual(net.params(), swapped.params(), "parameters");
        assertBitwiseEqual(net.getUpdater().getStateViewArray(), swapped.getUpdater().getStateViewArray(),
                "Adam's moments");
        assertEquals(3, swapped.getConfiguration().getIterationCount());
        assertInstanceOf(MaskDropoutLayer.class, swapped.getLayer("dropA").conf().getLayer());
    }

    /**
     * With p = 1 everywhere, DL4J's dropout multiplies by exactly 1 and Dropkit's does nothing, so a swapped network
     * must continue training bit for bit like the original: only if parameters, Adam's state and the iteration count
     * (which Adam's bias correction reads) all carried over.
     */
    @Test
    void trainingContinuesExactlyAsTheOriginalWhenNoUnitIsDropped() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(21).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.TANH).build())
                .layer(new DropoutLayer.Builder(1.0).build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.TANH).dropOut(new Dropout(1.0))
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork original = new MultiLayerNetwork(conf);
        original.init();
        DataSet data = new DataSet(inputs(new long[][] {{10, 6}})[0], labels(10, 3));
        for (int i = 0; i < 3; i++) {
            original.fit(data);
        }
        MultiLayerNetwork swapped = DropoutSwap.swap(original).get();
        MultiLayerNetwork freshUpdater = new MultiLayerNetwork(swapped.getLayerWiseConfigurations().clone());
        freshUpdater.init(original.params().dup(), false);

        for (int i = 0; i < 3; i++) {
            original.fit(data);
            swapped.fit(data);
            freshUpdater.fit(data);
        }

        assertBitwiseEqual(original.params(), swapped.params(), "parameters after 3 more iterations");
        assertFalse(original.params().equalsWithEps(freshUpdater.params(), 1e-7),
                "without the updater state training would have diverged: the comparison above can fail");
    }

    @Test
    void swappedNetworkTrainsAndSavesWithModelSerializer() throws Exception {
        MultiLayerNetwork swapped = DropoutSwap.swap(cnn(CNN2DFormat.NHWC)).get();
        INDArray x = inputs(new long[][] {{10, 9, 9, 2}})[0];
        DataSet data = new DataSet(x, labels(10, 3));
        double first = swapped.score(data);
        for (int i = 0; i < 20; i++) {
            swapped.fit(data);
        }
        assertTrue(Double.isFinite(swapped.score()), "finite training score");
        assertTrue(swapped.score(data) < first, "the score on the training data went down: " + first + " -> "
                + swapped.score(data));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(swapped, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(
                new ByteArrayInputStream(bytes.toByteArray()), true);

        assertEquals(swapped.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertBitwiseEqual(swapped.output(x), restored.output(x), "restored outputs");
        assertEquals(MaskDropout.bernoulli(0.8).spatial(CNN2DFormat.NHWC),
                restored.getLayerWiseConfigurations().getConf(1).getLayer().getIDropout());
    }

    @Test
    void refusesUninitializedNetworks() {
        MultiLayerNetwork net = new MultiLayerNetwork(dense().getLayerWiseConfigurations());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DropoutSwap.swap(net));
        assertTrue(e.getMessage().contains("net.init()"), e.getMessage());
    }
}

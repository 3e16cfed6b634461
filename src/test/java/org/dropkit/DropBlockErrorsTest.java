package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** Every bad DropBlock argument gets an error that names the value, the valid range and the fix. */
class DropBlockErrorsTest {

    private static void assertMessageHas(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void rejectsBlockSizeBelowOne(int size) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.dropBlock(0.9, size, CNN2DFormat.NCHW));
        assertMessageHas(e, "block size (" + size + ")", ">= 1", "the paper uses 7");
        assertThrows(IllegalArgumentException.class, () -> MaskDropout.dropBlockOfDropRate(0.1, size,
                CNN2DFormat.NHWC));
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 0.0, -0.1, 1.0000001, Double.POSITIVE_INFINITY})
    void rejectsKeepProbabilityOutsideZeroToOne(double keep) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.dropBlock(keep, 3, CNN2DFormat.NCHW));
        assertMessageHas(e, "keep probability (" + keep + ")", "(0, 1]", "dropBlockOfDropRate(0.1");
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.01, 1.0, 1.5})
    void rejectsDropRateOutsideZeroToOne(double rate) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.dropBlockOfDropRate(rate, 3, CNN2DFormat.NCHW));
        assertMessageHas(e, "drop rate (" + rate + ")", "[0, 1)");
    }

    @Test
    void dropRateIsOneMinusKeepProbability() {
        MaskDropout d = MaskDropout.dropBlockOfDropRate(0.1, 5, CNN2DFormat.NHWC);
        assertEquals(0.9, d.getP(), "0.9 exactly, not 0.9000000000000000222");
        assertEquals(MaskDropout.dropBlock(0.9, 5, CNN2DFormat.NHWC), d);
        assertEquals(5, d.getBlockSize());
        assertEquals(CNN2DFormat.NHWC, d.getBlockFormat());
        assertEquals(BlockNormalization.BATCH, d.getBlockNormalization(), "the default normalization");
    }

    @Test
    void rejectsANullFormat() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> MaskDropout.dropBlock(0.9, 3, null));
        assertMessageHas(e, "CNN2DFormat.NCHW or NHWC");
    }

    @Test
    void rejectsSharingASpatialAxis() {
        for (int axis : new int[] {2, 3}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaskDropout.dropBlock(0.9, 3, CNN2DFormat.NCHW).sharedAxes(axis));
            assertMessageHas(e, "axis " + axis, "spatial", "sharedAxes(1)");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.dropBlock(0.9, 3, CNN2DFormat.NHWC).spatial(CNN2DFormat.NHWC));
        assertMessageHas(e, "axis 1", "sharedAxes(3)");
    }

    @Test
    void blockNormalizationIsForDropBlockOnly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MaskDropout.bernoulli(0.9).blockNormalization(BlockNormalization.EXAMPLE));
        assertMessageHas(e, "not DropBlock", "MaskDropout.dropBlock");
        assertEquals(0, MaskDropout.bernoulli(0.9).getBlockSize(), "no block size for other kinds");
    }

    @Test
    void rejectsVanillaScaling() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskDropoutLayer.Builder(MaskDropout.dropBlock(0.9, 3, CNN2DFormat.NCHW))
                        .scaling(Scaling.VANILLA).build());
        assertMessageHas(e, "Scaling.VANILLA", "DROP_BLOCK", "Scaling.INVERTED");
    }

    // ------------------------------------------------------------------------------------------------------------
    // At the first forward pass (.dropOut(...), where the input is not known before).

    @Test
    void rejectsInputOfAnotherRankAtTheFirstForwardPass() {
        MaskDropout d = MaskDropout.dropBlock(0.9, 3, CNN2DFormat.NCHW);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(d, 1, Nd4j.ones(DataType.FLOAT, 4, 10)));
        assertMessageHas(e, "4-D", "rank 2", "[4, 10]", "MaskDropout.bernoulli(p)");
    }

    @Test
    void rejectsABlockLargerThanTheFeatureMapAtTheFirstForwardPass() {
        MaskDropout d = MaskDropout.dropBlock(0.9, 6, CNN2DFormat.NCHW);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(d, 1, Nd4j.ones(DataType.FLOAT, 2, 3, 5, 8)));
        assertMessageHas(e, "block size (6)", "5 x 8", "1 <= block size <= 5", "smaller block size");

        MaskDropout nhwc = MaskDropout.dropBlock(0.9, 4, CNN2DFormat.NHWC);
        e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(nhwc, 1, Nd4j.ones(DataType.FLOAT, 2, 8, 3, 5)));
        assertMessageHas(e, "block size (4)", "8 x 3", "read as NHWC");
    }

    /** Channels-last data given to an NCHW DropBlock: width = channels is small, and the message says so. */
    @Test
    void suggestsTheOtherFormatWhenTheMapLooksChannelsLast() {
        MaskDropout d = MaskDropout.dropBlock(0.9, 7, CNN2DFormat.NCHW);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(d, 1, Nd4j.ones(DataType.FLOAT, 2, 28, 28, 3)));
        assertMessageHas(e, "28 x 3", "CNN2DFormat.NHWC");
    }

    @Test
    void rejectsABlockLargerThanTheFeatureMapOfAConvolutionsDropoutAtItsFirstFit() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                        .dropOut(MaskDropout.dropBlock(0.9, 5, CNN2DFormat.NCHW)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 6, 6);
        INDArray y = Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.fit(x, y));
        assertMessageHas(e, "block size (5)", "4 x 4");
    }

    // ------------------------------------------------------------------------------------------------------------
    // When the network is built (MaskDropoutLayer.getOutputType knows the input type).

    private static NeuralNetConfiguration.ListBuilder afterAConvolution(CNN2DFormat format, MaskDropout d) {
        return new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).dataFormat(format)
                        .build())
                .layer(new MaskDropoutLayer.Builder(d).name("dropblock").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build());
    }

    @Test
    void rejectsABlockLargerThanTheFeatureMapWhenTheNetworkIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> afterAConvolution(CNN2DFormat.NCHW, MaskDropout.dropBlock(0.9, 5, CNN2DFormat.NCHW))
                        .setInputType(InputType.convolutional(6, 7, 1)).build());
        assertMessageHas(e, "MaskDropoutLayer \"dropblock\"", "block size (5)", "4 x 5", "1 <= block size <= 4");
    }

    @Test
    void rejectsAnotherFormatWhenTheNetworkIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> afterAConvolution(CNN2DFormat.NHWC, MaskDropout.dropBlock(0.9, 2, CNN2DFormat.NCHW))
                        .setInputType(InputType.convolutional(6, 6, 1, CNN2DFormat.NHWC)).build());
        assertMessageHas(e, "built for NCHW", "NHWC", "CNN2DFormat.NHWC");
    }

    @Test
    void rejectsNonConvolutionalInputWhenTheNetworkIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NeuralNetConfiguration.Builder().list()
                        .layer(new DenseLayer.Builder().nOut(4).build())
                        .layer(new MaskDropoutLayer.Builder(MaskDropout.dropBlock(0.9, 2, CNN2DFormat.NCHW)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).build())
                        .setInputType(InputType.feedForward(3)).build());
        assertMessageHas(e, "2-D convolutional input", "MaskDropout.bernoulli(p)");
    }

    @Test
    void rejectsAScheduleValueOutsideZeroToOneWhenItIsUsed() {
        MaskDropout d = MaskDropout.dropBlock(new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.9)
                .add(2, 1.5).build(), 2, CNN2DFormat.NCHW);
        assertEquals(0.9, d.retainProbability(1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.retainProbability(2, 0));
        assertMessageHas(e, "p = 1.5", "(0, 1]");
    }
}

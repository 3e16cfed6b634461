package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** What .dropOut(MaskDropout...) does with the layer it finds itself on: time axes, and axes that do not fit. */
class LayerAwareDropoutTest {

    private static final int BATCH = 4;
    private static final int STEPS = 6;
    private static final int FEATURES = 5;

    /**
     * Runs a training forward pass of an NWC LSTM with this dropout, letting it write into its input as DL4J does for
     * layers after the first, and returns the [batch, steps, features] input as the dropout left it.
     */
    private static INDArray nwcLstmInputAfterDropout(IDropout dropout) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(41).list()
                .layer(new LSTM.Builder().nOut(3).dataFormat(RNNFormat.NWC).dropOut(dropout).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).dataFormat(RNNFormat.NWC)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(FEATURES, STEPS, RNNFormat.NWC)).build());
        net.init();
        Layer lstm = net.getLayer(0);
        lstm.allowInputModification(true);
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 42, 'c', BATCH, STEPS, FEATURES);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        lstm.setInput(x, mgr);
        lstm.activate(true, mgr);
        return x;
    }

    @ParameterizedTest(name = "timeLocked({0})")
    @EnumSource(RNNFormat.class)
    void timeLockedDropoutOnAnNwcLstmKeepsOneMaskValuePerExampleAndFeatureOverTime(RNNFormat declared) {
        INDArray x = nwcLstmInputAfterDropout(MaskDropout.bernoulli(0.5).timeLocked(
                declared == RNNFormat.NWC ? RNNFormat.NWC : RNNFormat.NCW));
        int droppedColumns = 0;
        for (int n = 0; n < BATCH; n++) {
            for (int f = 0; f < FEATURES; f++) {
                INDArray overTime = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(f));
                long zeros = overTime.eq(0.0).castTo(DataType.INT).sumNumber().longValue();
                assertTrue(zeros == 0 || zeros == STEPS, "example " + n + ", feature " + f + ": " + zeros + " of "
                        + STEPS + " time steps dropped; time-locked means all or none");
                droppedColumns += zeros == STEPS ? 1 : 0;
            }
        }
        // 20 independent (example, feature) values at p = 0.5: none dropped has probability 2^-20.
        assertTrue(droppedColumns > 0, "some (example, feature) pairs are dropped");
    }

    @Test
    void timeLockedKeepsTheLayersFormatThroughJsonAndSharedAxesReplacesIt() throws Exception {
        MaskDropout d = MaskDropout.bernoulli(0.5).timeLocked(RNNFormat.NWC);
        assertEquals(RNNFormat.NWC, d.getTimeLocked());
        ObjectMapper json = NeuralNetConfiguration.mapper();
        assertEquals(d, json.readValue(json.writeValueAsString(d), IDropout.class));
        assertEquals(d, d.storage(MaskStorage.STORED).storage(MaskStorage.RECOMPUTE));
        MaskDropout raw = d.sharedAxes(1);
        assertEquals(null, raw.getTimeLocked(), "raw axes are axes of the array the dropout receives");
        assertTrue(!raw.equals(d), "sharedAxes(1) on an LSTM shares features, not time");

        ObjectNode node = (ObjectNode) json.readTree(json.writeValueAsString(d));
        String tampered = json.writeValueAsString(node.put("timeLocked", "NCW"));
        Exception e = assertThrows(Exception.class, () -> json.readValue(tampered, IDropout.class));
        assertTrue(String.valueOf(e.getMessage()).contains("a time-locked dropout for NCW shares axis [2], not [1]"),
                e.getMessage());
    }

    @Test
    void spatialDropoutOnADenseLayerFailsAtTheFirstFitNamingTheLayerKind() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(43).list()
                .layer(new DenseLayer.Builder().nOut(4).dropOut(MaskDropout.bernoulli(0.5)
                        .spatial(CNN2DFormat.NCHW)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.fit(Nd4j.rand(DataType.FLOAT, 2, 3), Nd4j.rand(DataType.FLOAT, 2, 2)));
        assertTrue(e.getMessage().startsWith("shared axis (3) of [2, 3] of MaskDropout(BERNOULLI, p=0.5, RECOMPUTE,"
                + " sharedAxes=[2, 3]) is out of range for the input of rank 2 (shape [2, 3]) that a DL4J BaseLayer"
                + " (DenseLayer, OutputLayer and other feed-forward layers run its code) hands its dropout"),
                e.getMessage());
        assertTrue(e.getMessage().contains("These are the axes of spatial(CNN2DFormat...), which needs a CNN input"),
                e.getMessage());
    }

    @Test
    void networkWideSpatialDropoutOnAConvolutionAndDenseNetworkSaysToSetItPerLayer() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(44)
                .dropOut(MaskDropout.bernoulli(0.5).spatial(CNN2DFormat.NCHW)).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).build())
                .layer(new DenseLayer.Builder().nOut(4).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(4, 4, 1)).build());
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.fit(Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4), Nd4j.rand(DataType.FLOAT, 2, 2)));
        assertTrue(e.getMessage().contains("the input of rank 2"), e.getMessage());
        assertTrue(e.getMessage().contains("If this dropout is set on the NeuralNetConfiguration.Builder, DL4J gives"
                + " it to every layer: set it with .dropOut(...) on the builders of the layers whose input it fits"
                + " instead"), e.getMessage());
    }
}

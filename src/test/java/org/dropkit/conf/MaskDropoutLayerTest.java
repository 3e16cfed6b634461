package org.dropkit.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.Scaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/** MaskDropoutLayer in networks: where the mask acts, inference behaviour, feature masks, in-place operation. */
class MaskDropoutLayerTest {

    private static MultiLayerNetwork denseThenDropout(Activation activation, MaskDropoutLayer dropout) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nOut(64).activation(activation).build())
                .layer(dropout)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(10)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The dense layer's activations computed from its parameters: activation(x W + b). */
    private static INDArray denseActivations(MultiLayerNetwork net, INDArray x, Activation activation) {
        INDArray z = x.mmul(net.getParam("0_W")).addRowVector(net.getParam("0_b"));
        return activation.getActivationFunction().getActivation(z, false);
    }

    /**
     * Seed 003: dense -> activation -> mask -> scale. Each output is 0 or activation(z) / p; with a sigmoid the
     * other order (scaling before the activation) gives visibly different values.
     */
    @ParameterizedTest
    @ValueSource(strings = {"RELU", "SIGMOID"})
    void denseActivationThenLayerEqualsActivationTimesMask(Activation activation) {
        double p = 0.5;
        MultiLayerNetwork net = denseThenDropout(activation, new MaskDropoutLayer.Builder(p).build());
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 10).subi(0.5);
        INDArray a = denseActivations(net, x, activation);
        List<INDArray> acts = net.feedForwardToLayer(1, x, true);
        INDArray y = acts.get(2);
        INDArray kept = y.neq(0.0).castTo(DataType.FLOAT);
        long keptCount = kept.sumNumber().longValue();
        assertTrue(keptCount > 0 && keptCount < y.length(), "some units kept, some dropped: " + keptCount);
        INDArray expected = a.mul(1.0 / p).muli(kept);
        assertTrue(expected.equalsWithEps(y, 1e-5), "y = activation(z) * m with m in {0, 1/p}");
        if (activation == Activation.SIGMOID) {
            INDArray wrongOrder = Transforms.sigmoid(x.mmul(net.getParam("0_W")).addRowVector(net.getParam("0_b"))
                    .muli(1.0 / p)).muli(kept);
            assertTrue(!wrongOrder.equalsWithEps(y, 1e-3), "scaling before the activation would differ");
        }
    }

    @Test
    void inferencePassesInputThroughUntouched() {
        MultiLayerNetwork net = denseThenDropout(Activation.TANH, new MaskDropoutLayer.Builder(0.3).build());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 10);
        INDArray dense = denseActivations(net, x, Activation.TANH);
        INDArray y = net.feedForwardToLayer(1, x, false).get(2);
        assertTrue(dense.equalsWithEps(y, 1e-6), "inverted dropout is the identity at inference");
        INDArray xBefore = x.dup();
        assertEquals(net.output(x, false), net.output(x, false), "inference is deterministic");
        assertEquals(xBefore, x, "the caller's input is not modified");
    }

    @Test
    void vanillaScalingKeepsUnitsUnscaledInTrainingAndMultipliesByPAtInference() {
        double p = 0.25;
        MaskDropoutLayer conf = new MaskDropoutLayer.Builder(p).scaling(Scaling.VANILLA).build();
        MultiLayerNetwork net = denseThenDropout(Activation.SIGMOID, conf);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 10);
        INDArray a = denseActivations(net, x, Activation.SIGMOID);
        INDArray train = net.feedForwardToLayer(1, x, true).get(2);
        INDArray kept = train.neq(0.0).castTo(DataType.FLOAT);
        assertTrue(a.mul(kept).equalsWithEps(train, 1e-6), "training mask is 0 or 1: kept units unchanged");
        INDArray test = net.feedForwardToLayer(1, x, false).get(2);
        assertTrue(a.mul(p).equalsWithEps(test, 1e-6), "inference output is p * x");
    }

    @Test
    void monteCarloLayerDrawsAFreshMaskAtEveryInferencePass() {
        MaskDropoutLayer conf = new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.5)).monteCarlo(true).build();
        MultiLayerNetwork net = denseThenDropout(Activation.SIGMOID, conf);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 10);
        INDArray first = net.output(x, false);
        INDArray second = net.output(x, false);
        assertNotEquals(first, second, "two inference passes use two masks");
        INDArray a = denseActivations(net, x, Activation.SIGMOID);
        INDArray sample = net.feedForwardToLayer(1, x, false).get(2);
        INDArray kept = sample.neq(0.0).castTo(DataType.FLOAT);
        assertTrue(a.mul(2.0).muli(kept).equalsWithEps(sample, 1e-5), "the sample is a * m with m in {0, 1/p}");
    }

    @Test
    void featureMaskZeroesMaskedStepsPassesTheMaskOnAndLeavesTheInputAlone() {
        MaskDropoutLayer conf = new MaskDropoutLayer.Builder(0.5).build();
        conf.setNIn(InputType.recurrent(3, RNNFormat.NWC), true);
        Layer layer = conf.instantiate(new NeuralNetConfiguration.Builder().layer(conf).build(), null, 0, null,
                false, DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 3).addi(1.0);   // NWC: 2 examples, 4 steps, 3 features
        INDArray xBefore = x.dup();
        INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 1, 0}, {1, 1, 0, 0}});
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        assertSame(mask, layer.feedForwardMaskArray(mask, null, 2).getFirst(), "the mask is passed on");
        layer.setMaskArray(mask);
        INDArray y = layer.activate(false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(xBefore, x, "the caller's input is not modified");
        assertEquals(0.0, y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.point(3)).sumNumber().doubleValue(), "masked step is zero");
        assertEquals(0.0, y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4)).sumNumber().doubleValue());
        INDArray expectedUnmasked = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        assertEquals(expectedUnmasked, y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)), "unmasked steps pass unchanged");
    }

    @Test
    void trainingForwardIsInPlaceOnlyWhenDl4jAllowsIt() {
        MaskDropoutLayer conf = new MaskDropoutLayer.Builder(0.5).build();
        Layer layer = conf.instantiate(new NeuralNetConfiguration.Builder().layer(conf).build(), null, 0, null,
                false, DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 7).addi(1.0);
        INDArray xBefore = x.dup();
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        INDArray y = layer.activate(true, LayerWorkspaceMgr.noWorkspaces());
        assertNotSame(x, y);
        assertEquals(xBefore, x, "input untouched when modification is not allowed");

        layer.allowInputModification(true);
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        INDArray inPlace = layer.activate(true, LayerWorkspaceMgr.noWorkspaces());
        assertSame(x, inPlace, "in place when DL4J allows input modification");
        assertTrue(BooleanIndexing.or(x, Conditions.equals(0.0)), "the input now holds the dropped-out values");
    }

    @Test
    void outputTypeIsInputTypeForEveryKindOfInput() {
        MaskDropoutLayer layer = new MaskDropoutLayer.Builder(0.5).build();
        for (InputType type : new InputType[] {InputType.feedForward(10), InputType.recurrent(4, 7),
                InputType.recurrent(4, 7, RNNFormat.NWC), InputType.convolutional(8, 8, 3),
                InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC),
                InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 5, 6, 2)}) {
            assertEquals(type, layer.getOutputType(0, type), type.toString());
        }
        MaskDropoutLayer spatial3d = new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.5)
                .spatial(Convolution3D.DataFormat.NCDHW)).build();
        InputType cnn3d = InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 5, 6, 2);
        assertEquals(cnn3d, spatial3d.getOutputType(0, cnn3d));
    }

    @Test
    void globalDropOutDoesNotReplaceTheLayersOwnDropout() {
        MaskDropout own = MaskDropout.gaussian(0.9);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dropOut(MaskDropout.bernoulli(0.5))
                .list()
                .layer(new DenseLayer.Builder().nOut(4).build())
                .layer(new MaskDropoutLayer.Builder(own).build())
                .layer(new OutputLayer.Builder().nOut(2).build())
                .setInputType(InputType.feedForward(3)).build();
        assertEquals(own, conf.getConf(1).getLayer().getIDropout());
        assertEquals(MaskDropout.bernoulli(0.5), conf.getConf(0).getLayer().getIDropout());
    }
}

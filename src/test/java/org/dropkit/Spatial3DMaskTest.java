package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Spatial masks on rank-5 (3-D convolutional) input: {@code .spatial(Convolution3D.DataFormat)} gives one mask value
 * per (example, channel), the same at every depth, height and width position, in NCDHW and NDHWC, as
 * {@code .dropOut(...)} on a {@code Convolution3D} and in a {@code MaskDropoutLayer}.
 *
 * <p>The mask is read off the array the dropout produces from input ones, in a training forward pass of the network's
 * first layer. {@code Convolution3D} applies its {@code .dropOut} forward only (DL4J never back-propagates it), so this
 * tests the forward mask there; gradient checks of 3-D spatial masks use the layer (ConvolutionGradientCheckTest).
 */
class Spatial3DMaskTest {

    private static final double P = 0.6;
    private static final int EXAMPLES = 200;
    private static final int CHANNELS = 8;
    /** Depth, height and width all differ, so a mask shared over the wrong axes cannot pass. */
    private static final int D = 2;
    private static final int H = 3;
    private static final int W = 4;
    private static final double SIGMAS = 6.0;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Convolution3D.DataFormat format : Convolution3D.DataFormat.values()) {
            for (boolean asLayer : new boolean[] {false, true}) {
                cases.add(Arguments.of(format, asLayer));
            }
        }
        return cases;
    }

    /**
     * Bounds: each (example, channel) pair is kept independently with probability p, so over the
     * {@value #EXAMPLES} x {@value #CHANNELS} pairs the kept fraction is within six binomial standard errors of p
     * (0.073 here) except with probability about 2e-9; an element-wise mask, or one shared over the wrong axes, fails
     * the constancy check instead.
     */
    @ParameterizedTest(name = "{0} asLayer={1}")
    @MethodSource("cases")
    void spatialMaskIsConstantOverDepthHeightAndWidthAndKeepsFractionPOfExampleChannelPairs(
            Convolution3D.DataFormat format, boolean asLayer) {
        boolean ncdhw = format == Convolution3D.DataFormat.NCDHW;
        MaskDropout d = MaskDropout.bernoulli(P).spatial(format);
        org.deeplearning4j.nn.conf.layers.Layer first = asLayer ? new MaskDropoutLayer.Builder(d).build()
                : new Convolution3D.Builder().kernelSize(2, 2, 2).nOut(2).dataFormat(format).dropOut(d).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.FLOAT).list()
                .layer(first)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG)
                        .poolingDimensions(ncdhw ? new int[] {2, 3, 4} : new int[] {1, 2, 3}).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional3D(format, D, H, W, CHANNELS)).build());
        net.init();

        long[] shape = ncdhw ? new long[] {EXAMPLES, CHANNELS, D, H, W} : new long[] {EXAMPLES, D, H, W, CHANNELS};
        int[] spatialAxes = ncdhw ? new int[] {2, 3, 4} : new int[] {1, 2, 3};
        Layer layer = net.getLayer(0);
        Nd4j.getRandom().setSeed(31);
        INDArray out = layer.activate(Nd4j.ones(DataType.FLOAT, shape), true, LayerWorkspaceMgr.noWorkspaces());
        // .dropOut acts on the layer's input, which the layer keeps; the dropout layer's output is its masked input.
        INDArray m = asLayer ? out : layer.input();

        INDArray perPair = m.max(spatialAxes);
        assertEquals(perPair, m.min(spatialAxes), "one mask value per (example, channel), over D, H and W");
        assertEquals(EXAMPLES * CHANNELS, perPair.length(), "one value per (example, channel)");
        long kept = perPair.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
        long scaled = perPair.eq((float) (1.0 / P)).castTo(DataType.INT64).sumNumber().longValue();
        assertEquals(kept, scaled, "every kept (example, channel) is scaled by exactly 1/p");
        double n = perPair.length();
        assertEquals(P, kept / n, SIGMAS * Math.sqrt(P * (1 - P) / n), "kept fraction of (example, channel) pairs");
    }
}

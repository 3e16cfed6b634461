package org.dropkit.testing;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.dropkit.MaskDropout;

/**
 * Layers where a {@code .dropOut(MaskDropout...)} may be misplaced in backward: DL4J's {@code ConvolutionLayer} with
 * NHWC, and {@code SimpleRnn} and {@code GravesLSTM} with NWC, hand their dropout a channels-first gradient, which
 * Dropkit cannot tell from a channels-last one when both have the same shape unless the dropout names its layout.
 */
final class ChannelsLastSites {

    private ChannelsLastSites() {
    }

    /** What to say about this layer, or null when its Dropkit dropout is placed right in every shape. */
    static String unplacedMask(Layer layer) {
        if (!(layer.getIDropout() instanceof MaskDropout) || !Requirements.acts(layer.getIDropout())) {
            return null;
        }
        MaskDropout d = (MaskDropout) layer.getIDropout();
        boolean convolution = (layer.getClass() == ConvolutionLayer.class || layer.getClass() == Convolution2D.class)
                && ((ConvolutionLayer) layer).getCnn2dDataFormat() == CNN2DFormat.NHWC
                && !Arrays.equals(d.getSharedAxes(), new int[] {1, 2});
        boolean recurrent = (layer instanceof SimpleRnn || layer instanceof GravesLSTM)
                && ((BaseRecurrentLayer) layer).getRnnDataFormat() == RNNFormat.NWC
                && d.getTimeLocked() != RNNFormat.NWC;
        if (!convolution && !recurrent) {
            return null;
        }
        return "is a " + layer.getClass().getSimpleName() + " with " + (convolution ? "NHWC" : "NWC") + " data and "
                + d + ": if its input has as many " + (convolution ? "channels as rows and columns"
                : "time steps as features") + ", DL4J hands that dropout the same arrays as in "
                + (convolution ? "NCHW" : "NCW") + " and Dropkit takes them as channels-first; put a"
                + " MaskDropoutLayer before the layer instead";
    }
}

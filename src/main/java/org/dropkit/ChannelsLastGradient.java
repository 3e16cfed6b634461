package org.dropkit;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a mask goes on the arrays DL4J 1.0.0-M2.1's layers hand their {@code IDropout} (see {@link HostLayer}).
 *
 * <p>{@code ConvolutionLayer} with NHWC, and {@code SimpleRnn} and {@code GravesLSTM} with NWC, apply dropout to
 * channels-last input but pass its backward pass a channels-first gradient. When the gradient's shape is the
 * channels-first form of the forward shape, it is viewed in the forward layout and the mask applied where it belongs.
 * When both forms have the same shape (H = W = C, or time steps = features), DL4J hands over the same array in both
 * formats: {@code ConvolutionLayer} a view of a c-order [c, n, h, w] array (strides [h w, n h w, w, 1]) from the same
 * line of its backward pass, the recurrent layers an f-order [n, f, t] array. The layer's format is then known only
 * when the dropout names it: {@code timeLocked(NWC)}, the shared axes of {@code spatial(NHWC)}, or a DropBlock built
 * for NHWC; otherwise the gradient is taken as channels-first-and-forward-layout, which is right for NCHW and NCW,
 * DL4J's defaults.
 *
 * <p>{@code LSTM} permutes its input to NCW before dropout and its gradient after, so a {@code timeLocked(NWC)}
 * dropout on it shares axis 2 of the NCW array it receives.
 */
final class ChannelsLastGradient {

    private ChannelsLastGradient() {
    }

    /** The shared axes as they apply to the array the host hands the dropout. */
    static int[] axesAsHanded(int[] sharedAxes, RNNFormat timeLocked, HostLayer host) {
        if (timeLocked == RNNFormat.NWC && host.kind == HostLayer.Kind.LSTM) {
            return new int[] {2};
        }
        return sharedAxes;
    }

    /**
     * @param axes        the shared axes the forward pass used, as handed ({@link #axesAsHanded})
     * @param nhwcDropBlock whether the dropout is a DropBlock built for NHWC, which names the layout as well
     * @return the permutation that views a gradient in the forward layout, or null when it already is
     */
    static int[] permutationToForwardLayout(long[] forward, INDArray gradient, HostLayer host, int[] axes,
            RNNFormat timeLocked, boolean nhwcDropBlock) {
        long[] g = gradient.shape();
        if (!Arrays.equals(forward, g)) {
            return channelsFirstForm(forward, g) ? toChannelsLast(forward.length) : null;
        }
        if (host.kind != HostLayer.Kind.CHANNELS_FIRST_GRADIENT || !isAmbiguous(forward)
                || !(declaredChannelsLast(forward.length, axes, timeLocked) || nhwcDropBlock && forward.length == 4)) {
            return null;
        }
        // ConvolutionLayer's own backward pass hands a channels-first view; a cuDNN or oneDNN helper hands the
        // gradient in the layer's format, so only that view needs permuting.
        if (forward.length == 4 && !isConvolutionChannelsFirstView(gradient)) {
            return null;
        }
        return toChannelsLast(forward.length);
    }

    private static boolean channelsFirstForm(long[] forward, long[] g) {
        if (forward.length == 4 && g.length == 4) {
            return forward[0] == g[0] && forward[3] == g[1] && forward[1] == g[2] && forward[2] == g[3];
        }
        return forward.length == 3 && g.length == 3 && forward[0] == g[0] && forward[1] == g[2]
                && forward[2] == g[1];
    }

    private static int[] toChannelsLast(int rank) {
        return rank == 4 ? new int[] {0, 2, 3, 1} : new int[] {0, 2, 1};
    }

    /** True when the channels-first form of this forward shape is the same shape. */
    static boolean isAmbiguous(long[] forward) {
        return forward.length == 4 ? forward[1] == forward[2] && forward[2] == forward[3]
                : forward.length == 3 && forward[1] == forward[2];
    }

    /** The dropout names a channels-last layout: time-locked NWC, or NHWC spatial axes (1, 2) on rank 4. */
    private static boolean declaredChannelsLast(int rank, int[] axes, RNNFormat timeLocked) {
        return rank == 3 ? timeLocked == RNNFormat.NWC : rank == 4 && Arrays.equals(axes, new int[] {1, 2});
    }

    /** The gradient ConvolutionLayer.backpropGradient builds: a [c, n, h, w] c-order array permuted to [n, c, h, w]. */
    private static boolean isConvolutionChannelsFirstView(INDArray gradient) {
        long[] s = gradient.shape();
        long hw = s[2] * s[3];
        return Arrays.equals(gradient.stride(), new long[] {hw, s[0] * hw, s[3], 1});
    }
}

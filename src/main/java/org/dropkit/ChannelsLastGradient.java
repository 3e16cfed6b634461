package org.dropkit;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a DL4J 1.0.0-M2.1 quirk: {@code ConvolutionLayer} with {@code CNN2DFormat.NHWC}, and
 * {@code SimpleRnn} and {@code GravesLSTM} with {@code RNNFormat.NWC}, apply their {@code IDropout} to the
 * channels-last input but pass the backward pass a channels-first gradient ([n, c, h, w] and [n, f, t]). DL4J's own
 * dropout fails there with a shape error, or, when the two shapes coincide, silently multiplies by a misplaced mask.
 *
 * <p>When the gradient's shape is exactly the channels-first form of the forward shape, the gradient is viewed in
 * the forward layout and the mask is applied where it belongs. When the two forms have the same shape (H = W = C,
 * or time steps = features) they cannot be told apart; MaskDropout logs a warning once.
 */
final class ChannelsLastGradient {

    private static final Logger log = LoggerFactory.getLogger(MaskDropout.class);

    private ChannelsLastGradient() {
    }

    /**
     * @return the permutation that views a gradient of shape {@code gradient} in the forward layout, or null when
     *     the shapes need none (equal) or match no known channels-first form
     */
    static int[] permutationToForwardLayout(long[] forward, long[] gradient) {
        if (Arrays.equals(forward, gradient)) {
            return null;
        }
        if (forward.length == 4 && gradient.length == 4 && forward[0] == gradient[0] && forward[3] == gradient[1]
                && forward[1] == gradient[2] && forward[2] == gradient[3]) {
            return new int[] {0, 2, 3, 1};
        }
        if (forward.length == 3 && gradient.length == 3 && forward[0] == gradient[0] && forward[1] == gradient[2]
                && forward[2] == gradient[1]) {
            return new int[] {0, 2, 1};
        }
        return null;
    }

    /** True when the channels-first form of this forward shape is the same shape, so the two cannot be told apart. */
    static boolean isAmbiguous(long[] forward) {
        return forward.length == 4 ? forward[1] == forward[2] && forward[2] == forward[3]
                : forward.length == 3 && forward[1] == forward[2];
    }

    static void warnAmbiguous(long[] shape) {
        log.warn("MaskDropout input of shape {}: if this dropout is set with .dropOut(...) on an NHWC "
                + "ConvolutionLayer or an NWC SimpleRnn or GravesLSTM, DL4J 1.0.0-M2.1 back-propagates it in the "
                + "channels-first layout, which has the same shape here, so the mask cannot be placed correctly. Put "
                + "a MaskDropoutLayer before that layer instead. Other layers are unaffected.", Arrays.toString(shape));
    }
}

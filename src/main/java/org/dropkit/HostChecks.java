package org.dropkit;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code .dropOut(MaskDropout...)} checks on its first training forward pass, once it knows its layer's class
 * ({@link HostLayer}): shared axes that do not fit the layer's input (an error that names the layer), and the two
 * DL4J 1.0.0-M2.1 defects that make any dropout's gradients wrong (a warning, once per dropout instance).
 */
final class HostChecks {

    private static final Logger log = LoggerFactory.getLogger(MaskDropout.class);

    private HostChecks() {
    }

    /**
     * @throws IllegalArgumentException if an axis does not exist in the input, naming the layer and a fix that fits
     *                                  both a per-layer and a network-wide ({@code NeuralNetConfiguration.Builder})
     *                                  setting
     */
    static void axesFit(MaskDropout dropout, HostLayer host, int[] axes, long[] shape) {
        if (axes.length == 0 || axes[axes.length - 1] < shape.length) {
            return;
        }
        throw new IllegalArgumentException("shared axis (" + axes[axes.length - 1] + ") of " + Arrays.toString(axes)
                + " of " + dropout + " is out of range for the input of rank " + shape.length + " (shape "
                + Arrays.toString(shape) + ") that " + host.describe() + " hands its dropout: valid axes are 0 to "
                + (shape.length - 1) + ". " + meaning(axes)
                + "If this dropout is set on the NeuralNetConfiguration.Builder, DL4J gives it to every layer: set it"
                + " with .dropOut(...) on the builders of the layers whose input it fits instead (and an element-wise"
                + " MaskDropout, or none, on the others); if it is set on this layer, choose axes that exist in its"
                + " input, or put a MaskDropoutLayer where the activations have the layout you mean.");
    }

    private static String meaning(int[] axes) {
        if (Arrays.equals(axes, new int[] {2, 3}) || Arrays.equals(axes, new int[] {1, 2})) {
            return "These are the axes of spatial(CNN2DFormat...), which needs a CNN input [n, c, h, w] or [n, h, w,"
                    + " c]. ";
        }
        if (axes.length == 3) {
            return "These are the axes of spatial(Convolution3D.DataFormat...), which needs a 3-D CNN input of"
                    + " rank 5. ";
        }
        return "";
    }

    /**
     * The warnings of the first forward pass for a host; each says what is wrong and the fix.
     *
     * @param inPlace whether the dropout writes into its input: where DL4J allows it (MultiLayerNetwork layers after
     *                the first) and not in a ComputationGraph
     */
    static void warnOnce(MaskDropout dropout, HostLayer host, INDArray input, boolean inPlace,
            RNNFormat timeLocked) {
        if (dropout.getP() == 1.0) {
            return; // the identity: no mask to miss in backward (Keras import's placeholders, after the swap)
        }
        if (host.kind == HostLayer.Kind.FORWARD_ONLY) {
            log.warn("{} is set with .dropOut(...) on {}, which in DL4J 1.0.0-M2.1 applies its dropout in the forward"
                    + " pass but never calls its backward pass: its gradients ignore the mask, with DL4J's dropout as"
                    + " with Dropkit's. Put a MaskDropoutLayer before this layer instead (its backward pass is"
                    + " exact).", dropout, host.describe());
        } else if (host.kind == HostLayer.Kind.LSTM && !inPlace
                && (timeLocked == RNNFormat.NWC || isTransposedContiguous(input))) {
            log.warn("{} is set with .dropOut(...) on a DL4J LSTM with NWC data, where DL4J does not let it write"
                    + " into the LSTM's input (the first layer of a MultiLayerNetwork, and in a ComputationGraph a"
                    + " layer fed by a network input or by an activation that a later layer also reads). There DL4J"
                    + " 1.0.0-M2.1's LSTM computes its gradients from the input before dropout, for any dropout: put a"
                    + " MaskDropoutLayer before this LSTM instead, or use RNNFormat.NCW.{}", dropout,
                    timeLocked == RNNFormat.NWC ? "" : " (Dropkit sees NWC in the transposed view of a contiguous"
                    + " array that an NWC LSTM hands its dropout; if this LSTM is NCW and its input is such a view,"
                    + " pass it a copy, input.dup(), and this warning goes.)");
        }
    }

    /** A [n, a, b] view whose (0, 2, 1) transpose is contiguous, while it is not: what an NWC LSTM hands over. */
    private static boolean isTransposedContiguous(INDArray input) {
        if (input.rank() != 3 || isContiguous(input.shape(), input.stride())) {
            return false;
        }
        long[] s = input.shape();
        long[] st = input.stride();
        return isContiguous(new long[] {s[0], s[2], s[1]}, new long[] {st[0], st[2], st[1]});
    }

    private static boolean isContiguous(long[] shape, long[] stride) {
        return Arrays.equals(stride, ArrayUtil.calcStrides(shape)) || Arrays.equals(stride,
                ArrayUtil.calcStridesFortran(shape));
    }
}

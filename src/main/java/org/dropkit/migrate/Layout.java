package org.dropkit.migrate;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;

/**
 * The rank and channel axis of an activation array, as far as the swap needs them: spatial dropout shares every
 * axis but the example axis (0) and the channel axis.
 */
final class Layout {

    static final Layout FEED_FORWARD = new Layout(2, 1, "feed-forward [batch, features]");

    final int rank;
    final int channelAxis;
    final String name;

    private Layout(int rank, int channelAxis, String name) {
        this.rank = rank;
        this.channelAxis = channelAxis;
        this.name = name;
    }

    static Layout of(CNN2DFormat format) {
        return format == CNN2DFormat.NHWC ? new Layout(4, 3, "NHWC") : new Layout(4, 1, "NCHW");
    }

    static Layout of(RNNFormat format) {
        return format == RNNFormat.NWC ? new Layout(3, 2, "NWC") : new Layout(3, 1, "NCW");
    }

    static Layout of(Convolution3D.DataFormat format) {
        return format == Convolution3D.DataFormat.NDHWC ? new Layout(5, 4, "NDHWC") : new Layout(5, 1, "NCDHW");
    }

    /** The layout of arrays of this input type, or null for types this class does not know. */
    static Layout of(InputType type) {
        if (type instanceof InputType.InputTypeFeedForward || type instanceof InputType.InputTypeConvolutionalFlat) {
            return FEED_FORWARD;
        }
        if (type instanceof InputType.InputTypeRecurrent) {
            return of(((InputType.InputTypeRecurrent) type).getFormat());
        }
        if (type instanceof InputType.InputTypeConvolutional) {
            return of(((InputType.InputTypeConvolutional) type).getFormat());
        }
        if (type instanceof InputType.InputTypeConvolutional3D) {
            return of(((InputType.InputTypeConvolutional3D) type).getDataFormat());
        }
        return null;
    }

    /** Every axis but 0 and the channel axis: one mask value per (example, channel). */
    int[] spatialAxes() {
        int[] axes = new int[rank - 2];
        int k = 0;
        for (int axis = 1; axis < rank; axis++) {
            if (axis != channelAxis) {
                axes[k++] = axis;
            }
        }
        return axes;
    }

    boolean channelsFirst() {
        return channelAxis == 1;
    }

    @Override
    public String toString() {
        return name;
    }
}

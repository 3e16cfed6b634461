package org.dropkit.migrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Keras {@code noise_shape} as shared axes of the array DL4J hands the dropout. Keras broadcasts the mask along
 * every axis whose noise_shape entry is 1 ({@code Dropout(0.5, noise_shape=[None, 1, 64])} on [batch, steps, 64] is
 * one mask value per example and feature, the same at every step); its axes count in the Keras tensor, which is
 * channels_last unless the layers before say channels_first. DL4J's array may keep its channels elsewhere (NCW, NCHW),
 * so the axes are mapped by role: batch to batch, channel to channel, the other axes in their order.
 */
final class KerasNoiseShape {

    /** Shared axes of the DL4J array, sorted; null when the noise shape cannot be placed (see {@link #note}). */
    final int[] axes;
    /** How the axes were found, or why they could not be. */
    final String note;

    private KerasNoiseShape(int[] axes, String note) {
        this.axes = axes;
        this.note = note;
    }

    /**
     * @param noiseShape    Keras' noise_shape, batch axis first, -1 for None
     * @param channelsFirst whether the Keras tensor is channels_first
     * @param seen          the layout of the array the dropout acts on in DL4J, or null if unknown
     */
    static KerasNoiseShape map(long[] noiseShape, boolean channelsFirst, Layout seen) {
        int rank = noiseShape.length;
        List<Integer> shared = new ArrayList<>();
        for (int k = 0; k < rank; k++) {
            if (noiseShape[k] == 1) {
                shared.add(k);
            }
        }
        String shape = Arrays.toString(noiseShape).replace("-1", "None");
        if (shared.isEmpty()) {
            return new KerasNoiseShape(new int[0], "noise_shape " + shape + " shares no axis: one mask value per"
                    + " element");
        }
        if (seen == null && rank == 2) {
            seen = Layout.FEED_FORWARD; // a rank-2 Keras tensor is [batch, features] in DL4J too
        }
        if (seen == null) {
            return new KerasNoiseShape(null, "noise_shape " + shape + " shares axes of a rank-" + rank + " input"
                    + " whose layout in DL4J (channels first or last) is not known from the configuration, so the"
                    + " layer is left as DL4J imported it: pass the network's input types with"
                    + " DropoutSwap.options().inputTypes(...)");
        }
        if (seen.rank != rank) {
            return new KerasNoiseShape(null, "noise_shape " + shape + " has " + rank + " axes but the array this"
                    + " layer sees in DL4J (" + seen + ") has rank " + seen.rank + ", so the layer is left as DL4J"
                    + " imported it");
        }
        int[] toDl4j = axisMap(rank, rank == 2 || channelsFirst ? 1 : rank - 1, seen.channelAxis);
        int[] axes = new int[shared.size()];
        int[] kerasAxes = new int[shared.size()];
        for (int i = 0; i < axes.length; i++) {
            kerasAxes[i] = shared.get(i);
            axes[i] = toDl4j[kerasAxes[i]];
        }
        Arrays.sort(axes);
        String how = "noise_shape " + shape + " shares Keras axes " + Arrays.toString(kerasAxes);
        if (rank > 2) {
            how += " of its " + (channelsFirst ? "channels_first" : "channels_last") + " input";
        }
        return new KerasNoiseShape(axes, how + ": shared axes " + Arrays.toString(axes) + " of the " + seen
                + " array this layer sees in DL4J");
    }

    /** Keras axis to DL4J axis: 0 to 0, channel to channel, the remaining axes in their order. */
    private static int[] axisMap(int rank, int kerasChannel, int dl4jChannel) {
        int[] map = new int[rank];
        int next = 1;
        for (int k = 1; k < rank; k++) {
            if (k == kerasChannel) {
                map[k] = dl4jChannel;
            } else {
                if (next == dl4jChannel) {
                    next++;
                }
                map[k] = next++;
            }
        }
        return map;
    }
}

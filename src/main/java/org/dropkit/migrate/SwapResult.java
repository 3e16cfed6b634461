package org.dropkit.migrate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dropkit.MaskDropout;

/**
 * What {@link DropoutSwap} returns: the converted configuration or network, and a report of every dropout it found,
 * replaced or left. Print it: {@code System.out.println(result)}.
 *
 * @param <T> MultiLayerConfiguration, ComputationGraphConfiguration, MultiLayerNetwork or ComputationGraph
 */
public final class SwapResult<T> {

    private final T value;
    private final List<Entry> replaced;
    private final List<Entry> left;

    SwapResult(T value, List<Entry> replaced, List<Entry> left) {
        this.value = value;
        this.replaced = Collections.unmodifiableList(new ArrayList<>(replaced));
        this.left = Collections.unmodifiableList(new ArrayList<>(left));
    }

    /** The converted copy; the object given to the swap is unchanged. */
    public T get() {
        return value;
    }

    /** Every DL4J dropout replaced by Dropkit's, in network order. */
    public List<Entry> replaced() {
        return replaced;
    }

    /** Every dropout-like setting left as it was (not understood, no Dropkit equivalent, or not decidable). */
    public List<Entry> left() {
        return left;
    }

    /** The entry of a layer (or vertex) name and site, e.g. {@code ("conv1", Site.DROPOUT)}, or null. */
    public Entry find(String layerName, Site site) {
        for (List<Entry> list : List.of(replaced, left)) {
            for (Entry e : list) {
                if (e.layerName.equals(layerName) && e.site == site) {
                    return e;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("DropoutSwap: ").append(replaced.size()).append(" replaced, ")
                .append(left.size()).append(" left");
        if (!replaced.isEmpty()) {
            s.append("\nreplaced:");
            for (Entry e : replaced) {
                s.append("\n  ").append(e);
            }
        }
        if (!left.isEmpty()) {
            s.append("\nleft:");
            for (Entry e : left) {
                s.append("\n  ").append(e);
            }
        }
        return s.toString();
    }

    /** Where in a layer a dropout-like setting sits. */
    public enum Site {
        /** The layer's own {@code IDropout} ({@code .dropOut(...)}), acting on the layer's input in training. */
        DROPOUT,
        /** A DL4J {@code DropoutLayer}, replaced as a whole by a {@link org.dropkit.conf.MaskDropoutLayer}. */
        DROPOUT_LAYER,
        /** The layer's weight noise ({@code DropConnect}, {@code WeightNoise}); never replaced. */
        WEIGHT_NOISE
    }

    /** One dropout-like setting the swap found. */
    public static final class Entry {
        private final String layerName;
        private final Site site;
        private final String where;
        private final String before;
        private final MaskDropout replacement;
        private final String note;

        Entry(String layerName, Site site, String where, String before, MaskDropout replacement, String note) {
            this.layerName = layerName;
            this.site = site;
            this.where = where;
            this.before = before;
            this.replacement = replacement;
            this.note = note == null ? "" : note;
        }

        /** The name of the layer (MultiLayerNetwork) or vertex (ComputationGraph) it belongs to. */
        public String layerName() {
            return layerName;
        }

        public Site site() {
            return site;
        }

        /** In words, e.g. {@code ".dropOut of ConvolutionLayer"} or {@code "DropoutLayer inside FrozenLayer"}. */
        public String where() {
            return where;
        }

        /** The DL4J setting found, e.g. {@code "SpatialDropout(p=0.8)"}. */
        public String before() {
            return before;
        }

        /** The Dropkit dropout that replaced it, or null if it was left. */
        public MaskDropout replacement() {
            return replacement;
        }

        /** How it was converted (shared axes, schedules), or why it was left; may be empty. */
        public String note() {
            return note;
        }

        @Override
        public String toString() {
            String after = replacement == null ? "left as is"
                    : "-> " + (site == Site.DROPOUT_LAYER ? "MaskDropoutLayer with " : "") + replacement;
            return "\"" + layerName + "\" " + where + ": " + before + " " + after + (note.isEmpty() ? "" : " (" + note
                    + ")");
        }
    }
}

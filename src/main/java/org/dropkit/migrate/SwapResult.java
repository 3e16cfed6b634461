package org.dropkit.migrate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dropkit.MaskDropConnect;
import org.dropkit.MaskDropout;

/**
 * What {@link DropoutSwap} returns: the converted configuration or network, and a report of every dropout it found:
 * replaced by Dropkit's, removed (it dropped nothing), or left as it was. Print it:
 * {@code System.out.println(result)}.
 *
 * @param <T> MultiLayerConfiguration, ComputationGraphConfiguration, MultiLayerNetwork or ComputationGraph
 */
public final class SwapResult<T> {

    private final T value;
    private final List<Entry> replaced;
    private final List<Entry> removed;
    private final List<Entry> left;

    SwapResult(T value, List<Entry> replaced, List<Entry> removed, List<Entry> left) {
        this.value = value;
        this.replaced = Collections.unmodifiableList(new ArrayList<>(replaced));
        this.removed = Collections.unmodifiableList(new ArrayList<>(removed));
        this.left = Collections.unmodifiableList(new ArrayList<>(left));
    }

    /**
     * The converted copy; the object given to the swap is unchanged.
     *
     * @return the converted configuration, network or graph
     */
    public T get() {
        return value;
    }

    /**
     * Every DL4J dropout replaced by Dropkit's, in network order.
     *
     * @return an unmodifiable list; empty if nothing was replaced
     */
    public List<Entry> replaced() {
        return replaced;
    }

    /**
     * Every DL4J dropout that dropped nothing (p = 1, e.g. the {@code Dropout(1.0)} DL4J's Keras import writes on
     * layers that had no dropout), removed: the layer has no dropout now, and a {@code DropoutLayer} became DL4J's
     * {@code ActivationLayer(IDENTITY)} of the same name. In network order.
     *
     * @return an unmodifiable list; empty if nothing was removed
     */
    public List<Entry> removed() {
        return removed;
    }

    /**
     * Every dropout-like setting left as it was (not understood, no Dropkit equivalent, or not decidable).
     *
     * @return an unmodifiable list; empty if nothing was left
     */
    public List<Entry> left() {
        return left;
    }

    /**
     * The entry of a layer (or vertex) name and site, e.g. {@code ("conv1", Site.DROPOUT)}.
     *
     * @param layerName the layer or vertex name
     * @param site      where in the layer
     * @return the entry, whether replaced, removed or left, or null if the swap found nothing there
     */
    public Entry find(String layerName, Site site) {
        for (List<Entry> list : List.of(replaced, removed, left)) {
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
                .append(removed.size()).append(" removed, ").append(left.size()).append(" left");
        section(s, "replaced", replaced);
        section(s, "removed (they dropped nothing)", removed);
        section(s, "left", left);
        return s.toString();
    }

    private static void section(StringBuilder s, String title, List<Entry> entries) {
        if (!entries.isEmpty()) {
            s.append("\n").append(title).append(':');
            for (Entry e : entries) {
                s.append("\n  ").append(e);
            }
        }
    }

    /** Where in a layer a dropout-like setting sits. */
    public enum Site {
        /** The layer's own {@code IDropout} ({@code .dropOut(...)}), acting on the layer's input in training. */
        DROPOUT,
        /**
         * A DL4J {@code DropoutLayer}, replaced as a whole by a {@link org.dropkit.conf.MaskDropoutLayer}, or by DL4J's
         * identity {@code ActivationLayer} of the same name where it drops nothing.
         */
        DROPOUT_LAYER,
        /**
         * The layer's weight noise ({@code DropConnect}, {@code WeightNoise}), replaced by a
         * {@link org.dropkit.MaskDropConnect} where the meaning carries (see {@link Entry#weightNoiseReplacement()}).
         */
        WEIGHT_NOISE
    }

    /** One dropout-like setting the swap found. */
    public static final class Entry {
        private final String layerName;
        private final Site site;
        private final String where;
        private final String before;
        private final MaskDropout replacement;
        private final MaskDropConnect weightNoise;
        private final boolean removed;
        private final String note;

        /** A replaced entry (replacement not null) or one left as it was (replacement null). */
        Entry(String layerName, Site site, String where, String before, MaskDropout replacement, String note) {
            this(layerName, site, where, before, replacement, false, note);
        }

        private Entry(String layerName, Site site, String where, String before, MaskDropout replacement,
                boolean removed, String note) {
            this(layerName, site, where, before, replacement, null, removed, note);
        }

        private Entry(String layerName, Site site, String where, String before, MaskDropout replacement,
                MaskDropConnect weightNoise, boolean removed, String note) {
            this.weightNoise = weightNoise;
            this.layerName = layerName;
            this.site = site;
            this.where = where;
            this.before = before;
            this.replacement = replacement;
            this.removed = removed;
            this.note = note == null ? "" : note;
        }

        /** A weight noise entry: replaced (replacement not null) or left (replacement null). */
        static Entry weightNoise(String layerName, String where, String before, MaskDropConnect replacement,
                String note) {
            return new Entry(layerName, Site.WEIGHT_NOISE, where, before, null, replacement, false, note);
        }

        /** An entry for a dropout that dropped nothing and was removed. */
        static Entry removal(String layerName, Site site, String where, String before, String note) {
            return new Entry(layerName, site, where, before, null, true, note);
        }

        /**
         * The name of the layer (MultiLayerNetwork) or vertex (ComputationGraph) it belongs to.
         *
         * @return the layer or vertex name
         */
        public String layerName() {
            return layerName;
        }

        /**
         * Where in the layer the setting sits.
         *
         * @return the site
         */
        public Site site() {
            return site;
        }

        /**
         * In words, e.g. {@code ".dropOut of ConvolutionLayer"} or {@code "DropoutLayer inside FrozenLayer"}.
         *
         * @return the place, in words
         */
        public String where() {
            return where;
        }

        /**
         * The DL4J setting found, e.g. {@code "SpatialDropout(p=0.8)"}.
         *
         * @return DL4J's setting, as text
         */
        public String before() {
            return before;
        }

        /**
         * The Dropkit dropout that replaced it, or null if it was removed or left, or the entry is weight noise (see
         * {@link #weightNoiseReplacement()}).
         *
         * @return the replacement, or null
         */
        public MaskDropout replacement() {
            return replacement;
        }

        /**
         * The Dropkit weight noise that replaced a DL4J {@code DropConnect} or {@code WeightNoise}
         * ({@link Site#WEIGHT_NOISE}), or null if it was removed or left, or the entry is a dropout.
         *
         * @return the replacement weight noise, or null
         */
        public MaskDropConnect weightNoiseReplacement() {
            return weightNoise;
        }

        /**
         * How it was converted (shared axes, schedules), or why it was removed or left; may be empty.
         *
         * @return the note; never null
         */
        public String note() {
            return note;
        }

        @Override
        public String toString() {
            String after = removed ? "removed" : weightNoise != null ? "-> " + weightNoise
                    : replacement == null ? "left as is"
                    : "-> " + (site == Site.DROPOUT_LAYER ? "MaskDropoutLayer with " : "") + replacement;
            return "\"" + layerName + "\" " + where + ": " + before + " " + after + (note.isEmpty() ? "" : " (" + note
                    + ")");
        }
    }
}

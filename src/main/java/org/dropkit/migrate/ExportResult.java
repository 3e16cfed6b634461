package org.dropkit.migrate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.conf.dropout.IDropout;

/**
 * What {@link DropoutExport} returns: the converted configuration or network, and a report of every Dropkit setting
 * it found: converted to DL4J's built-in of the same meaning, or left as it was, with the reason. Print it:
 * {@code System.out.println(result)}.
 *
 * @param <T> MultiLayerConfiguration, ComputationGraphConfiguration, MultiLayerNetwork or ComputationGraph
 */
public final class ExportResult<T> {

    private final T value;
    private final List<Entry> converted;
    private final List<Entry> left;

    ExportResult(T value, List<Entry> converted, List<Entry> left) {
        this.value = value;
        this.converted = Collections.unmodifiableList(new ArrayList<>(converted));
        this.left = Collections.unmodifiableList(new ArrayList<>(left));
    }

    /**
     * The converted copy; the object given to the export is unchanged.
     *
     * @return the converted configuration, network or graph
     */
    public T get() {
        return value;
    }

    /**
     * Every Dropkit setting replaced by DL4J's built-in of the same meaning, in network order.
     *
     * @return an unmodifiable list; empty if nothing was converted
     */
    public List<Entry> converted() {
        return converted;
    }

    /**
     * Every Dropkit setting left as it was: no built-in has its meaning, or DL4J's would train differently there.
     *
     * @return an unmodifiable list; empty if the result needs nothing of Dropkit
     */
    public List<Entry> left() {
        return left;
    }

    /**
     * Whether the result needs nothing of Dropkit: its JSON (and so a {@code ModelSerializer} file) names no
     * {@code org.dropkit} class, so DL4J alone loads it.
     *
     * @return true when nothing was left
     */
    public boolean isDropkitFree() {
        return left.isEmpty();
    }

    /**
     * The entry of a layer (or vertex) name and site, e.g. {@code ("conv1", Site.DROPOUT)}.
     *
     * @param layerName the layer or vertex name
     * @param site      where in the layer
     * @return the entry, converted or left, or null if the export found nothing of Dropkit there
     */
    public Entry find(String layerName, Site site) {
        for (List<Entry> list : List.of(converted, left)) {
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
        StringBuilder s = new StringBuilder("DropoutExport: ").append(converted.size()).append(" converted, ")
                .append(left.size()).append(" left").append(left.isEmpty() ? " (free of Dropkit)"
                        : " (the result still needs Dropkit)");
        section(s, "converted", converted);
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

    /** Where in a layer a Dropkit setting sits. */
    public enum Site {
        /** The layer's own {@code IDropout} ({@code .dropOut(...)}), acting on the layer's input in training. */
        DROPOUT,
        /**
         * A {@link org.dropkit.conf.MaskDropoutLayer}, replaced as a whole by DL4J's {@code DropoutLayer} of the same
         * name (or its {@code ActivationLayer(IDENTITY)} where it has no dropout).
         */
        DROPOUT_LAYER,
        /** Anything else of the layer that names a Dropkit class (a schedule of a DL4J dropout, say); never changed. */
        OTHER
    }

    /** One Dropkit setting the export found. */
    public static final class Entry {
        private final String layerName;
        private final Site site;
        private final String where;
        private final String before;
        private final IDropout replacement;
        private final String after;
        private final String note;

        /**
         * @param replacement the built-in dropout, or null (left, or a layer without dropout)
         * @param after       what it became, in words, or null when it was left
         */
        Entry(String layerName, Site site, String where, String before, IDropout replacement, String after,
                String note) {
            this.layerName = layerName;
            this.site = site;
            this.where = where;
            this.before = before;
            this.replacement = replacement;
            this.after = after;
            this.note = note == null ? "" : note;
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
         * In words, e.g. {@code ".dropOut of ConvolutionLayer"} or {@code "MaskDropoutLayer inside FrozenLayer"}.
         *
         * @return the place, in words
         */
        public String where() {
            return where;
        }

        /**
         * The Dropkit setting found, e.g. {@code "MaskDropout(BERNOULLI, p=0.8, RECOMPUTE)"}.
         *
         * @return Dropkit's setting, as text
         */
        public String before() {
            return before;
        }

        /**
         * The DL4J dropout that replaced it, or null if it was left (or the layer had no dropout).
         *
         * @return the built-in replacement, or null
         */
        public IDropout replacement() {
            return replacement;
        }

        /**
         * Whether it was converted.
         *
         * @return false when it was left as it was
         */
        public boolean isConverted() {
            return after != null;
        }

        /**
         * How it was converted, or why it was left; may be empty.
         *
         * @return the note; never null
         */
        public String note() {
            return note;
        }

        @Override
        public String toString() {
            return "\"" + layerName + "\" " + where + ": " + before + " " + (after == null ? "left as is"
                    : "-> " + after) + (note.isEmpty() ? "" : " (" + note + ")");
        }
    }
}

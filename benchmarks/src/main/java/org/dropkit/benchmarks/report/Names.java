package org.dropkit.benchmarks.report;

import java.util.Locale;

/** Display names and the built-in baseline of each implementation (mirrors org.dropkit.benchmarks.Impl). */
final class Names {

    private Names() {
    }

    static String baselineOf(String impl) {
        if (impl.startsWith("DL4J_")) {
            return null;
        }
        if (impl.contains("GAUSSIAN")) {
            return "DL4J_GAUSSIAN";
        }
        if (impl.contains("SHARED")) {
            return "DL4J_SPATIAL";
        }
        return "DL4J_DROPOUT";
    }

    static boolean isBuiltIn(String impl) {
        return impl.startsWith("DL4J_");
    }

    static String impl(String impl) {
        switch (impl) {
            case "DL4J_DROPOUT":
                return "DL4J Dropout";
            case "DL4J_GAUSSIAN":
                return "DL4J GaussianDropout";
            case "DL4J_SPATIAL":
                return "DL4J SpatialDropout";
            case "DL4J_DROPCONNECT":
                return "DL4J DropConnect";
            default:
                String[] parts = impl.split("_");
                return "Dropkit " + cap(parts[1]) + " " + parts[2];
        }
    }

    private static String cap(String s) {
        return s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    /** 10240000 -> "1e7" (about 1e4, 1e6, 1e7). */
    static String size(long elements) {
        return "1e" + Math.round(Math.log10(elements));
    }

    static String rankKind(int rank) {
        return rank == 2 ? "2-D" : rank == 4 ? "4-D CNN" : rank == 3 ? "3-D RNN" : rank + "-D";
    }

    /** Microseconds, as "59.3 µs" or "30.2 ms". */
    static String time(double us) {
        if (Double.isNaN(us)) {
            return "–";
        }
        if (us >= 1000) {
            return sig(us / 1000) + " ms";
        }
        return sig(us) + " µs";
    }

    static String sig(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f×", v);
    }
}

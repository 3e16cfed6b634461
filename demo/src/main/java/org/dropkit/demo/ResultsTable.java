package org.dropkit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The results table: one row per run, as aligned text for the console and as a markdown table. */
final class ResultsTable {

    static final String[] HEADER = {"experiment", "variant", "dropout", "train acc", "held-out acc", "gap",
        "train loss", "held-out loss", "ms/epoch", "mask bytes kept", "MC spread in", "MC spread out"};
    /** Right-aligned columns (numbers). */
    private static final boolean[] NUMERIC = {false, false, false, true, true, true, true, true, true, true, true,
        true};

    private ResultsTable() {
    }

    static List<String[]> rows(List<RunResult> runs) {
        List<String[]> rows = new ArrayList<>();
        for (RunResult r : runs) {
            int last = r.epochs() - 1;
            MonteCarloSummary mc = r.monteCarlo;
            rows.add(new String[] {
                r.experiment,
                r.variant.name,
                r.variant.dropout,
                percent(r.finalTrainAccuracy()),
                percent(r.finalHeldOutAccuracy()),
                String.format(Locale.ROOT, "%.1f", 100 * r.gap()),
                String.format(Locale.ROOT, "%.3f", r.trainLoss[last]),
                String.format(Locale.ROOT, "%.3f", r.heldOutLoss[last]),
                String.format(Locale.ROOT, "%.0f", r.msPerEpoch),
                bytes(r.maskBytes),
                mc == null ? "-" : String.format(Locale.ROOT, "%.4f", mc.meanIn()),
                mc == null ? "-" : String.format(Locale.ROOT, "%.4f (x%.1f)", mc.meanOut(),
                        mc.meanOut() / mc.meanIn()),
            });
        }
        return rows;
    }

    static String text(List<RunResult> runs) {
        List<String[]> rows = rows(runs);
        int[] width = new int[HEADER.length];
        for (int c = 0; c < HEADER.length; c++) {
            width[c] = HEADER[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, HEADER, width);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < HEADER.length; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        sb.append(rule).append(System.lineSeparator());
        for (String[] row : rows) {
            appendRow(sb, row, width);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] width) {
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            sb.append(c == 0 ? "" : "  ").append(NUMERIC[c] ? pad + cells[c] : cells[c] + pad);
        }
        sb.append(System.lineSeparator());
    }

    static String markdown(List<RunResult> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append('|');
        for (String h : HEADER) {
            sb.append(' ').append(h).append(" |");
        }
        sb.append('\n').append('|');
        for (boolean numeric : NUMERIC) {
            sb.append(numeric ? "---:|" : "---|");
        }
        sb.append('\n');
        for (String[] row : rows(runs)) {
            sb.append('|');
            for (int c = 0; c < row.length; c++) {
                String cell = c == 2 && !row[c].equals("-") ? "`" + row[c] + "`" : row[c];
                sb.append(' ').append(cell.replace("|", "\\|")).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024.0));
    }
}

package org.dropkit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A table of results: a header and rows of cells, printed as aligned text for the console or as markdown. */
final class ResultsTable {

    private final String[] header;
    /** Right-aligned columns (numbers). */
    private final boolean[] numeric;
    /** Columns whose cells are code (markdown back-quotes), except a "-". */
    private final boolean[] code;
    private final List<String[]> rows = new ArrayList<>();

    ResultsTable(String[] header, boolean[] numeric, boolean[] code) {
        if (numeric.length != header.length || code.length != header.length) {
            throw new IllegalArgumentException("header, numeric and code need one entry per column");
        }
        this.header = header.clone();
        this.numeric = numeric.clone();
        this.code = code.clone();
    }

    ResultsTable add(String... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("a row needs " + header.length + " cells, got " + cells.length);
        }
        rows.add(cells.clone());
        return this;
    }

    List<String[]> rows() {
        return rows;
    }

    String text() {
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, width);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < header.length; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        sb.append(rule).append(System.lineSeparator());
        for (String[] row : rows) {
            appendRow(sb, row, width);
        }
        return sb.toString();
    }

    private void appendRow(StringBuilder sb, String[] cells, int[] width) {
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            sb.append(c == 0 ? "" : "  ").append(numeric[c] ? pad + cells[c] : cells[c] + pad);
        }
        sb.append(System.lineSeparator());
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append('|');
        for (String h : header) {
            sb.append(' ').append(h).append(" |");
        }
        sb.append('\n').append('|');
        for (boolean n : numeric) {
            sb.append(n ? "---:|" : "---|");
        }
        sb.append('\n');
        for (String[] row : rows) {
            sb.append('|');
            for (int c = 0; c < row.length; c++) {
                String cell = code[c] && !row[c].equals("-") ? "`" + row[c] + "`" : row[c];
                sb.append(' ').append(cell.replace("|", "\\|")).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String percent(double fraction) {
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

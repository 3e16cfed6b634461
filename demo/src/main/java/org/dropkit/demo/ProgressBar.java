package org.dropkit.demo;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A progress bar for one training run: epochs done, the latest score, held-out accuracy and the time left. On a
 * terminal it redraws one line; otherwise (a log file, CI) it logs one line through SLF4J when the run ends.
 */
final class ProgressBar {

    private static final Logger log = LoggerFactory.getLogger(ProgressBar.class);
    private static final int WIDTH = 24;

    private final String label;
    private final int total;
    private final boolean terminal;
    private final PrintStream out;
    private final long start = System.nanoTime();

    /** @param redraw whether this is the only run in progress, so that it may redraw a terminal line */
    ProgressBar(String label, int total, boolean redraw) {
        this(label, total, redraw && System.console() != null, System.out);
    }

    ProgressBar(String label, int total, boolean terminal, PrintStream out) {
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.out = out;
    }

    /** Reports that {@code done} of the epochs have finished. */
    void update(int done, double score, double heldOutAccuracy) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done == 0 ? Double.NaN : elapsed / done * (total - done);
        String line = line(done, score, heldOutAccuracy, done == total ? elapsed : eta, done == total);
        if (terminal) {
            out.print("\r" + line + (done == total ? System.lineSeparator() : ""));
            out.flush();
        } else if (done == total) {
            log.info(line);
        }
    }

    String line(int done, double score, double heldOutAccuracy, double seconds, boolean finished) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        StringBuilder bar = new StringBuilder(WIDTH);
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '#' : '.');
        }
        return String.format(Locale.ROOT, "%-44s [%s] %3d/%d epochs  score %6s  held-out acc %6s  %s %s",
                label, bar, done, total, Double.isNaN(score) ? "-" : String.format(Locale.ROOT, "%.4f", score),
                Double.isNaN(heldOutAccuracy) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * heldOutAccuracy),
                finished ? "took" : "ETA ", clock(seconds));
    }

    static String clock(double seconds) {
        if (Double.isNaN(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}

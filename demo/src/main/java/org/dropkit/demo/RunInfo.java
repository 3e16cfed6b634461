package org.dropkit.demo;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;

/** How the demo was run: the options, the sizes, the machine, how long it took; and the text that says so. */
final class RunInfo {

    final Options options;
    final Settings settings;
    final List<Experiment> experiments;
    final String build;
    final int threads;
    final double loadAtStart;
    final int trainImages;
    final int heldOutImages;
    double minutes;
    double loadAtEnd;

    RunInfo(Options options, Settings settings, List<Experiment> experiments, String build, int trainImages,
            int heldOutImages) {
        this.options = options;
        this.settings = settings;
        this.experiments = experiments;
        this.build = build;
        this.threads = Nd4j.getEnvironment().maxThreads();
        this.loadAtStart = load();
        this.trainImages = trainImages;
        this.heldOutImages = heldOutImages;
    }

    /** The system's load average over the last minute, or NaN where the JVM cannot tell. */
    static double load() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? Double.NaN : load;
    }

    void finish(long startNanos) {
        minutes = (System.nanoTime() - startNanos) / 6e10;
        loadAtEnd = load();
    }

    /** The command line that reproduces this run. */
    String command() {
        StringBuilder sb = new StringBuilder("demo/run");
        if (options.quick) {
            sb.append(" --quick");
        }
        sb.append(" --epochs ").append(options.epochs).append(" --seed ").append(options.seed).append(" --seeds ")
                .append(options.seeds).append(" --p ").append(options.p);
        return sb.toString();
    }

    String seedsText() {
        return options.seeds == 1 ? "seed " + options.seed
                : options.seeds + " seeds, " + options.seed + " to " + (options.seed + options.seeds - 1);
    }

    String header() {
        return String.format(Locale.ROOT, "Command: `%s`  %nTook %s on %d cores (load average %s at the start, %s at"
                + " the end), nd4j-native%s build, %d OpenMP thread(s).  %nData: %d training images (%d of each"
                + " digit) and %d held-out images per seed, drawn from the %d shipped UCI digits"
                + " ([demo/data/DATA.md](../data/DATA.md)); %s.", command(), ProgressBar.clock(minutes * 60),
                Runtime.getRuntime().availableProcessors(), loadText(loadAtStart), loadText(loadAtEnd),
                build.isEmpty() ? " generic" : build, threads, trainImages, settings.perClass, heldOutImages,
                Digits.IMAGES, seedsText());
    }

    private static String loadText(double load) {
        return Double.isNaN(load) ? "unknown" : String.format(Locale.ROOT, "%.1f", load);
    }

    String whatWasTrained() {
        StringBuilder sb = new StringBuilder();
        for (Experiment e : experiments) {
            sb.append("- **").append(e.name).append("**: ").append(e.description).append(".\n");
        }
        sb.append(String.format(Locale.ROOT, "- All: %d epochs, pixels scaled to [0, 1]; run k uses seed %d + k for"
                + " its training subset, initial weights, batch order and masks, the same subset for every variant"
                + " and network.%n", options.epochs, options.seed));
        sb.append(String.format(Locale.ROOT, "- **Monte Carlo dropout**: `MonteCarloDropout.of(net).samples(%d)` on"
                + " the Dropkit MLPs (their `MaskDropoutLayer`s stay stochastic), on the held-out digits, the same"
                + " digits rotated a quarter turn, and in negative.%n", settings.monteCarloSamples));
        return sb.toString();
    }
}

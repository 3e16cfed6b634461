package org.dropkit.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The written results: results.md, and a few sentences that read the table for the user. */
final class Report {

    static final String QUICK_NOTE = "Quick mode checks that everything runs: with so few epochs the dropout"
            + " variants have not converged (dropout slows fitting), so compare them in a full run.";

    private Report() {
    }

    static String markdown(Options options, Settings settings, TabularTask tabular, List<RunResult> runs,
            List<Path> charts, String build, double minutes) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Dropkit demo results\n\n");
        sb.append("Command: `").append(command(options)).append("`  \n");
        sb.append(String.format(Locale.ROOT, "Took %s on %d cores, nd4j-native%s build.%n%n",
                ProgressBar.clock(minutes * 60), Runtime.getRuntime().availableProcessors(),
                build.isEmpty() ? " generic" : build));
        sb.append(ResultsTable.markdown(runs)).append('\n');
        for (String line : findingLines(runs)) {
            sb.append("- ").append(line).append('\n');
        }
        sb.append('\n');
        if (options.quick) {
            sb.append(QUICK_NOTE).append("\n\n");
        }
        sb.append("## What was trained\n\n");
        sb.append(String.format(Locale.ROOT, "- **MLP**: %d-%d-%d-%d, ReLU, softmax, Adam(%s), batch %d, %d epochs."
                + " Data: %d training and %d held-out examples with %d features, of which %d carry the class"
                + " (%d classes); %.0f%% of the training labels are replaced by random ones, held-out labels are"
                + " clean. Dropout variants put a dropout layer after each hidden layer.%n",
                tabular.features, settings.hidden, settings.hidden, tabular.classes, settings.learningRate,
                settings.batchSize, options.epochs, tabular.train.numExamples(), tabular.test.numExamples(),
                tabular.features, tabular.informative, tabular.classes, 100 * tabular.labelNoise));
        sb.append(String.format(Locale.ROOT, "- **Monte Carlo dropout**: `MonteCarloDropout.of(net).samples(%d)`"
                + " on the Dropkit MLPs. Spread = standard deviation of the class probabilities over the passes,"
                + " averaged over classes and examples. In distribution: the held-out set. Out of distribution: the"
                + " same kind of examples with every feature multiplied by %s.%n", settings.monteCarloSamples,
                DropkitDemo.fmt(tabular.oodScale)));
        sb.append(String.format(Locale.ROOT, "- **CNN**: conv3x3(%d)-[spatial dropout]-conv3x3(%d)-global max"
                + " pool-dense(64)-softmax on %dx%d single-channel images of short bars (4 orientations, 4 classes),"
                + " %d training and %d held-out examples, %.0f%% of training labels random.%n%n", settings.channels,
                2 * settings.channels, settings.imageSize, settings.imageSize, settings.cnnTrain, settings.cnnTest,
                100 * settings.cnnLabelNoise));
        sb.append("Columns: accuracy and loss (cross-entropy) at the last epoch, in inference mode; gap = train minus"
                + " held-out accuracy in points; ms/epoch = training time only (noisy on a shared machine); mask"
                + " bytes kept = the most bytes all dropout layers held between a forward and its backward pass"
                + " (DL4J keeps a mask per layer; Dropkit's default RECOMPUTE keeps only a seed).\n\n");
        sb.append("## Charts\n\n");
        for (Path chart : charts) {
            String name = chart.getFileName().toString();
            sb.append("![").append(name.replace(".png", "")).append("](").append(name).append(")\n\n");
        }
        return sb.toString();
    }

    /** A few sentences computed from the results, one a line: the gaps, and the Monte Carlo spreads. */
    static String findings(List<RunResult> runs) {
        return String.join(System.lineSeparator(), findingLines(runs));
    }

    private static List<String> findingLines(List<RunResult> runs) {
        List<String> lines = new ArrayList<>();
        for (String experiment : experiments(runs)) {
            RunResult baseline = null;
            StringBuilder others = new StringBuilder();
            for (RunResult run : runs) {
                if (!run.experiment.equals(experiment)) {
                    continue;
                }
                if (run.variant.name.equals("none")) {
                    baseline = run;
                } else {
                    others.append(others.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                            "%s %.1f (held-out %.1f%%)", run.variant.name, 100 * run.gap(),
                            100 * run.finalHeldOutAccuracy()));
                }
            }
            if (baseline != null) {
                lines.add(String.format(Locale.ROOT, "%s: train/held-out gap without dropout %.1f points (held-out"
                        + " %.1f%%); with dropout: %s.", experiment, 100 * baseline.gap(),
                        100 * baseline.finalHeldOutAccuracy(), others));
            }
        }
        for (RunResult run : runs) {
            if (run.monteCarlo != null) {
                MonteCarloSummary mc = run.monteCarlo;
                lines.add(String.format(Locale.ROOT, "MC dropout, %s %s: spread %.4f on held-out inputs, %.4f out of"
                        + " distribution (x%.2f).", run.experiment, run.variant.name, mc.meanIn(), mc.meanOut(),
                        mc.meanOut() / mc.meanIn()));
            }
        }
        return lines;
    }

    private static List<String> experiments(List<RunResult> runs) {
        List<String> names = new ArrayList<>();
        for (RunResult run : runs) {
            if (!names.contains(run.experiment)) {
                names.add(run.experiment);
            }
        }
        return names;
    }

    /** The command line that reproduces this run. */
    static String command(Options options) {
        StringBuilder sb = new StringBuilder("demo/run");
        if (options.quick) {
            sb.append(" --quick");
        }
        sb.append(" --epochs ").append(options.epochs).append(" --seed ").append(options.seed).append(" --p ")
                .append(options.p);
        return sb.toString();
    }
}

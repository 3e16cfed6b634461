package org.dropkit.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The written results: the tables (regularization, Monte Carlo dropout, and a compact one for the project README),
 * and sentences computed from them that say which variant did better and whether the difference is larger than the
 * spread over seeds.
 */
final class Report {

    static final String QUICK_NOTE = "**Quick mode: these networks have NOT converged.** It checks that everything"
            + " runs (few seeds, epochs and held-out images); dropout slows fitting, so the dropout variants are"
            + " furthest from their final accuracy. Compare variants in a full run (`demo/run`).";

    /** Variant names the findings compare. */
    static final String STORED = "Dropkit Bernoulli STORED";
    static final String RECOMPUTE = "Dropkit Bernoulli";
    static final String PER_STEP = "Dropkit per step";
    static final String TIME_LOCKED = "Dropkit time-locked";
    static final String TIME_LOCKED_LAYER = "Dropkit time-locked layer";

    private Report() {
    }

    /** One row per (experiment, variant): mean ± sd over seeds of the last epoch's metrics. */
    static ResultsTable regularization(List<Summary> summaries) {
        ResultsTable t = new ResultsTable(
                new String[] {"experiment", "variant", "dropout", "train acc %", "held-out acc %",
                    "Δ held-out vs none (wins)", "gap", "train loss", "held-out loss", "ECE", "ms/epoch",
                    "mask bytes kept"},
                new boolean[] {false, false, false, true, true, true, true, true, true, true, true, true},
                new boolean[] {false, false, true, false, false, false, false, false, false, false, false, false});
        for (Summary s : summaries) {
            double[] delta = s.pairedDifference(RunResult::finalHeldOutAccuracy);
            t.add(s.experiment, s.variant.name, s.variant.dropout,
                    Stats.meanSd(s.values(RunResult::finalTrainAccuracy), 100, 1),
                    Stats.meanSd(s.values(RunResult::finalHeldOutAccuracy), 100, 1),
                    s.isBaseline() || delta == null ? "-" : Stats.signedMeanSd(delta, 100, 1) + " ("
                            + s.heldOutWins() + "/" + s.seeds() + ")",
                    Stats.meanSd(s.values(RunResult::gap), 100, 1),
                    Stats.meanSd(s.values(RunResult::finalTrainLoss), 1, 3),
                    Stats.meanSd(s.values(RunResult::finalHeldOutLoss), 1, 3),
                    Stats.meanSd(s.values(r -> Metrics.expectedCalibrationError(r.heldOut.confidence,
                            r.heldOut.correct)), 1, 3),
                    String.format(Locale.ROOT, "%.0f", s.mean(r -> r.msPerEpoch)),
                    ResultsTable.bytes(s.maxMaskBytes()));
        }
        return t;
    }

    /** One row per sampled variant: spreads, how well they rank errors and shifted inputs, and calibration. */
    static ResultsTable monteCarlo(List<Summary> sampled) {
        ResultsTable t = new ResultsTable(
                new String[] {"network", "T", "held-out acc % (MC mean)", "spread: right", "wrong", "rotated",
                    "inverted", "AUROC wrong vs right", "AUROC rotated", "AUROC inverted", "ECE, dropout off",
                    "ECE, MC mean"},
                new boolean[] {false, true, true, true, true, true, true, true, true, true, true, true},
                new boolean[12]);
        for (Summary s : sampled) {
            String[] m = monteCarloFigures(s);
            t.add(s.experiment + " " + s.variant.name, String.valueOf(s.runs.get(0).monteCarlo.samples), m[0], m[1],
                    m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9]);
        }
        return t;
    }

    /**
     * A sampled variant's Monte Carlo figures, mean ± sd over seeds: MC accuracy; spread on right, wrong, rotated and
     * inverted digits; AUROC of wrong against right, rotated and inverted against held-out; ECE dropout off and of the
     * MC mean.
     */
    private static String[] monteCarloFigures(Summary s) {
        return new String[] {
            Stats.meanSd(s.values(r -> r.monteCarlo.heldOut.accuracy()), 100, 1),
            Stats.meanSd(s.values(r -> r.monteCarlo.spreadRight()), 1, 3),
            Stats.meanSd(s.values(r -> r.monteCarlo.spreadWrong()), 1, 3),
            Stats.meanSd(s.values(r -> Stats.mean(r.monteCarlo.rotated.spread)), 1, 3),
            Stats.meanSd(s.values(r -> Stats.mean(r.monteCarlo.inverted.spread)), 1, 3),
            Stats.meanSd(s.values(r -> r.monteCarlo.errorAuroc()), 1, 2),
            Stats.meanSd(s.values(r -> MonteCarloSummary.oodAuroc(r.monteCarlo.rotated, r.monteCarlo.heldOut)), 1, 2),
            Stats.meanSd(s.values(r -> MonteCarloSummary.oodAuroc(r.monteCarlo.inverted, r.monteCarlo.heldOut)), 1,
                    2),
            Stats.meanSd(s.values(r -> Metrics.expectedCalibrationError(r.heldOut.confidence, r.heldOut.correct)), 1,
                    3),
            Stats.meanSd(s.values(r -> r.monteCarlo.calibrationError()), 1, 3)};
    }

    /** The project README's table: every variant but STORED (which matches RECOMPUTE), fewer columns. */
    static ResultsTable compact(List<Summary> summaries) {
        ResultsTable t = new ResultsTable(
                new String[] {"experiment", "dropout", "held-out acc %", "Δ vs none, points (wins)", "gap",
                    "held-out loss", "mask bytes kept"},
                new boolean[] {false, false, true, true, true, true, true},
                new boolean[] {false, true, false, false, false, false, false});
        for (Summary s : summaries) {
            if (s.variant.name.equals(STORED)) {
                continue;
            }
            double[] delta = s.pairedDifference(RunResult::finalHeldOutAccuracy);
            t.add(s.experiment, s.variant.dropout, Stats.meanSd(s.values(RunResult::finalHeldOutAccuracy), 100, 1),
                    s.isBaseline() || delta == null ? "-" : Stats.signedMeanSd(delta, 100, 1) + " ("
                            + s.heldOutWins() + "/" + s.seeds() + ")",
                    Stats.meanSd(s.values(RunResult::gap), 100, 1),
                    Stats.meanSd(s.values(RunResult::finalHeldOutLoss), 1, 3),
                    ResultsTable.bytes(s.maxMaskBytes()));
        }
        return t;
    }

    /** Sentences computed from the runs, one a line. */
    static List<String> findings(List<Summary> summaries) {
        List<String> lines = new ArrayList<>();
        List<String> experiments = new ArrayList<>();
        for (Summary s : summaries) {
            if (!experiments.contains(s.experiment)) {
                experiments.add(s.experiment);
            }
        }
        for (String experiment : experiments) {
            Summary none = find(summaries, experiment, Variant.NONE);
            if (none == null) {
                continue;
            }
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: without dropout %s%% held-out"
                    + " (train %s%%, held-out loss %s); held-out accuracy with dropout, paired by seed:", experiment,
                    Stats.meanSd(none.values(RunResult::finalHeldOutAccuracy), 100, 1),
                    Stats.meanSd(none.values(RunResult::finalTrainAccuracy), 100, 1),
                    Stats.meanSd(none.values(RunResult::finalHeldOutLoss), 1, 3)));
            String sep = " ";
            for (Summary s : summaries) {
                if (s.experiment.equals(experiment) && !s.isBaseline() && !s.variant.name.equals(STORED)) {
                    sb.append(sep).append(s.variant.name).append(' ')
                            .append(compare(s.pairedDifference(RunResult::finalHeldOutAccuracy), "points"));
                    sep = "; ";
                }
            }
            lines.add(sb.append('.').toString());
        }
        Summary stored = find(summaries, "MLP", STORED);
        Summary recompute = find(summaries, "MLP", RECOMPUTE);
        if (stored != null && recompute != null) {
            lines.add(String.format(Locale.ROOT, "MLP, Dropkit Bernoulli: STORED and RECOMPUTE masks give %s (mask"
                    + " bytes kept: %s and %s).", identical(stored, recompute)
                    ? "the same losses, bit for bit, in every seed and epoch" : "DIFFERENT losses (they should not)",
                    ResultsTable.bytes(stored.maxMaskBytes()), ResultsTable.bytes(recompute.maxMaskBytes())));
        }
        Summary perStep = find(summaries, "LSTM", PER_STEP);
        Summary locked = find(summaries, "LSTM", TIME_LOCKED);
        Summary lockedLayer = find(summaries, "LSTM", TIME_LOCKED_LAYER);
        if (perStep != null && locked != null) {
            lines.add("LSTM, time-locked minus per-step masks (both Dropkit, `.dropOut(...)` on the second LSTM),"
                    + " paired by seed: held-out accuracy "
                    + compare(paired(locked, perStep, RunResult::finalHeldOutAccuracy), "points")
                    + "; held-out loss " + compareLoss(paired(locked, perStep, RunResult::finalHeldOutLoss)) + ".");
        }
        if (locked != null && lockedLayer != null) {
            lines.add(identical(locked, lockedLayer)
                    ? "LSTM, time-locked masks as a `MaskDropoutLayer` and as `.dropOut(...)` on the next LSTM: the"
                            + " same losses, bit for bit, in every seed and epoch (both draw their seed at the same"
                            + " point of the forward pass, and a mask depends only on the seed and the position)."
                    : "LSTM, time-locked as a layer minus as `.dropOut(...)` (the same masking, other draws):"
                            + " held-out accuracy "
                            + compare(paired(lockedLayer, locked, RunResult::finalHeldOutAccuracy), "points") + ".");
        }
        for (Summary s : summaries) {
            if (s.runs.get(0).monteCarlo == null) {
                continue;
            }
            String[] m = monteCarloFigures(s);
            lines.add(String.format(Locale.ROOT, "MC dropout, %s %s (T = %d): spread %s on held-out digits it gets"
                    + " right, %s on those it gets wrong (AUROC %s), %s on rotated and %s on inverted digits"
                    + " (AUROC against held-out %s and %s); ECE %s with dropout off, %s for the MC mean.",
                    s.experiment, s.variant.name, s.runs.get(0).monteCarlo.samples, m[1], m[2], m[5], m[3], m[4],
                    m[6], m[7], m[8], m[9]));
        }
        return lines;
    }

    /**
     * A paired difference in points: "+1.2 ± 0.8 points, ahead in 4 of 5 seeds", and whether its mean is more than
     * two standard errors from zero.
     */
    static String compare(double[] d, String unit) {
        int ahead = 0;
        for (double v : d) {
            ahead += v > 0 ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%s %s, ahead in %d of %d seeds%s", Stats.signedMeanSd(d, 100, 1), unit,
                ahead, d.length, significance(d));
    }

    private static String compareLoss(double[] d) {
        int lower = 0;
        for (double v : d) {
            lower += v < 0 ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%s, lower in %d of %d seeds%s", Stats.signedMeanSd(d, 1, 3), lower,
                d.length, significance(d));
    }

    /** " (more than 2 standard errors from 0)" or " (within 2 standard errors of 0: not a clear difference)". */
    static String significance(double[] d) {
        if (d.length < 2) {
            return " (one seed: no spread to compare with)";
        }
        double se = Stats.sd(d) / Math.sqrt(d.length);
        return Math.abs(Stats.mean(d)) > 2 * se ? " (more than 2 standard errors from 0)"
                : " (within 2 standard errors of 0: not a clear difference)";
    }

    /** Whether two variants' runs have the same train and held-out losses at every evaluated epoch of every seed. */
    static boolean identical(Summary a, Summary b) {
        if (a.seeds() != b.seeds()) {
            return false;
        }
        for (int i = 0; i < a.seeds(); i++) {
            RunResult x = a.runs.get(i);
            RunResult y = b.runs.get(i);
            if (x.seed != y.seed || !Arrays.equals(x.trainLoss, y.trainLoss)
                    || !Arrays.equals(x.heldOutLoss, y.heldOutLoss)) {
                return false;
            }
        }
        return true;
    }

    private static double[] paired(Summary a, Summary b, java.util.function.ToDoubleFunction<RunResult> metric) {
        double[] d = new double[a.seeds()];
        for (int i = 0; i < d.length; i++) {
            RunResult x = a.runs.get(i);
            RunResult y = b.runs.get(i);
            if (x.seed != y.seed) {
                throw new IllegalStateException("runs of " + a.variant.name + " and " + b.variant.name
                        + " are not in the same seed order");
            }
            d[i] = metric.applyAsDouble(x) - metric.applyAsDouble(y);
        }
        return d;
    }

    static Summary find(List<Summary> summaries, String experiment, String variant) {
        for (Summary s : summaries) {
            if (s.experiment.equals(experiment) && s.variant.name.equals(variant)) {
                return s;
            }
        }
        return null;
    }

    /** results.md: how it was run, the tables, the findings, what was trained, and the charts. */
    static String results(RunInfo run, List<Summary> summaries, List<Summary> sampled, List<Path> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Dropkit demo results\n\n");
        if (run.options.quick) {
            sb.append(QUICK_NOTE).append("\n\n");
        }
        sb.append(run.header()).append("\n\n");
        sb.append("## Regularization\n\n");
        sb.append(regularization(summaries).markdown()).append('\n');
        sb.append("## Monte Carlo dropout\n\n");
        sb.append(monteCarlo(sampled).markdown()).append('\n');
        sb.append("## Findings\n\n");
        for (String line : findings(summaries)) {
            sb.append("- ").append(line).append('\n');
        }
        sb.append('\n');
        sb.append("## What was trained\n\n");
        sb.append(run.whatWasTrained()).append('\n');
        sb.append(COLUMNS).append("\n\n");
        sb.append("## Charts\n\n");
        for (Path chart : charts) {
            String name = chart.getFileName().toString();
            sb.append("![").append(name.replace(".png", "")).append("](").append(name).append(")\n\n");
        }
        return sb.toString();
    }

    /** summary.md: the compact table and the findings, as the project README shows them. */
    static String summary(RunInfo run, List<Summary> summaries) {
        StringBuilder sb = new StringBuilder();
        if (run.options.quick) {
            sb.append(QUICK_NOTE).append("\n\n");
        }
        sb.append("From `").append(run.command()).append("` (").append(run.seedsText()).append(", p = ")
                .append(run.options.p).append(", ").append(run.options.epochs).append(" epochs; mean ± sd over seeds):")
                .append("\n\n");
        sb.append(compact(summaries).markdown()).append('\n');
        for (String line : findings(summaries)) {
            sb.append("- ").append(line).append('\n');
        }
        return sb.toString();
    }

    static final String COLUMNS = "Columns: every figure is the mean ± standard deviation over the seeds, at the last"
            + " epoch, with dropout off (inference) unless it says MC. Accuracy in percent; Δ held-out vs none ="
            + " this variant's held-out accuracy minus that of the variant without dropout trained on the same"
            + " subset from the same seed, in points, and in how many seeds it was higher; gap = train minus"
            + " held-out accuracy in points; loss = mean cross-entropy; ECE = expected calibration error of the"
            + " top class probability, 10 equal-width bins; ms/epoch = training steps only (noisy on a shared"
            + " machine); mask bytes kept = the most bytes all dropout held between a forward and its backward"
            + " pass, measured by a listener (DL4J keeps a mask per layer; Dropkit's default RECOMPUTE keeps a seed"
            + " and regenerates the mask). MC: spread = standard deviation of the class probabilities over the T"
            + " passes, averaged over classes; right/wrong = held-out digits the MC mean classifies right or wrong;"
            + " rotated = the held-out digits turned a quarter turn clockwise; inverted = the held-out digits in"
            + " negative (16 - pixel); AUROC = probability that a random example of the first group has a larger"
            + " spread than one of the second (0.5 = chance, 1 = perfect).";
}

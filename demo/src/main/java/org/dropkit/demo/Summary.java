package org.dropkit.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The runs of one variant of one experiment over all seeds, with the same seeds' runs of the experiment's variant
 * without dropout for paired differences.
 */
final class Summary {

    final String experiment;
    final Variant variant;
    final List<RunResult> runs;
    /** The runs without dropout of the same experiment, seed by seed as {@link #runs}; null if there are none. */
    final List<RunResult> baseline;

    private Summary(String experiment, Variant variant, List<RunResult> runs, List<RunResult> baseline) {
        this.experiment = experiment;
        this.variant = variant;
        this.runs = runs;
        this.baseline = baseline;
    }

    /** One summary per (experiment, variant), in the order the runs first appear. */
    static List<Summary> of(List<RunResult> all) {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : all) {
            groups.computeIfAbsent(r.experiment + "\u0000" + r.variant.name, k -> new ArrayList<>()).add(r);
        }
        List<Summary> out = new ArrayList<>();
        for (List<RunResult> runs : groups.values()) {
            RunResult first = runs.get(0);
            List<RunResult> baseline = groups.get(first.experiment + "\u0000" + Variant.NONE);
            out.add(new Summary(first.experiment, first.variant, runs, matchSeeds(runs, baseline)));
        }
        return out;
    }

    private static List<RunResult> matchSeeds(List<RunResult> runs, List<RunResult> baseline) {
        if (baseline == null) {
            return null;
        }
        List<RunResult> matched = new ArrayList<>();
        for (RunResult r : runs) {
            RunResult same = null;
            for (RunResult b : baseline) {
                if (b.seed == r.seed) {
                    same = b;
                }
            }
            if (same == null) {
                return null;
            }
            matched.add(same);
        }
        return matched;
    }

    boolean isBaseline() {
        return variant.name.equals(Variant.NONE);
    }

    int seeds() {
        return runs.size();
    }

    /** The metric of every run, seed by seed. */
    double[] values(ToDoubleFunction<RunResult> metric) {
        double[] v = new double[runs.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = metric.applyAsDouble(runs.get(i));
        }
        return v;
    }

    double mean(ToDoubleFunction<RunResult> metric) {
        return Stats.mean(values(metric));
    }

    /** Seed by seed: this variant's metric minus the baseline's; null without a baseline. */
    double[] pairedDifference(ToDoubleFunction<RunResult> metric) {
        if (baseline == null) {
            return null;
        }
        double[] d = values(metric);
        for (int i = 0; i < d.length; i++) {
            d[i] -= metric.applyAsDouble(baseline.get(i));
        }
        return d;
    }

    /** In how many seeds this variant's held-out accuracy beats the baseline's (ties count as not). */
    int heldOutWins() {
        double[] d = pairedDifference(RunResult::finalHeldOutAccuracy);
        int wins = 0;
        for (double v : d) {
            wins += v > 0 ? 1 : 0;
        }
        return wins;
    }

    long maxMaskBytes() {
        long max = 0;
        for (RunResult r : runs) {
            max = Math.max(max, r.maskBytes);
        }
        return max;
    }
}

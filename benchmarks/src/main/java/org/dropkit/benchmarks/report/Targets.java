package org.dropkit.benchmarks.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The targets of issue #3, each evaluated from one run. Every ratio is of medians; "faster" ratios are
 * built-in / Dropkit, floor ratios Dropkit / floor.
 */
final class Targets {

    static final class Outcome {
        final String target;
        final String measured;
        final String required;
        final String result;
        final String detail;

        Outcome(String target, String measured, String required, String result, String detail) {
            this.target = target;
            this.measured = measured;
            this.required = required;
            this.result = result;
            this.detail = detail;
        }
    }

    private static final String E7 = "1024x10000";
    private static final String E4 = "64x160";

    private final Results results;
    private final JsonObject maskBytes;
    private final List<JsonObject> interleaved;
    private final String build;
    private final List<Outcome> outcomes = new ArrayList<>();

    Targets(Results results, JsonObject maskBytes, List<JsonObject> interleaved, String build) {
        this.results = results;
        this.maskBytes = maskBytes;
        this.interleaved = interleaved;
        this.build = build;
    }

    List<Outcome> evaluate() {
        faster("Bernoulli forward FLOAT 1e7, in a workspace, vs DL4J Dropout", "DropoutForward.trainingForward",
                build, E7, "true", "DROPKIT_BERNOULLI_RECOMPUTE", 4.0);
        floor("Bernoulli forward FLOAT 1e7, in a workspace, vs copy floor", "DropoutForward.trainingForward", build,
                E7, "DROPKIT_BERNOULLI_RECOMPUTE", 3.0);
        faster("Bernoulli forward FLOAT 1e7, generic build, vs DL4J Dropout", "DropoutForward.trainingForward",
                "generic", E7, "true", "DROPKIT_BERNOULLI_RECOMPUTE", 2.0);
        faster("Bernoulli forward FLOAT 1e4, in a workspace, vs DL4J Dropout", "DropoutForward.trainingForward",
                build, E4, "true", "DROPKIT_BERNOULLI_RECOMPUTE", 1.5);
        notSlower("Backward STORED FLOAT 1e7 vs DL4J Dropout backward", "DropoutBackward.backward", E7,
                "DROPKIT_BERNOULLI_STORED", 1.1);
        notSlower("Backward STORED FLOAT 1e4 vs DL4J Dropout backward", "DropoutBackward.backward", E4,
                "DROPKIT_BERNOULLI_STORED", 1.1);
        faster("Forward+backward RECOMPUTE FLOAT 1e7, in a workspace, vs DL4J Dropout",
                "DropoutForwardBackward.forwardThenBackward", build, E7, "true", "DROPKIT_BERNOULLI_RECOMPUTE", 2.0);
        maskBytes("... with 0 mask bytes kept per element (RECOMPUTE, FLOAT)", "DROPKIT_BERNOULLI_RECOMPUTE", 0.0);
        faster("Gaussian forward FLOAT 1e7, in a workspace, vs DL4J GaussianDropout",
                "DropoutForward.trainingForward", build, E7, "true", "DROPKIT_GAUSSIAN_RECOMPUTE", 2.0);
        gaussianBound("MaskKernels.engineGaussianDrawOnly", "ND4J's GaussianDistribution draw alone");
        gaussianBound("MaskKernels.candidateGaussianBoxMuller", "Box-Muller from ND4J uniform + transform ops");
        mlp("DROPKIT_RECOMPUTE");
        mlp("DROPKIT_STORED");
        interleavedMlp("DROPKIT_RECOMPUTE");
        interleavedMlp("DROPKIT_STORED");
        maskBytes("Mask bytes kept per element, RECOMPUTE (FLOAT)", "DROPKIT_GAUSSIAN_RECOMPUTE", 0.0);
        maskBytes("Mask bytes kept per element, DL4J Dropout (FLOAT; reference value)", "DL4J_DROPOUT", 4.0);
        return outcomes;
    }

    private Optional<Row> forward(String bench, String build, String shape, String ws, String impl) {
        return results.find(bench, build, "shape", shape, "dtype", "FLOAT", "p", "0.8", "workspace", ws,
                "impl", impl);
    }

    private void faster(String target, String bench, String build, String shape, String ws, String impl,
            double min) {
        Optional<Row> dk = forward(bench, build, shape, ws, impl);
        Optional<Row> bi = dk.flatMap(results::baselineOf);
        if (dk.isEmpty() || bi.isEmpty()) {
            outcomes.add(missing(target, "≥ " + min + "× faster"));
            return;
        }
        double r = bi.get().median / dk.get().median;
        outcomes.add(new Outcome(target + " [" + build + "]", Names.ratio(r) + " faster", "≥ " + fmt(min) + "×",
                r >= min ? "PASS" : "FAIL", Names.time(dk.get().median) + " vs " + Names.time(bi.get().median)));
    }

    private void floor(String target, String bench, String build, String shape, String impl, double max) {
        Optional<Row> dk = forward(bench, build, shape, "true", impl);
        Optional<Row> copy = dk.flatMap(r -> results.floorOf(r, "copy"));
        if (dk.isEmpty() || copy.isEmpty()) {
            outcomes.add(missing(target, "≤ " + max + "× copy"));
            return;
        }
        double r = dk.get().median / copy.get().median;
        outcomes.add(new Outcome(target + " [" + build + "]", Names.ratio(r) + " the copy", "≤ " + fmt(max) + "×",
                r <= max ? "PASS" : "FAIL", Names.time(dk.get().median) + " vs copy " + Names.time(copy.get().median)));
    }

    private void notSlower(String target, String bench, String shape, String impl, double maxRatio) {
        Optional<Row> dk = forward(bench, build, shape, "true", impl);
        Optional<Row> bi = dk.flatMap(results::baselineOf);
        if (dk.isEmpty() || bi.isEmpty()) {
            outcomes.add(missing(target, "≤ " + maxRatio + "× built-in"));
            return;
        }
        double r = dk.get().median / bi.get().median;
        outcomes.add(new Outcome(target + " [" + build + "]", Names.ratio(r) + " built-in time",
                "≤ " + fmt(maxRatio) + "×", r <= maxRatio ? "PASS" : "FAIL",
                Names.time(dk.get().median) + " vs " + Names.time(bi.get().median)));
    }

    /**
     * What bounds the Gaussian target: a way to make the N(1, sigma^2) noise, timed alone (MaskKernels, same shape
     * and p), against DL4J's whole GaussianDropout forward. A Dropkit forward that makes its noise this way and then
     * multiplies can be at most built-in / noise times faster than the built-in. Informational: no pass or fail.
     */
    private void gaussianBound(String kernel, String what) {
        Optional<Row> noise = results.find(kernel, build, "shape", E7, "p", "0.8");
        Optional<Row> bi = forward("DropoutForward.trainingForward", build, E7, "true", "DL4J_GAUSSIAN");
        if (noise.isEmpty() || bi.isEmpty()) {
            return;
        }
        double r = bi.get().median / noise.get().median;
        outcomes.add(new Outcome("... bound: " + what + ", FLOAT 1e7 [" + build + "]",
                "at most " + Names.ratio(r) + " faster", "–", "bound",
                Names.time(noise.get().median) + " for the noise vs " + Names.time(bi.get().median)
                        + " for DL4J GaussianDropout's whole forward"));
    }

    /** One outcome per ND4J thread setting the MLP ran with. */
    private void mlp(String dropout) {
        String target = "MLP fit step (784-1024-1024-10, batch 128), " + dropout + " vs DL4J Dropout";
        Set<String> threadSettings = new TreeSet<>();
        for (Row r : results.rows) {
            if (r.benchmark.equals("NetworkFitStep.fitOneMinibatch") && r.build.equals(build)
                    && "MLP".equals(r.param("network"))) {
                threadSettings.add(Report.threads(r));
            }
        }
        boolean any = false;
        for (String threads : threadSettings) {
            Optional<Row> dk = mlpRow(dropout, threads);
            Optional<Row> bi = mlpRow("DL4J_DROPOUT", threads);
            if (dk.isEmpty() || bi.isEmpty()) {
                continue;
            }
            any = true;
            double r = bi.get().median / dk.get().median;
            outcomes.add(new Outcome(target + " [" + build + ", " + threadLabel(threads) + "]",
                    Names.ratio(r) + " faster", "≥ 1.00× (never slower)", r >= 1.0 ? "PASS" : "FAIL",
                    Names.time(dk.get().median) + " vs " + Names.time(bi.get().median) + withinNoise(dk.get(),
                            bi.get())));
        }
        if (!any && dropout.equals("DROPKIT_RECOMPUTE")) {
            outcomes.add(missing(target, "never slower"));
        }
    }

    private Optional<Row> mlpRow(String dropout, String threads) {
        return results.find(r -> r.benchmark.equals("NetworkFitStep.fitOneMinibatch") && r.build.equals(build)
                && r.matches("network", "MLP", "dropout", dropout) && Report.threads(r).equals(threads));
    }

    /** "default threads", "1 thread", "4 threads". */
    private static String threadLabel(String ompThreads) {
        return ompThreads.equals("default") ? "default threads"
                : ompThreads + (ompThreads.equals("1") ? " thread" : " threads");
    }

    /** The MLP in interleaved rounds (InterleavedFitSteps, not JMH): the median of per-round paired ratios. */
    private void interleavedMlp(String dropout) {
        for (JsonObject run : interleaved) {
            if (!run.get("build").getAsString().equals(build)) {
                continue;
            }
            for (JsonElement n : run.getAsJsonArray("networks")) {
                JsonObject net = n.getAsJsonObject();
                if (!net.get("network").getAsString().equals("MLP")) {
                    continue;
                }
                for (JsonElement v : net.getAsJsonArray("variants")) {
                    JsonObject o = v.getAsJsonObject();
                    if (!o.get("dropout").getAsString().equals(dropout) || !o.has("medianRatioVsDl4j")) {
                        continue;
                    }
                    double r = o.get("medianRatioVsDl4j").getAsDouble();
                    outcomes.add(new Outcome("MLP fit step, " + dropout + " vs DL4J Dropout, interleaved rounds (not"
                            + " JMH) [" + build + ", " + threadLabel(run.get("ompThreads").getAsString()) + "]",
                            Names.ratio(r) + " faster", "≥ 1.00× (never slower)", r >= 1.0 ? "PASS" : "FAIL",
                            "median of " + run.get("rounds").getAsInt() + " paired rounds; faster in "
                                    + o.get("roundsFasterThanDl4j").getAsInt() + " of them"));
                }
            }
        }
    }

    /** Says when two results' JMH 99.9% confidence intervals overlap: their order is then not settled by the run. */
    private static String withinNoise(Row a, Row b) {
        if (Double.isNaN(a.error) || Double.isNaN(b.error)) {
            return "";
        }
        boolean overlap = Math.abs(a.mean - b.mean) <= a.error + b.error;
        return overlap ? " (means within JMH's 99.9% error of each other: not separated by this run)" : "";
    }

    private void maskBytes(String target, String impl, double expected) {
        if (maskBytes == null || !maskBytes.has("ops")) {
            outcomes.add(missing(target, fmt(expected) + " B"));
            return;
        }
        Double worst = null;
        for (JsonElement e : maskBytes.getAsJsonArray("ops")) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("impl").getAsString().equals(impl) && o.get("dtype").getAsString().equals("FLOAT")
                    && o.has("bytesPerElement")) {
                double b = o.get("bytesPerElement").getAsDouble();
                worst = worst == null ? b : Math.max(worst, b);
            }
        }
        if (worst == null) {
            outcomes.add(missing(target, fmt(expected) + " B"));
            return;
        }
        outcomes.add(new Outcome(target, fmt(worst) + " B/element", fmt(expected) + " B/element",
                worst == expected ? "PASS" : "FAIL", "all ranks, 1e6 elements, " + Names.impl(impl)));
    }

    private static Outcome missing(String target, String required) {
        return new Outcome(target, "not measured in this run", required, "n/a", "");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}

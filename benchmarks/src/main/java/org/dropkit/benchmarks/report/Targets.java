package org.dropkit.benchmarks.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dropkit.benchmarks.Networks;

/**
 * The targets (issues #3, #10 and #12), each evaluated from one run. Every ratio is of medians; "faster" ratios are
 * built-in / Dropkit, floor ratios Dropkit / floor. Op targets are checked twice where the run has both: on JMH's
 * rows (default threads) and on the paired rounds of {@code InterleavedDropoutOps}, once per build and thread
 * setting it ran with.
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

    static final String E7 = "1024x10000";
    static final String E4 = "64x160";
    static final String FORWARD = "DropoutForward.trainingForwardDl4jStyle";
    static final String FORWARD_BACKWARD = "DropoutForwardBackward.forwardThenBackward";

    private final Results results;
    private final JsonObject maskBytes;
    private final List<JsonObject> interleaved;
    private final List<JsonObject> interleavedOps;
    private final JsonObject torch;
    private final List<JsonObject> family;
    private final String build;
    private final List<Outcome> outcomes = new ArrayList<>();

    Targets(Results results, JsonObject maskBytes, List<JsonObject> interleaved, List<JsonObject> interleavedOps,
            JsonObject torch, List<JsonObject> family, String build) {
        this.results = results;
        this.maskBytes = maskBytes;
        this.interleaved = interleaved;
        this.interleavedOps = interleavedOps;
        this.torch = torch;
        this.family = family;
        this.build = build;
    }

    List<Outcome> evaluate() {
        op("Bernoulli forward FLOAT 1e7, DL4J-style call, vs DL4J Dropout", FORWARD, "forward", E7,
                "DROPKIT_BERNOULLI_RECOMPUTE", 5.0, true);
        floor("Bernoulli forward FLOAT 1e7, DL4J-style call, vs copy floor", FORWARD, E7,
                "DROPKIT_BERNOULLI_RECOMPUTE", "copy", 3.0);
        op("Bernoulli forward FLOAT 1e4, DL4J-style call, vs DL4J Dropout", FORWARD, "forward", E4,
                "DROPKIT_BERNOULLI_RECOMPUTE", 1.5, false);
        op("Bernoulli forward+backward RECOMPUTE FLOAT 1e7 vs DL4J Dropout", FORWARD_BACKWARD, "forwardBackward", E7,
                "DROPKIT_BERNOULLI_RECOMPUTE", 3.0, false);
        op("Bernoulli forward+backward RECOMPUTE FLOAT 1e4 vs DL4J Dropout", FORWARD_BACKWARD, "forwardBackward", E4,
                "DROPKIT_BERNOULLI_RECOMPUTE", 2.5, false);
        notSlower("Backward STORED FLOAT 1e7 vs DL4J Dropout backward", "DropoutBackward.backward", E7,
                "DROPKIT_BERNOULLI_STORED", 1.1);
        notSlower("Backward STORED FLOAT 1e4 vs DL4J Dropout backward", "DropoutBackward.backward", E4,
                "DROPKIT_BERNOULLI_STORED", 1.1);
        maskBytes("... with 0 mask bytes kept per element (RECOMPUTE, FLOAT)", "DROPKIT_BERNOULLI_RECOMPUTE", 0.0);
        op("Gaussian forward FLOAT 1e7, DL4J-style call, vs DL4J GaussianDropout", FORWARD, "forward", E7,
                "DROPKIT_GAUSSIAN_RECOMPUTE", 3.0, true);
        op("Gaussian forward FLOAT 1e4, DL4J-style call, vs DL4J GaussianDropout", FORWARD, "forward", E4,
                "DROPKIT_GAUSSIAN_RECOMPUTE", 2.0, false);
        op("Gaussian forward+backward RECOMPUTE FLOAT 1e7 vs DL4J GaussianDropout", FORWARD_BACKWARD,
                "forwardBackward", E7, "DROPKIT_GAUSSIAN_RECOMPUTE", 3.0, false);
        floor("... distance to the uniform-fill floor: Gaussian forward FLOAT 1e7 vs ND4J's UniformDistribution fill",
                FORWARD, E7, "DROPKIT_GAUSSIAN_RECOMPUTE", "uniformFill", Double.NaN);
        floor("... and vs the copy floor", FORWARD, E7, "DROPKIT_GAUSSIAN_RECOMPUTE", "copy", Double.NaN);
        torch("Gaussian forward vs PyTorch's normal_-based Gaussian mask", "DROPKIT_GAUSSIAN_RECOMPUTE",
                "torch_gaussian_normal", true);
        torch("Bernoulli forward vs PyTorch's dropout", "DROPKIT_BERNOULLI_RECOMPUTE", "torch_dropout", false);
        mlp("DROPKIT_RECOMPUTE");
        mlp("DROPKIT_STORED");
        interleavedMlp("DROPKIT_RECOMPUTE");
        interleavedMlp("DROPKIT_STORED");
        family("Alpha dropout forward RECOMPUTE FLOAT 1e7 vs DL4J AlphaDropout", E7, "FORWARD",
                "DROPKIT_ALPHA_RECOMPUTE", 3.0);
        for (String pass : new String[] {"FORWARD", "BACKWARD", "FORWARD_THEN_BACKWARD"}) {
            for (String shape : new String[] {E7, E4}) {
                family("Gaussian noise " + pass.toLowerCase(Locale.ROOT).replace('_', ' ') + " FLOAT "
                        + Names.size(Row.elements(shape)) + " vs DL4J GaussianNoise", shape, pass,
                        "DROPKIT_GAUSSIAN_NOISE", 1.0);
            }
        }
        mlp("DROPKIT_DROPCONNECT_RECOMPUTE");
        mlp("DROPKIT_DROPCONNECT_STORED");
        interleavedMlp("DROPKIT_DROPCONNECT_RECOMPUTE");
        interleavedMlp("DROPKIT_DROPCONNECT_STORED");
        maskBytes("Mask bytes kept per element, RECOMPUTE (FLOAT)", "DROPKIT_GAUSSIAN_RECOMPUTE", 0.0);
        maskBytes("Mask bytes kept per element, DL4J Dropout (FLOAT; reference value)", "DL4J_DROPOUT", 4.0);
        return outcomes;
    }

    private Optional<Row> jmhRow(String bench, String build, String shape, String impl) {
        return results.find(r -> r.benchmark.equals(bench) && r.build.equals(build) && r.matches("shape", shape,
                "dtype", "FLOAT", "p", "0.8", "workspace", "true", "impl", impl)
                && Report.threads(r).equals("default"));
    }

    /**
     * A "faster than the built-in" target on FLOAT: JMH's rows (the selected build, and the generic build too when
     * {@code bothBuilds}), then every interleaved run of the op.
     */
    private void op(String target, String bench, String interleavedOp, String shape, String impl, double min,
            boolean bothBuilds) {
        boolean any = false;
        for (String b : bothBuilds ? new String[] {build, "generic"} : new String[] {build}) {
            Optional<Row> dk = jmhRow(bench, b, shape, impl);
            Optional<Row> bi = dk.flatMap(results::baselineOf);
            if (dk.isPresent() && bi.isPresent()) {
                any = true;
                double r = bi.get().median / dk.get().median;
                outcomes.add(new Outcome(target + " [" + b + ", JMH]", Names.ratio(r) + " faster",
                        "≥ " + fmt(min) + "×", r >= min ? "PASS" : "FAIL", Names.time(dk.get().median) + " vs "
                        + Names.time(bi.get().median)));
            }
        }
        for (JsonObject run : interleavedOps) {
            Optional<JsonObject> v = interleavedVariant(run, interleavedOp, shape, "FLOAT", impl);
            if (v.isEmpty() || !v.get().has("medianRatioVsBuiltIn")) {
                continue;
            }
            any = true;
            double r = v.get().get("medianRatioVsBuiltIn").getAsDouble();
            outcomes.add(new Outcome(target + " [" + run.get("build").getAsString() + ", "
                    + runLabel(run) + ", interleaved]", Names.ratio(r) + " faster",
                    "≥ " + fmt(min) + "×", r >= min ? "PASS" : "FAIL", "median of " + run.get("rounds").getAsInt()
                    + " paired rounds; faster in " + v.get().get("roundsFasterThanBuiltIn").getAsInt() + " of them; "
                    + Names.time(v.get().get("medianUsPerCall").getAsDouble()) + " per call"));
        }
        if (!any) {
            outcomes.add(missing(target, "≥ " + fmt(min) + "× faster"));
        }
    }

    /** Interleaved variant {@code impl} of one op, shape and dtype in one run. */
    static Optional<JsonObject> interleavedVariant(JsonObject run, String op, String shape, String dtype,
            String impl) {
        for (JsonElement c : run.getAsJsonArray("cases")) {
            JsonObject o = c.getAsJsonObject();
            if (!o.get("op").getAsString().equals(op) || !o.get("shape").getAsString().equals(shape)
                    || !o.get("dtype").getAsString().equals(dtype)) {
                continue;
            }
            for (JsonElement v : o.getAsJsonArray("variants")) {
                if (v.getAsJsonObject().get("impl").getAsString().equals(impl)) {
                    return Optional.of(v.getAsJsonObject());
                }
            }
        }
        return Optional.empty();
    }

    /** Dropkit / a floor (MemoryFloor.copy, .uniformFill); max NaN: informational, no pass or fail. */
    private void floor(String target, String bench, String shape, String impl, String floor, double max) {
        Optional<Row> dk = jmhRow(bench, build, shape, impl);
        Optional<Row> f = dk.flatMap(r -> results.floorOf(r, floor));
        if (dk.isEmpty() || f.isEmpty()) {
            outcomes.add(missing(target, Double.isNaN(max) ? "–" : "≤ " + max + "× " + floor));
            return;
        }
        double r = dk.get().median / f.get().median;
        boolean info = Double.isNaN(max);
        outcomes.add(new Outcome(target + " [" + build + "]", Names.ratio(r) + " the " + floor,
                info ? "–" : "≤ " + fmt(max) + "×", info ? "distance" : r <= max ? "PASS" : "FAIL",
                Names.time(dk.get().median) + " vs " + floor + " " + Names.time(f.get().median)));
    }

    private void notSlower(String target, String bench, String shape, String impl, double maxRatio) {
        Optional<Row> dk = results.find(r -> r.benchmark.equals(bench) && r.build.equals(build)
                && r.matches("shape", shape, "dtype", "FLOAT", "p", "0.8", "workspace", "true", "impl", impl)
                && Report.threads(r).equals("default"));
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
     * Dropkit's interleaved forward (per build and thread setting) against PyTorch's CPU time for the same op, shape,
     * dtype and thread count, measured by {@code torch_dropout.py} in its own process right after. Not paired rounds:
     * two processes, so machine load between them is not shared. Required only when {@code required}.
     */
    private void torch(String target, String impl, String torchImpl, boolean required) {
        if (torch == null || !torch.has("available") || !torch.get("available").getAsBoolean()) {
            String why = torch == null ? "no PyTorch results in this run"
                    : torch.has("note") ? torch.get("note").getAsString() : "PyTorch not available";
            outcomes.add(new Outcome(target, "not measured", required ? "≥ 1.00× (faster)" : "–", "n/a", why));
            return;
        }
        for (JsonObject run : interleavedOps) {
            if (!run.get("build").getAsString().equals(build)) {
                continue;
            }
            String threads = run.get("ompThreads").getAsString();
            for (String shape : new String[] {E7, E4}) {
                Optional<JsonObject> dk = interleavedVariant(run, "forward", shape, "FLOAT", impl);
                Optional<Double> pt = torchMedian(torch, "forward", shape, "FLOAT", threads, torchImpl);
                if (dk.isEmpty() || pt.isEmpty()) {
                    continue;
                }
                double dkUs = dk.get().get("medianUsPerCall").getAsDouble();
                double r = pt.get() / dkUs;
                outcomes.add(new Outcome(target + ", FLOAT " + Names.size(Row.elements(shape)) + " [" + build + ", "
                        + runLabel(run) + "]", Names.ratio(r) + " faster", required ? "≥ 1.00×" : "–",
                        required ? (r >= 1.0 ? "PASS" : "FAIL") : "peer", Names.time(dkUs) + " vs PyTorch "
                        + Names.time(pt.get()) + " (separate process, not interleaved)"));
            }
        }
    }

    /** PyTorch's median microseconds for one case, threads "default" meaning torch's own default. */
    static Optional<Double> torchMedian(JsonObject torch, String op, String shape, String dtype, String threads,
            String impl) {
        if (torch == null || !torch.has("cases")) {
            return Optional.empty();
        }
        for (JsonElement e : torch.getAsJsonArray("cases")) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("op").getAsString().equals(op) && o.get("shape").getAsString().equals(shape)
                    && o.get("dtype").getAsString().equals(dtype) && o.get("impl").getAsString().equals(impl)
                    && o.get("ompThreads").getAsString().equals(threads)) {
                return Optional.of(o.get("medianUs").getAsDouble());
            }
        }
        return Optional.empty();
    }

    /**
     * Alpha dropout and Gaussian noise against DL4J's AlphaDropout and GaussianNoise in the interleaved rounds of
     * {@code FamilyInterleaved} (one outcome per thread setting it ran with): the median of per-round paired ratios.
     */
    private void family(String target, String shape, String pass, String impl, double min) {
        boolean any = false;
        for (JsonObject run : family) {
            if (!run.get("build").getAsString().equals(build)) {
                continue;
            }
            for (JsonElement e : run.getAsJsonArray("rows")) {
                JsonObject o = e.getAsJsonObject();
                if (!o.get("shape").getAsString().equals(shape) || !o.get("pass").getAsString().equals(pass)
                        || !o.get("impl").getAsString().equals(impl)) {
                    continue;
                }
                any = true;
                double r = o.get("medianRatio").getAsDouble();
                outcomes.add(new Outcome(target + " [" + build + ", " + runLabel(run) + ", interleaved]",
                        Names.ratio(r) + " faster",
                        min == 1.0 ? "≥ 1.00× (never slower)" : "≥ " + Names.ratio(min), r >= min ? "PASS" : "FAIL",
                        "median of " + run.get("rounds").getAsInt() + " paired rounds; faster in "
                                + o.get("roundsFaster").getAsInt() + " of them; "
                                + Names.time(o.get("implMedianMs").getAsDouble() * 1000.0) + " vs "
                                + Names.time(o.get("baselineMedianMs").getAsDouble() * 1000.0)));
            }
        }
        if (!any) {
            outcomes.add(missing(target, min == 1.0 ? "never slower" : "≥ " + Names.ratio(min)));
        }
    }

    /** One outcome per ND4J thread setting the MLP ran with. */
    private void mlp(String dropout) {
        String baseline = baseline(dropout);
        String target = mlpLabel(dropout) + " (784-1024-1024-10, batch 128), " + dropout + " vs "
                + Names.impl(baseline);
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
            Optional<Row> bi = mlpRow(baseline, threads);
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
        if (!any && dropout.endsWith("_RECOMPUTE")) {
            outcomes.add(missing(target, "never slower"));
        }
    }

    /** The built-in a network variant is compared with: DL4J's Dropout, or its DropConnect. */
    static String baseline(String dropout) {
        return Networks.DropoutChoice.valueOf(dropout).baseline().name();
    }

    private static String mlpLabel(String dropout) {
        return Networks.DropoutChoice.valueOf(dropout).isDropConnect()
                ? "MLP fit step, DropConnect p = 0.5 on both hidden layers' weights" : "MLP fit step";
    }

    private Optional<Row> mlpRow(String dropout, String threads) {
        return results.find(r -> r.benchmark.equals("NetworkFitStep.fitOneMinibatch") && r.build.equals(build)
                && r.matches("network", "MLP", "dropout", dropout) && Report.threads(r).equals(threads));
    }

    /**
     * The thread setting of an interleaved run (a result of InterleavedDropoutOps, InterleavedFitSteps or
     * FamilyInterleaved): {@link #threadLabel}, and its OMP_WAIT_POLICY where the run set one.
     */
    static String runLabel(JsonObject run) {
        return threadLabel(run.get("ompThreads").getAsString())
                + (run.has("ompWaitPolicy") ? ", OMP_WAIT_POLICY=" + run.get("ompWaitPolicy").getAsString() : "");
    }

    /** "default threads", "1 thread", "4 threads". */
    static String threadLabel(String ompThreads) {
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
                    outcomes.add(new Outcome(mlpLabel(dropout) + ", " + dropout + " vs "
                            + Names.impl(baseline(dropout)) + ", interleaved rounds (not"
                            + " JMH) [" + build + ", " + runLabel(run) + "]",
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

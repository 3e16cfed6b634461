package org.dropkit.benchmarks.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.dropkit.util.NativeCpuBuild;

/**
 * Turns one run's JMH JSON (and the mask-bytes JSON) into a markdown report and a PNG chart.
 *
 * <pre>
 * Report merge OUT.json DIR            concatenates DIR/*.json (one per JMH invocation) into OUT.json
 * Report report --results R.json [--mask M.json] --out results/STAMP [--mode quick] [--command "..."]
 *               [--threads "OMP_NUM_THREADS value"] [--interleaved A.json,B.json] [--interleaved-ops C.json,D.json]
 *               [--torch T.json] [--family E.json,F.json] [--load "uptime before / after"] [--latest]
 *                                      writes STAMP.md and STAMP.png (and latest.md, latest.png)
 * </pre>
 */
public final class Report {

    private static final List<String> IMPL_ORDER = Arrays.asList("DL4J_DROPOUT", "DROPKIT_BERNOULLI_RECOMPUTE",
            "DROPKIT_BERNOULLI_STORED", "DL4J_GAUSSIAN", "DROPKIT_GAUSSIAN_RECOMPUTE", "DROPKIT_GAUSSIAN_STORED",
            "DL4J_SPATIAL", "DROPKIT_SHARED_RECOMPUTE", "DROPKIT_SHARED_STORED");
    private static final List<String> DTYPE_ORDER = Arrays.asList("FLOAT", "DOUBLE", "HALF");
    private static final List<Integer> RANK_ORDER = Arrays.asList(2, 4, 3);
    private static final List<String> NET_DROPOUT_ORDER = Arrays.asList("NONE", "DL4J_DROPOUT", "DROPKIT_RECOMPUTE",
            "DROPKIT_STORED", "DL4J_DROPCONNECT", "DROPKIT_DROPCONNECT_RECOMPUTE", "DROPKIT_DROPCONNECT_STORED");

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 3 && args[0].equals("merge")) {
            merge(Paths.get(args[1]), Paths.get(args[2]));
            return;
        }
        if (args.length < 1 || !args[0].equals("report")) {
            System.err.println("usage: Report merge OUT.json DIR | Report report --results R.json [--mask M.json]"
                    + " --out results/STAMP [--mode MODE] [--command CMD] [--latest]");
            System.exit(2);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--latest")) {
                opts.put("latest", "true");
            } else {
                opts.put(args[i].substring(2), args[++i]);
            }
        }
        // The build a fork picks when the command line forces none (each fork checked that it loaded it).
        String selected = NativeCpuBuild.select();
        String build = selected.isEmpty() ? "generic" : selected.substring(1);
        Results results = new Results(Paths.get(opts.get("results")), build);
        JsonObject mask = opts.containsKey("mask") && Files.exists(Paths.get(opts.get("mask")))
                ? readObject(Paths.get(opts.get("mask"))) : null;
        List<JsonObject> interleaved = readAll(opts.get("interleaved"));
        List<JsonObject> interleavedOps = readAll(opts.get("interleaved-ops"));
        List<JsonObject> family = readAll(opts.get("family"));
        JsonObject torch = opts.containsKey("torch") && Files.exists(Paths.get(opts.get("torch")))
                ? readObject(Paths.get(opts.get("torch"))) : null;
        Path out = Paths.get(opts.get("out"));
        Path md = Paths.get(out + ".md");
        Path png = Paths.get(out + ".png");
        boolean chart = Chart.write(results, build, png);
        String text = new Report().markdown(results, mask, interleaved, interleavedOps, torch, family, build, opts,
                chart ? png.getFileName().toString() : null);
        Files.writeString(md, text, StandardCharsets.UTF_8);
        System.out.println("report: " + md + (chart ? ", " + png : ""));
        if (opts.containsKey("latest")) {
            Path dir = md.toAbsolutePath().getParent();
            Files.writeString(dir.resolve("latest.md"), chart
                    ? text.replace("(" + png.getFileName() + ")", "(latest.png)") : text, StandardCharsets.UTF_8);
            if (chart) {
                Files.copy(png, dir.resolve("latest.png"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void merge(Path out, Path dir) throws IOException {
        JsonArray all = new JsonArray();
        List<Path> parts = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            ds.forEach(parts::add);
        }
        parts.sort(Comparator.naturalOrder());
        for (Path p : parts) {
            try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                JsonElement e = JsonParser.parseReader(r);
                if (e != null && e.isJsonArray()) {
                    all.addAll(e.getAsJsonArray());
                }
            }
        }
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(all, w);
        }
        System.out.println("merged " + parts.size() + " files, " + all.size() + " results: " + out);
    }

    /** The JSON objects of a comma-separated list of files; missing files are skipped. */
    private static List<JsonObject> readAll(String files) throws IOException {
        List<JsonObject> all = new ArrayList<>();
        if (files != null) {
            for (String file : files.split(",")) {
                if (!file.isEmpty() && Files.exists(Paths.get(file))) {
                    all.add(readObject(Paths.get(file)));
                }
            }
        }
        return all;
    }

    private static JsonObject readObject(Path p) throws IOException {
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(r).getAsJsonObject();
        }
    }

    private final StringBuilder sb = new StringBuilder();

    private String markdown(Results results, JsonObject mask, List<JsonObject> interleaved,
            List<JsonObject> interleavedOps, JsonObject torch, List<JsonObject> family, String build,
            Map<String, String> opts, String png) {
        String stamp = Paths.get(opts.get("out")).getFileName().toString();
        line("# Dropkit vs DL4J built-in dropout: " + stamp);
        line("");
        line("* Machine: " + machine());
        JsonObject f = results.first;
        line("* JVM: " + str(f, "jdkVersion") + " " + str(f, "vmName") + "; JMH " + str(f, "jmhVersion")
                + "; DL4J/ND4J 1.0.0-M2.1");
        line("* Mode: " + opts.getOrDefault("mode", "?") + "; JMH settings used: " + settings(results));
        line("* nd4j-native builds: `" + build + "` (chosen by `NativeCpuBuild.select()` for this CPU) for every row"
                + " not marked otherwise; `generic` rows forced it with `-jvmArgsAppend"
                + " -Dorg.bytedeco.javacpp.platform.extension=`. Each fork checked ND4J's binary level against the"
                + " build it asked for and fails if they differ.");
        if (opts.containsKey("command")) {
            line("* Command: `" + opts.get("command") + "`");
        }
        line("* ND4J threads: OMP_NUM_THREADS=" + opts.getOrDefault("threads", "?") + " (unset: ND4J uses one"
                + " thread per core). Each fork logs the count it ran with (`# dropkit-bench:` lines in the log).");
        line("* Reading the tables: times are the **median** of all measured iterations (all forks) per call; mean ±"
                + " JMH's 99.9% error beside it. *vs built-in* = built-in median / this median (above 1: faster"
                + " than the built-in in the same run). *× copy* and *× mul* = this median / the median of"
                + " `z.assign(x)` and of `MulOp(x, y, z)` at the same shape and dtype (the memory floors).");
        line("* The machine was shared with other work while this ran; expect noise of ±20% or more"
                + " (compare min and max in the JSON)." + (opts.containsKey("load") ? " Load (`uptime`): "
                + opts.get("load") + "." : ""));
        line("");

        line("## Targets (issues #3, #10 and #12)");
        line("");
        if (Stream.of(interleaved, interleavedOps, family).flatMap(List::stream)
                .anyMatch(run -> run.has("ompWaitPolicy"))) {
            line("Rows marked OMP_WAIT_POLICY are the same interleaved rounds run again with libgomp's idle workers"
                    + " told to sleep or spin (by default they spin for a while after each parallel region, taking a"
                    + " core from the next thing to run: see \"Noise\" in benchmarks/README.md). They show what that"
                    + " setting changes; the rows without it are the ones a default setup gets.");
            line("");
        }
        line("| target | measured | required | result | detail |");
        line("|---|---|---|---|---|");
        for (Targets.Outcome o : new Targets(results, mask, interleaved, interleavedOps, torch, family, build).evaluate()) {
            line("| " + o.target + " | " + o.measured + " | " + o.required + " | **" + o.result + "** | " + o.detail
                    + " |");
        }
        line("");
        if (png != null) {
            line("## Chart");
            line("");
            line("![Dropkit vs built-in, ns per element](" + png + ")");
            line("");
        }
        opTable(results, "DropoutForward.trainingForwardDl4jStyle", "Training forward as DL4J calls it: x → a result"
                + " array created in the INPUT workspace of the pass", "`AbstractLayer.applyDropOutIfNecessary` creates"
                + " the result array in the INPUT workspace on every pass (for a layer that may not modify its input);"
                + " without a workspace it is a fresh detached array.");
        opTable(results, "DropoutForward.trainingForward", "Training forward: x → out (preallocated once)", null);
        opTable(results, "DropoutForward.trainingForwardInPlacePlusCopy",
                "Training forward in place, plus one refill copy", "Each call first copies x into the array it then"
                        + " drops out in place (DL4J's path for every layer after the first); subtract the copy"
                        + " floor for the in-place cost.");
        opTable(results, "DropoutBackward.backward", "Backward alone: dy → dx", "STORED and built-in: one"
                + " multiplication by the kept mask; RECOMPUTE regenerates the mask from its seed.");
        opTable(results, "DropoutForwardBackward.forwardThenBackward", "Forward then backward (one training step of"
                + " the dropout)", null);
        floors(results);
        kernels(results);
        networks(results, mask);
        interleavedOps(interleavedOps, torch);
        torchTable(torch);
        interleavedNetworks(interleaved);
        maskTable(mask);
        return sb.toString();
    }

    private void opTable(Results results, String bench, String title, String note) {
        List<Row> rows = new ArrayList<>();
        for (Row r : results.rows) {
            if (r.benchmark.equals(bench)) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        rows.sort(Comparator.<Row, String>comparing(r -> r.build.equals("generic") ? "z" : r.build)
                .thenComparing(r -> DTYPE_ORDER.indexOf(r.param("dtype")))
                .thenComparing(r -> -Double.parseDouble(r.param("p")))
                .thenComparing(r -> RANK_ORDER.indexOf(r.rank()))
                .thenComparing(Row::elements)
                .thenComparing(r -> r.param("workspace").equals("true") ? 0 : 1)
                .thenComparing(Report::threads)
                .thenComparing(r -> IMPL_ORDER.indexOf(r.param("impl"))));
        line("## " + title);
        line("");
        if (note != null) {
            line(note);
            line("");
        }
        line("| shape | dtype | p | workspace | build | threads | implementation | median | mean ± error"
                + " | vs built-in | × copy | × mul |");
        line("|---|---|---|---|---|---|---|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            String impl = r.param("impl");
            Optional<Row> base = results.baselineOf(r);
            Optional<Row> copy = results.floorOf(r, "copy");
            Optional<Row> mul = results.floorOf(r, "multiply");
            String vs = Names.isBuiltIn(impl) ? "(baseline)"
                    : base.map(b -> Names.ratio(b.median / r.median)).orElse("–");
            String name = Names.isBuiltIn(impl) ? Names.impl(impl) : "**" + Names.impl(impl) + "**";
            line("| " + r.param("shape") + " (" + Names.rankKind(r.rank()) + ", " + Names.size(r.elements())
                    + ") | " + r.param("dtype") + " | " + r.param("p") + " | " + (r.param("workspace").equals("true")
                    ? "yes" : "no") + " | " + r.build + " | " + threads(r) + " | " + name + " | "
                    + Names.time(r.median) + " | "
                    + meanError(r) + " | " + vs + " | "
                    + copy.map(c -> Names.ratio(r.median / c.median)).orElse("–") + " | "
                    + mul.map(c -> Names.ratio(r.median / c.median)).orElse("–") + " |");
        }
        line("");
    }

    private void floors(Results results) {
        String[] kinds = {"MemoryFloor.copy", "MemoryFloor.multiply", "MemoryFloor.uniformFill"};
        Map<String, Row[]> byKey = new TreeMap<>();
        for (Row r : results.rows) {
            int kind = Arrays.asList(kinds).indexOf(r.benchmark);
            if (kind >= 0) {
                String key = r.build + "|" + DTYPE_ORDER.indexOf(r.param("dtype")) + "|"
                        + RANK_ORDER.indexOf(r.rank()) + "|" + String.format("%012d", r.elements());
                byKey.computeIfAbsent(key, k -> new Row[kinds.length])[kind] = r;
            }
        }
        if (byKey.isEmpty()) {
            return;
        }
        line("## Memory floors");
        line("");
        line("Copy reads one array and writes one; multiply reads two and writes one; the uniform fill"
                + " (`UniformDistribution`, ND4J's cheapest random op) writes one. GB/s counts those bytes only.");
        line("");
        line("| shape | dtype | build | copy `z.assign(x)` | copy GB/s | multiply `MulOp(x,y,z)` | multiply GB/s"
                + " | uniform fill | fill GB/s |");
        line("|---|---|---|---:|---:|---:|---:|---:|---:|");
        for (Row[] floor : byKey.values()) {
            Row any = Arrays.stream(floor).filter(java.util.Objects::nonNull).findFirst().get();
            int width = "DOUBLE".equals(any.param("dtype")) ? 8 : "HALF".equals(any.param("dtype")) ? 2 : 4;
            StringBuilder row = new StringBuilder("| " + any.param("shape") + " (" + Names.rankKind(any.rank()) + ", "
                    + Names.size(any.elements()) + ") | " + any.param("dtype") + " | " + any.build + " |");
            int[] arrays = {2, 3, 1};
            for (int k = 0; k < kinds.length; k++) {
                row.append(' ').append(floor[k] == null ? "–" : Names.time(floor[k].median)).append(" | ")
                        .append(floor[k] == null ? "–" : gbs((long) arrays[k] * width * any.elements(),
                                floor[k].median)).append(" |");
            }
            line(row.toString());
        }
        line("");
    }

    private void kernels(Results results) {
        List<Row> rows = new ArrayList<>();
        for (Row r : results.rows) {
            if (r.benchmark.startsWith("MaskKernels.")) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        rows.sort(Comparator.<Row, String>comparing(r -> r.build).thenComparing(Row::elements)
                .thenComparing(r -> r.benchmark.contains(".engine") ? 0 : r.benchmark.contains(".nd4j") ? 1 : 2)
                .thenComparing(r -> r.benchmark));
        line("## Mask engine components and candidate kernels (FLOAT, p = " + rows.get(0).param("p") + ")");
        line("");
        line("`engine*`: `MaskEngine` itself, here its CPU generator (one pass in Java, no op call). `nd4j*`: the"
                + " pieces of its ND4J-op path (CUDA, HALF/BFLOAT16): Bernoulli draw, `MulOp`, scale by 1/p; ND4J's"
                + " Gaussian draw. `candidate*`: other ways to make the same output (see the Javadoc of `MaskKernels`"
                + " and `GaussianCandidates`). One thread (OMP_NUM_THREADS=1 for the whole slice), so every row is"
                + " the cost per thread. *vs ND4J* = the ND4J path's median / this median: its three-pass Bernoulli"
                + " forward (`nd4jBernoulliDrawMulScale`) for Bernoulli kernels, its Gaussian draw"
                + " (`nd4jGaussianDrawOnly`) for Gaussian ones.");
        line("");
        line("| kernel | shape | build | median | ns/element | × copy | vs ND4J |");
        line("|---|---|---|---:|---:|---:|---:|");
        for (Row r : rows) {
            Optional<Row> copy = results.floorOf(r, "copy");
            String reference = r.benchmark.contains("Gaussian") ? "MaskKernels.nd4jGaussianDrawOnly"
                    : "MaskKernels.nd4jBernoulliDrawMulScale";
            Optional<Row> engine = results.find(x -> x.benchmark.equals(reference)
                    && x.build.equals(r.build) && x.elements() == r.elements());
            boolean perElement = !r.benchmark.endsWith("RngBookkeeping");
            line("| " + r.benchmark.substring("MaskKernels.".length()) + " | " + r.param("shape") + " ("
                    + Names.size(r.elements()) + ") | " + r.build + " | " + Names.time(r.median) + " | "
                    + (perElement ? Names.sig(r.median * 1000.0 / r.elements()) : "–") + " | "
                    + (perElement ? copy.map(c -> Names.ratio(r.median / c.median)).orElse("–") : "–") + " | "
                    + (perElement ? engine.map(e -> Names.ratio(e.median / r.median)).orElse("–") : "–") + " |");
        }
        line("");
    }

    private void networks(Results results, JsonObject mask) {
        List<Row> rows = new ArrayList<>();
        for (Row r : results.rows) {
            if (r.benchmark.equals("NetworkFitStep.fitOneMinibatch")) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        rows.sort(Comparator.<Row, String>comparing(r -> r.build)
                .thenComparing(r -> Arrays.asList("MLP", "CNN", "LSTM").indexOf(r.param("network")))
                .thenComparing(r -> threads(r))
                .thenComparing(r -> NET_DROPOUT_ORDER.indexOf(r.param("dropout"))));
        line("## Whole networks: one fit step");
        line("");
        line("MLP 784-1024-1024-10 (batch 128, p = 0.5 on both hidden activations); CNN conv5x5x32-pool-conv5x5x64"
                + "-pool-dense256-softmax10 on 28x28x1 (batch 64, p = 0.8 on the second conv's input, 0.5 on the"
                + " dense and output inputs); LSTM 64 features x 50 steps, LSTM(256)-LSTM(256)-RnnOutput(10)"
                + " (batch 32, p = 0.8 on the inputs of LSTM 2 and the output layer). The *DROPCONNECT* rows: the"
                + " same MLP with no activation dropout and DropConnect p = 0.5 on the weights of both hidden layers"
                + " (DL4J's `DropConnect`, which keeps weights unscaled and leaves their gradient dL/dW', against"
                + " Dropkit's `MaskDropConnect.bernoulli`, inverted, with the exact gradient dL/dW' m); they are"
                + " compared with DL4J's DropConnect. FLOAT, Adam, workspaces on."
                + " Mask bytes kept: all dropout masks alive after a training forward pass, per dropped-out element."
                + " ND4J threads: the fork's OMP_NUM_THREADS (\"default\": unset, one per core). On a small shared"
                + " machine OpenMP threads that wait for each other make multi-threaded steps slow and noisy; the"
                + " one-thread rows show the dropout's own cost more clearly.");
        line("");
        line("| network | ND4J threads | dropout | build | median | mean ± error | vs DL4J built-in | vs no dropout"
                + " | mask bytes kept | per element |");
        line("|---|---|---|---|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            Optional<Row> bi = results.find("NetworkFitStep.fitOneMinibatch", r.build, "network",
                    r.param("network"), "ompThreads", r.param("ompThreads"), "dropout",
                    Targets.baseline(r.param("dropout")));
            Optional<Row> none = results.find("NetworkFitStep.fitOneMinibatch", r.build, "network",
                    r.param("network"), "ompThreads", r.param("ompThreads"), "dropout", "NONE");
            String[] kept = networkMask(mask, r.param("network"), r.param("dropout"));
            line("| " + r.param("network") + " | " + threads(r) + " | " + r.param("dropout") + " | " + r.build + " | "
                    + Names.time(r.median) + " | " + meanError(r) + " | "
                    + (r.param("dropout").startsWith("DROPKIT") ? bi.map(b -> Names.ratio(b.median / r.median))
                            .orElse("–") : "") + " | "
                    + none.map(b -> Names.ratio(b.median / r.median)).orElse("–") + " | " + kept[0] + " | "
                    + kept[1] + " |");
        }
        line("");
    }

    /** The OMP_NUM_THREADS a network row ran with; results from before the parameter existed ran with the default. */
    static String threads(Row r) {
        return r.param("ompThreads") == null ? "default" : r.param("ompThreads");
    }

    /** The "ND4J threads" cell of an interleaved run: OMP_NUM_THREADS, and OMP_WAIT_POLICY where the run set one. */
    private static String threadColumn(JsonObject run) {
        return run.get("ompThreads").getAsString()
                + (run.has("ompWaitPolicy") ? ", OMP_WAIT_POLICY=" + run.get("ompWaitPolicy").getAsString() : "");
    }

    private void interleavedOps(List<JsonObject> runs, JsonObject torch) {
        if (runs.isEmpty()) {
            return;
        }
        line("## Dropout ops in interleaved rounds (not JMH)");
        line("");
        line("`InterleavedDropoutOps`: each round times every implementation back to back (the same number of calls"
                + " each, in a workspace, p = 0.8), starting with a different one each round; *vs built-in* is the"
                + " median over rounds of the built-in's time / this one's in the same round. *forward*: as a DL4J"
                + " layer calls it (result created in the INPUT workspace on every pass); *backward*: from the state of"
                + " one forward pass, put back before each call; *forward + backward*:"
                + " forward into a preallocated output, backward into a preallocated gradient. One JVM per build and"
                + " thread setting. PyTorch: its CPU time for the same op, shape, dtype and threads, from its own"
                + " process (`torch_dropout.py`), where present.");
        line("");
        line("| op | shape | dtype | build | ND4J threads | implementation | median per call | vs built-in (median of"
                + " rounds) | rounds faster | PyTorch |");
        line("|---|---|---|---|---|---|---:|---:|---:|---:|");
        for (JsonObject run : runs) {
            int rounds = run.get("rounds").getAsInt();
            String threads = run.get("ompThreads").getAsString();
            String threadColumn = threadColumn(run);
            for (JsonElement c : run.getAsJsonArray("cases")) {
                JsonObject o = c.getAsJsonObject();
                String op = o.get("op").getAsString();
                for (JsonElement v : o.getAsJsonArray("variants")) {
                    JsonObject x = v.getAsJsonObject();
                    String impl = x.get("impl").getAsString();
                    boolean paired = x.has("medianRatioVsBuiltIn");
                    String torchImpl = !op.equals("forward") ? null : impl.equals("DL4J_DROPOUT") ? "torch_dropout"
                            : impl.equals("DL4J_GAUSSIAN") ? "torch_gaussian_normal" : null;
                    String pt = torchImpl == null ? "" : Targets.torchMedian(torch, op, o.get("shape").getAsString(),
                            o.get("dtype").getAsString(), threads, torchImpl).map(Names::time).orElse("–");
                    line("| " + (op.equals("forwardBackward") ? "forward + backward" : op) + " | "
                            + o.get("shape").getAsString() + " (" + Names.size(Row.elements(o.get("shape")
                            .getAsString())) + ") | " + o.get("dtype").getAsString() + " | "
                            + run.get("build").getAsString() + " | " + threadColumn + " | "
                            + (paired ? "**" + Names.impl(impl) + "**" : Names.impl(impl)) + " | "
                            + Names.time(x.get("medianUsPerCall").getAsDouble()) + " | "
                            + (paired ? Names.ratio(x.get("medianRatioVsBuiltIn").getAsDouble()) : "(baseline)")
                            + " | " + (paired ? x.get("roundsFasterThanBuiltIn").getAsInt() + " of " + rounds : "")
                            + " | " + pt + " |");
                }
            }
        }
        line("");
    }

    private void torchTable(JsonObject torch) {
        if (torch == null) {
            return;
        }
        line("## PyTorch on the same machine (peer, not JMH)");
        line("");
        if (!torch.has("available") || !torch.get("available").getAsBoolean()) {
            line("Not measured: " + (torch.has("note") ? torch.get("note").getAsString() : "no PyTorch") + ".");
            line("");
            return;
        }
        line("`torch_dropout.py`, PyTorch " + torch.get("torchVersion").getAsString() + ": `torch.nn.functional"
                + ".dropout(x, 0.2, training=True)` and the Gaussian mask `x * torch.empty_like(x).normal_(1, sigma)`"
                + " (forward); forward + backward through autograd. Median of " + torch.get("repeats").getAsInt()
                + " timed calls after warmup.");
        line("");
        line("| op | shape | dtype | threads | implementation | median per call |");
        line("|---|---|---|---|---|---:|");
        for (JsonElement e : torch.getAsJsonArray("cases")) {
            JsonObject o = e.getAsJsonObject();
            line("| " + o.get("op").getAsString() + " | " + o.get("shape").getAsString() + " | "
                    + o.get("dtype").getAsString() + " | " + o.get("ompThreads").getAsString() + " | "
                    + o.get("impl").getAsString() + " | " + Names.time(o.get("medianUs").getAsDouble()) + " |");
        }
        line("");
    }

    private void interleavedNetworks(List<JsonObject> runs) {
        if (runs.isEmpty()) {
            return;
        }
        line("## Whole networks in interleaved rounds (not JMH)");
        line("");
        line("`InterleavedFitSteps`: each round times the same number of fit steps of every variant back to back,"
                + " starting with a different variant each round, so that all variants share the machine's load of"
                + " that moment; *vs DL4J built-in* is the median over rounds of the step time of DL4J's Dropout (of"
                + " its DropConnect, for a DROPCONNECT variant) / this variant's in"
                + " the same round. Same networks and batches as the JMH rows above. A companion to JMH on a shared"
                + " machine, where JMH's one-variant-after-another order lets drift decide a few-percent"
                + " difference.");
        line("");
        line("| network | ND4J threads | dropout | median step | vs DL4J built-in (median of rounds) | rounds faster"
                + " than DL4J | rounds × steps |");
        line("|---|---|---|---:|---:|---:|---:|");
        for (JsonObject run : runs) {
            int rounds = run.get("rounds").getAsInt();
            for (JsonElement n : run.getAsJsonArray("networks")) {
                JsonObject net = n.getAsJsonObject();
                for (JsonElement v : net.getAsJsonArray("variants")) {
                    JsonObject o = v.getAsJsonObject();
                    boolean paired = o.has("medianRatioVsDl4j");
                    line("| " + net.get("network").getAsString() + " | " + threadColumn(run) + " | "
                            + o.get("dropout").getAsString() + " | "
                            + Names.time(o.get("medianMsPerStep").getAsDouble() * 1000.0) + " | "
                            + (paired ? Names.ratio(o.get("medianRatioVsDl4j").getAsDouble()) : "(baseline)") + " | "
                            + (paired ? o.get("roundsFasterThanDl4j").getAsInt() + " of " + rounds : "") + " | "
                            + rounds + " × " + net.get("stepsPerRound").getAsInt() + " |");
                }
            }
        }
        line("");
    }

    private static String[] networkMask(JsonObject mask, String network, String dropout) {
        if (mask != null && mask.has("networks")) {
            for (JsonElement e : mask.getAsJsonArray("networks")) {
                JsonObject o = e.getAsJsonObject();
                if (o.get("network").getAsString().equals(network) && o.get("dropout").getAsString().equals(dropout)
                        && o.has("keptBytes")) {
                    return new String[] {bytes(o.get("keptBytes").getAsLong()),
                        String.format(Locale.ROOT, "%.2f B", o.get("bytesPerElement").getAsDouble())};
                }
            }
        }
        return new String[] {"–", "–"};
    }

    private void maskTable(JsonObject mask) {
        if (mask == null || !mask.has("ops")) {
            return;
        }
        Map<String, Map<String, String>> table = new LinkedHashMap<>();
        Set<String> columns = new LinkedHashSet<>();
        for (String dtype : DTYPE_ORDER) {
            for (int rank : RANK_ORDER) {
                columns.add(dtype + " " + Names.rankKind(rank));
            }
        }
        for (String impl : IMPL_ORDER) {
            table.put(impl, new LinkedHashMap<>());
        }
        for (JsonElement e : mask.getAsJsonArray("ops")) {
            JsonObject o = e.getAsJsonObject();
            int rank = o.get("shape").getAsString().split("x").length;
            String col = o.get("dtype").getAsString() + " " + Names.rankKind(rank);
            String v = o.has("bytesPerElement")
                    ? Names.sig(o.get("bytesPerElement").getAsDouble()).replaceFirst("\\.00$", "")
                    : "error";
            table.computeIfAbsent(o.get("impl").getAsString(), k -> new LinkedHashMap<>()).put(col, v);
        }
        line("## Mask bytes kept between forward and backward, per element");
        line("");
        line("One training forward pass at about 1e6 elements (256x4096, 64x64x16x16, 64x256x64), p = 0.8; bytes"
                + " the dropout holds for its backward pass / elements of its input. \"error\": the implementation"
                + " does not run for that dtype (see the JSON).");
        line("");
        StringBuilder head = new StringBuilder("| implementation |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String c : columns) {
            head.append(' ').append(c).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (Map.Entry<String, Map<String, String>> e : table.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            StringBuilder row = new StringBuilder("| " + Names.impl(e.getKey()) + " |");
            for (String c : columns) {
                row.append(' ').append(e.getValue().getOrDefault(c, "–")).append(" |");
            }
            line(row.toString());
        }
        line("");
    }

    private static String meanError(Row r) {
        return Names.time(r.mean) + (Double.isNaN(r.error) ? "" : " ± " + Names.time(r.error).replace(" ", " "));
    }

    private static String gbs(long bytes, double us) {
        return String.format(Locale.ROOT, "%.1f", bytes / (us * 1e3));
    }

    private static String bytes(long b) {
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0)
                : b >= 1024 ? String.format(Locale.ROOT, "%.1f KiB", b / 1024.0) : b + " B";
    }

    private static String settings(Results results) {
        Set<String> s = new TreeSet<>();
        for (Row r : results.rows) {
            s.add(r.forks + " fork(s) × " + (r.samples / Math.max(1, r.forks)) + " iterations");
        }
        return s.isEmpty() ? "?" : String.join("; ", s) + " (see the JSON for warmup and times)";
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsString() : "?";
    }

    private static String machine() {
        String host = "?";
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            // keep "?"
        }
        String cpu = "?";
        String mem = "?";
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String l : Files.readAllLines(Paths.get("/proc/meminfo"))) {
                if (l.startsWith("MemTotal")) {
                    long kb = Long.parseLong(l.replaceAll("\\D", ""));
                    mem = String.format(Locale.ROOT, "%.0f GiB", kb / 1048576.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return host + ", " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + mem + " RAM";
    }

    private void line(String s) {
        sb.append(s).append('\n');
    }
}

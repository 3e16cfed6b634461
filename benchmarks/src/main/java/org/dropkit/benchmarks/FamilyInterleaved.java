package org.dropkit.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Alpha dropout and Gaussian noise against DL4J's in interleaved rounds: the companion of {@link FamilyPasses} for a
 * shared, noisy machine. Each round times every implementation of one family (DL4J's and Dropkit's) back to back on
 * the same workload, starting with a different one each round, so each round gives a paired ratio, DL4J's time over
 * Dropkit's, under the same load. Reported: the median ratio, the rounds in which Dropkit was faster, and the median
 * time per call of each. Warmup rounds are discarded. The workloads are {@link FamilyWorkload}'s (FLOAT, in a
 * workspace, p = 0.9, sigma = 0.1).
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.dropkit.benchmarks.FamilyInterleaved OUT.json [rounds]}; the thread
 * count is the process's OMP_NUM_THREADS, recorded in the output. Also writes OUT.md, a table of the ratios.
 */
public final class FamilyInterleaved extends NativeBackend {

    private static final int WARMUP_ROUNDS = 3;
    /** Each implementation runs about this long per round. */
    private static final double TARGET_MS_PER_ROUND = 40;
    /** Time each pass runs before its calls per round are set (see {@link #warm}). */
    private static final long WARMUP_NANOS = 500_000_000L;
    private static final String[] SHAPES = {"64x160", "1024x10000"};
    private static final FamilyImpl[][] FAMILIES = {
        {FamilyImpl.DL4J_ALPHA, FamilyImpl.DROPKIT_ALPHA_RECOMPUTE, FamilyImpl.DROPKIT_ALPHA_STORED},
        {FamilyImpl.DL4J_GAUSSIAN_NOISE, FamilyImpl.DROPKIT_GAUSSIAN_NOISE}};

    private FamilyInterleaved() {
    }

    enum Pass {
        FORWARD(FamilyWorkload::forward),
        BACKWARD(FamilyWorkload::backward),
        FORWARD_THEN_BACKWARD(FamilyWorkload::forwardThenBackward);

        final Function<FamilyWorkload, INDArray> call;

        Pass(Function<FamilyWorkload, INDArray> call) {
            this.call = call;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: FamilyInterleaved OUT.json [rounds, default 15]");
            System.exit(2);
        }
        Path out = Paths.get(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        checkBuild();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String shape : SHAPES) {
            for (FamilyImpl[] family : FAMILIES) {
                for (Pass pass : Pass.values()) {
                    rows.addAll(measure(shape, family, pass, rounds));
                }
            }
        }
        Map<String, Object> result = Rounds.header(WARMUP_ROUNDS, rounds);
        result.put("rows", rows);
        Rounds.write(out, result);
        String table = table(rows, rounds);
        Path md = Paths.get(out.toString().replaceFirst("\\.json$", "") + ".md");
        Files.write(md, ("# Alpha dropout and Gaussian noise vs DL4J, interleaved rounds\n\nnd4j-native "
                + buildName(REQUESTED_BUILD) + ", OMP_NUM_THREADS " + ompThreads()
                + (ompWaitPolicy() == null ? "" : ", OMP_WAIT_POLICY " + ompWaitPolicy()) + ", FLOAT, in a workspace, "
                + rounds + " rounds after " + WARMUP_ROUNDS + " warmup rounds. Ratio: DL4J's time over Dropkit's in"
                + " the same round (above 1: Dropkit is faster), median over rounds.\n\n" + table)
                .getBytes(StandardCharsets.UTF_8));
        System.out.print(table);
        System.out.println("interleaved family passes: " + out + ", " + md);
    }

    private static FamilyWorkload workload(String shape, FamilyImpl impl) {
        FamilyWorkload w = new FamilyWorkload();
        w.shape = shape;
        w.dtype = "FLOAT";
        w.p = 0.9;
        w.sigma = 0.1;
        w.impl = impl;
        w.workspace = true;
        w.setUp();
        return w;
    }

    /**
     * Calls the pass for {@link #WARMUP_NANOS} before its calls per round are set: calibrated on its first, interpreted
     * calls, a fast pass would get a few calls per round, and three warmup rounds of those would leave it uncompiled
     * for most measured rounds (seen: Dropkit's 1e4 noise forward at 0.2 ms for 12 rounds, then 0.02 ms).
     */
    private static void warm(FamilyWorkload w, Pass pass) {
        long end = System.nanoTime() + WARMUP_NANOS;
        do {
            timeCalls(w, pass, 3);
        } while (System.nanoTime() < end);
    }

    private static double timeCalls(FamilyWorkload w, Pass pass, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            pass.call.apply(w);
        }
        return (System.nanoTime() - start) / 1e6 / calls;
    }

    private static List<Map<String, Object>> measure(String shape, FamilyImpl[] impls, Pass pass, int rounds) {
        FamilyWorkload[] ws = new FamilyWorkload[impls.length];
        int[] calls = new int[impls.length];
        for (int v = 0; v < impls.length; v++) {
            ws[v] = workload(shape, impls[v]);
            warm(ws[v], pass);
            double ms = timeCalls(ws[v], pass, 5);
            calls[v] = (int) Math.max(1, Math.min(100_000, Math.round(TARGET_MS_PER_ROUND / Math.max(ms, 1e-4))));
        }
        double[][] msPerCall = new double[impls.length][rounds];
        for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
            int first = Math.floorMod(round, impls.length);
            for (int k = 0; k < impls.length; k++) {
                int v = (first + k) % impls.length;
                double ms = timeCalls(ws[v], pass, calls[v]);
                if (round >= 0) {
                    msPerCall[v][round] = ms;
                }
            }
        }
        for (FamilyWorkload w : ws) {
            w.tearDown();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int v = 1; v < impls.length; v++) {
            double[] ratios = new double[rounds];
            int faster = 0;
            for (int r = 0; r < rounds; r++) {
                ratios[r] = msPerCall[0][r] / msPerCall[v][r];
                faster += ratios[r] > 1.0 ? 1 : 0;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("shape", shape);
            row.put("pass", pass.name());
            row.put("baseline", impls[0].name());
            row.put("impl", impls[v].name());
            row.put("baselineMedianMs", Rounds.median(msPerCall[0]));
            row.put("implMedianMs", Rounds.median(msPerCall[v]));
            row.put("medianRatio", Rounds.median(ratios));
            row.put("roundsFaster", faster);
            row.put("callsPerRound", new int[] {calls[0], calls[v]});
            row.put("baselineMsByRound", msPerCall[0]);
            row.put("implMsByRound", msPerCall[v]);
            rows.add(row);
            System.out.println(String.format(Locale.ROOT, "# %s %s %s vs %s: ratio %.2f (%d/%d rounds faster)",
                    shape, pass, impls[v], impls[0], Rounds.median(ratios), faster, rounds));
        }
        return rows;
    }

    /** The markdown table, with the target of each row: alpha >= 3x at 1e7, noise never slower. */
    static String table(List<Map<String, Object>> rows, int rounds) {
        StringBuilder s = new StringBuilder("| shape | pass | Dropkit | DL4J ms | Dropkit ms | ratio | faster in"
                + " | target |\n|---|---|---|---:|---:|---:|---:|---|\n");
        for (Map<String, Object> row : rows) {
            String impl = (String) row.get("impl");
            double ratio = (Double) row.get("medianRatio");
            boolean noise = impl.contains("NOISE");
            boolean large = "1024x10000".equals(row.get("shape"));
            String target = noise ? (ratio >= 1.0 ? "never slower: met" : "never slower: NOT met")
                    : large && "FORWARD".equals(row.get("pass")) ? (ratio >= 3.0 ? ">= 3x: met" : ">= 3x: NOT met")
                    : "";
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.2f | %d/%d | %s |%n",
                    row.get("shape"), row.get("pass"), impl, (Double) row.get("baselineMedianMs"),
                    (Double) row.get("implMedianMs"), ratio, (Integer) row.get("roundsFaster"), rounds, target));
        }
        return s.toString();
    }
}

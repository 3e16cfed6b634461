package org.dropkit.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Whole-network fit steps measured in interleaved rounds: a companion to {@link NetworkFitStep}, not a replacement.
 *
 * <p>JMH measures one variant after another, so on a shared machine a variant that happens to run during a busy
 * minute looks slower than it is, and dropout's share of a step (a few percent) drowns in that drift. Here every round
 * times the same number of fit steps of every variant (no dropout, DL4J's {@code Dropout}, Dropkit RECOMPUTE and
 * STORED; on the MLP also DL4J's {@code DropConnect} and Dropkit's {@code MaskDropConnect}, RECOMPUTE and STORED), back
 * to back, starting with a different variant each round; each round then gives a paired ratio, the built-in's step
 * time (DL4J's {@code Dropout}, or its {@code DropConnect} for a DropConnect variant) over the variant's, taken under
 * the same load. The report quotes the median of those ratios and how many
 * rounds the variant was the faster one. Warmup rounds are discarded. Not JMH: no forking, no blackholes; the
 * networks, batches and fit calls are those of {@link NetworkFitStep} ({@link Networks}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.dropkit.benchmarks.InterleavedFitSteps out.json MLP[,CNN,LSTM]
 * [rounds]}. The thread count is the process's OMP_NUM_THREADS, recorded in the output.
 */
public final class InterleavedFitSteps extends NativeBackend {

    private static final int WARMUP_ROUNDS = 3;

    private InterleavedFitSteps() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: InterleavedFitSteps OUT.json MLP[,CNN,LSTM] [rounds, default 15]");
            System.exit(2);
        }
        Path out = Paths.get(args[0]);
        int rounds = Rounds.count(args, 2);
        checkBuild();
        Map<String, Object> result = Rounds.header(WARMUP_ROUNDS, rounds);
        List<Map<String, Object>> networks = new ArrayList<>();
        for (String name : args[1].split(",")) {
            networks.add(measure(Networks.Kind.valueOf(name.trim()), rounds));
        }
        result.put("networks", networks);
        Rounds.write(out, result);
        System.out.println("interleaved fit steps: " + out);
    }

    private static Map<String, Object> measure(Networks.Kind kind, int rounds) {
        Networks.DropoutChoice[] choices = java.util.Arrays.stream(Networks.DropoutChoice.values())
                .filter(c -> c.appliesTo(kind)).toArray(Networks.DropoutChoice[]::new);
        MultiLayerNetwork[] nets = new MultiLayerNetwork[choices.length];
        for (int v = 0; v < choices.length; v++) {
            nets[v] = Networks.build(kind, choices[v]);
        }
        DataSet batch = Networks.batch(kind);
        int steps = kind == Networks.Kind.MLP ? 5 : 1; // about 0.2 s per variant and round
        double[][] msPerStep = Rounds.time(choices.length, WARMUP_ROUNDS, rounds, steps, v -> nets[v].fit(batch),
                1e6);
        List<Networks.DropoutChoice> order = java.util.Arrays.asList(choices);
        List<Map<String, Object>> variants = new ArrayList<>();
        for (int v = 0; v < choices.length; v++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("dropout", choices[v].name());
            row.put("medianMsPerStep", Rounds.median(msPerStep[v]));
            int builtIn = order.indexOf(choices[v].baseline());
            if (v != builtIn) {
                row.put("baseline", choices[builtIn].name());
                Rounds.putPaired(row, msPerStep[builtIn], msPerStep[v], "medianRatioVsDl4j", "roundsFasterThanDl4j");
            }
            row.put("msPerStepByRound", msPerStep[v]);
            variants.add(row);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("network", kind.name());
        result.put("stepsPerRound", steps);
        result.put("variants", variants);
        System.out.println("# " + kind + ": " + variants.stream()
                .map(r -> r.get("dropout") + " " + String.format(java.util.Locale.ROOT, "%.1f ms",
                        (Double) r.get("medianMsPerStep")))
                .reduce((a, b) -> a + ", " + b).orElse(""));
        return result;
    }
}

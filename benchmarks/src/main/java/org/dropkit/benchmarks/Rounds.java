package org.dropkit.benchmarks;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Interleaved rounds, shared by {@link InterleavedFitSteps} and {@link InterleavedDropoutOps}: every round runs each
 * subject the same number of times back to back, starting with a different subject each round, so that all of them
 * share the machine's load of that moment; warmup rounds are discarded.
 */
final class Rounds {

    private Rounds() {
    }

    /** The number of measured rounds from a command-line argument (default 15), at least 1. */
    static int count(String[] args, int index) {
        int rounds = args.length > index ? Integer.parseInt(args[index]) : 15;
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        return rounds;
    }

    /**
     * The start of a result: build, thread setting (and OMP_WAIT_POLICY, only when it is set), warmup and measured
     * rounds.
     */
    static Map<String, Object> header(int warmupRounds, int rounds) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("build", NativeBackend.buildName(NativeBackend.REQUESTED_BUILD));
        result.put("ompThreads", NativeBackend.ompThreads());
        if (NativeBackend.ompWaitPolicy() != null) {
            result.put("ompWaitPolicy", NativeBackend.ompWaitPolicy());
        }
        result.put("warmupRounds", warmupRounds);
        result.put("rounds", rounds);
        return result;
    }

    /** Writes a result as pretty-printed JSON, creating the folder. */
    static void write(Path out, Map<String, Object> result) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(result, w);
        }
    }

    /**
     * Runs the rounds; {@code run.accept(s)} does one call of subject s.
     *
     * @return [subject][round]: the time of one call in units of {@code unitNanos} nanoseconds
     */
    static double[][] time(int subjects, int warmupRounds, int rounds, int callsPerRound, IntConsumer run,
            double unitNanos) {
        double[][] perCall = new double[subjects][rounds];
        for (int round = -warmupRounds; round < rounds; round++) {
            int first = Math.floorMod(round, subjects);
            for (int k = 0; k < subjects; k++) {
                int s = (first + k) % subjects;
                long start = System.nanoTime();
                for (int c = 0; c < callsPerRound; c++) {
                    run.accept(s);
                }
                long elapsed = System.nanoTime() - start;
                if (round >= 0) {
                    perCall[s][round] = elapsed / unitNanos / callsPerRound;
                }
            }
        }
        return perCall;
    }

    /** Puts the median of the paired ratios baseline[r] / mine[r] and the number of rounds where it is above 1. */
    static void putPaired(Map<String, Object> row, double[] baseline, double[] mine, String ratioKey,
            String fasterKey) {
        double[] ratios = new double[mine.length];
        int faster = 0;
        for (int r = 0; r < mine.length; r++) {
            ratios[r] = baseline[r] / mine[r];
            faster += ratios[r] > 1.0 ? 1 : 0;
        }
        row.put(ratioKey, median(ratios));
        row.put(fasterKey, faster);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}

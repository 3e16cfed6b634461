package org.dropkit.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dropout ops in interleaved rounds, the companion of the JMH op benchmarks as {@link InterleavedFitSteps} is of
 * the network ones: every round times each implementation back to back (the same number of calls each, starting
 * with a different one each round), so that DL4J's built-in and Dropkit share the load of that moment, and each
 * round gives a paired ratio, built-in time over Dropkit time. The output holds the median over rounds and how many
 * rounds Dropkit was the faster. The number of calls per round is set once per case so that the slowest
 * implementation's share of a round is about 60 ms.
 *
 * <p>Three ops, all in a workspace as a network in training has them (see {@link Workspaces}): {@code forward}, as
 * a DL4J layer calls {@code applyDropout} (a result array created in the INPUT workspace on every pass, see
 * {@link DropoutWorkload#forwardDl4jStyle}); {@code backward} alone, into a preallocated gradient array, from the
 * state one forward pass left (put back before each call, as {@link DropoutBackward} does: STORED and the built-in
 * multiply by their kept mask, RECOMPUTE regenerates it); and {@code forwardBackward}, forward into a preallocated
 * output then backward into a preallocated gradient array, as {@link DropoutForwardBackward}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.dropkit.benchmarks.InterleavedDropoutOps out.json
 * [shapes, default 64x160,1024x10000] [dtypes, default FLOAT,DOUBLE] [rounds, default 15]}. The build is
 * {@code NativeCpuBuild.select()}'s choice (or the one forced with {@code -Dorg.bytedeco.javacpp.platform.extension=}), the
 * thread count the process's OMP_NUM_THREADS; both are recorded.
 */
public final class InterleavedDropoutOps extends NativeBackend {

    private static final int WARMUP_ROUNDS = 3;
    private static final Impl[] IMPLS = {Impl.DL4J_DROPOUT, Impl.DROPKIT_BERNOULLI_RECOMPUTE,
        Impl.DROPKIT_BERNOULLI_STORED, Impl.DL4J_GAUSSIAN, Impl.DROPKIT_GAUSSIAN_RECOMPUTE,
        Impl.DROPKIT_GAUSSIAN_STORED};
    private static final String[] OPS = {"forward", "backward", "forwardBackward"};
    private static final double P = 0.8;
    private static final long ROUND_NANOS = 60_000_000L;
    /** Time each implementation runs on its own before the calls per round are set. */
    private static final long WARMUP_NANOS = 300_000_000L;

    private InterleavedDropoutOps() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: InterleavedDropoutOps OUT.json [SHAPES] [DTYPES] [ROUNDS]");
            System.exit(2);
        }
        Path out = Paths.get(args[0]);
        String[] shapes = (args.length > 1 ? args[1] : "64x160,1024x10000").split(",");
        String[] dtypes = (args.length > 2 ? args[2] : "FLOAT,DOUBLE").split(",");
        int rounds = Rounds.count(args, 3);
        checkBuild();
        Map<String, Object> result = Rounds.header(WARMUP_ROUNDS, rounds);
        result.put("p", P);
        List<Map<String, Object>> cases = new ArrayList<>();
        for (String dtype : dtypes) {
            for (String shape : shapes) {
                for (String op : OPS) {
                    cases.add(measure(op, shape.trim(), Shapes.dataType(dtype.trim()), rounds));
                }
            }
        }
        result.put("cases", cases);
        Rounds.write(out, result);
        System.out.println("interleaved dropout ops: " + out);
    }

    /** One implementation's arrays and workspaces, so that no two share memory or a pending pass. */
    private static final class Subject {
        final IDropout dropout;
        final LayerWorkspaceMgr mgr = Workspaces.layerInTraining();
        final INDArray x;
        final INDArray out;
        final INDArray dy;
        final INDArray dx;
        /** What one forward pass outside any workspace left for backward (a stored mask outlives it). */
        final Object afterForward;

        Subject(Impl impl, DataType type, long[] dims) {
            dropout = impl.create(P, dims.length);
            x = Shapes.random(type, dims, 42);
            out = Shapes.zeros(type, dims);
            dy = Shapes.random(type, dims, 43);
            dx = Shapes.zeros(type, dims);
            dropout.applyDropout(x, Shapes.zeros(type, dims), 0, 0, LayerWorkspaceMgr.noWorkspaces());
            afterForward = Impl.pendingState(dropout);
        }

        void call(String op) {
            if (op.equals("backward")) {
                Impl.restorePendingState(dropout, afterForward);
                try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
                        MemoryWorkspace bp = mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                    dropout.backprop(dy, dx, 0, 0);
                }
                return;
            }
            if (op.equals("forward")) {
                try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
                        MemoryWorkspace ff = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                    INDArray result = mgr.createUninitialized(ArrayType.INPUT, x.dataType(), x.shape(), x.ordering());
                    dropout.applyDropout(x, result, 0, 0, mgr);
                }
                return;
            }
            try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                try (MemoryWorkspace ff = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                    dropout.applyDropout(x, out, 0, 0, mgr);
                }
                try (MemoryWorkspace bp = mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                    dropout.backprop(dy, dx, 0, 0);
                }
            }
        }
    }

    private static Map<String, Object> measure(String op, String shape, DataType type, int rounds) {
        long[] dims = Shapes.parse(shape);
        Subject[] subjects = new Subject[IMPLS.length];
        for (int i = 0; i < IMPLS.length; i++) {
            subjects[i] = new Subject(IMPLS[i], type, dims);
        }
        // Calls per implementation and round: the slowest implementation's round takes about ROUND_NANOS (2 to 500
        // calls), so that a round is long against timer noise and the whole run stays short on a busy machine.
        // First each runs for WARMUP_NANOS, so that no implementation is calibrated (or measured in the first rounds)
        // while its code is still interpreted.
        for (Subject s : subjects) {
            long end = System.nanoTime() + WARMUP_NANOS;
            do {
                s.call(op);
            } while (System.nanoTime() < end);
        }
        long slowest = 1;
        for (int pass = 0; pass < 2; pass++) {
            for (Subject s : subjects) {
                long start = System.nanoTime();
                s.call(op);
                slowest = Math.max(slowest, pass == 1 ? System.nanoTime() - start : 1);
            }
        }
        int calls = (int) Math.max(2, Math.min(500, ROUND_NANOS / slowest));
        double[][] usPerCall = Rounds.time(IMPLS.length, WARMUP_ROUNDS, rounds, calls, i -> subjects[i].call(op), 1e3);
        List<Map<String, Object>> variants = new ArrayList<>();
        for (int i = 0; i < IMPLS.length; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("impl", IMPLS[i].name());
            row.put("medianUsPerCall", Rounds.median(usPerCall[i]));
            Impl baseline = IMPLS[i].baseline();
            if (baseline != null) {
                Rounds.putPaired(row, usPerCall[indexOf(baseline)], usPerCall[i], "medianRatioVsBuiltIn",
                        "roundsFasterThanBuiltIn");
            }
            row.put("usPerCallByRound", usPerCall[i]);
            variants.add(row);
        }
        for (Subject s : subjects) {
            s.dropout.clear();
        }
        Workspaces.destroyAll();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("op", op);
        result.put("shape", shape);
        result.put("dtype", type.name());
        result.put("callsPerRound", calls);
        result.put("variants", variants);
        StringBuilder line = new StringBuilder("# " + op + " " + shape + " " + type + ":");
        for (Map<String, Object> v : variants) {
            line.append(String.format(Locale.ROOT, " %s %.1f us%s", v.get("impl"), (Double) v.get("medianUsPerCall"),
                    v.containsKey("medianRatioVsBuiltIn")
                            ? String.format(Locale.ROOT, " (%.2fx)", (Double) v.get("medianRatioVsBuiltIn")) : ""));
        }
        System.out.println(line);
        return result;
    }

    private static int indexOf(Impl impl) {
        for (int i = 0; i < IMPLS.length; i++) {
            if (IMPLS[i] == impl) {
                return i;
            }
        }
        throw new IllegalArgumentException(impl.name());
    }
}

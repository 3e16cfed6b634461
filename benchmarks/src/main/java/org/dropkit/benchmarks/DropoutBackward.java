package org.dropkit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The backward pass alone: {@code dx = dy * m} with the mask of one forward pass made in setup. Every
 * implementation clears its state in backprop, so before each call the benchmark puts back, by reflection, what
 * the forward pass left (DL4J's {@code mask}/{@code noise} field, Dropkit's {@code pending} pass): a field write of
 * a few nanoseconds. With STORED masks backward is one multiplication; with RECOMPUTE it regenerates the mask.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g"})
public class DropoutBackward {

    @State(Scope.Thread)
    public static class Workload extends DropoutWorkload {
        INDArray dy;
        INDArray dx;
        Object afterForward;

        @Setup(Level.Trial)
        public void setUp() {
            init();
            INDArray x = Shapes.random(type, dims, 42);
            dy = Shapes.random(type, dims, 43);
            dx = Shapes.zeros(type, dims);
            // Outside any workspace, so that a stored mask outlives the setup; the backward call itself runs in the
            // working-memory workspace when workspace=true (where a recomputed shared mask's temporary goes).
            dropout.applyDropout(x, Shapes.zeros(type, dims), 0, 0, LayerWorkspaceMgr.noWorkspaces());
            afterForward = Impl.pendingState(dropout);
            if (afterForward == null) {
                throw new IllegalStateException("no pending state after a forward pass of " + dropout);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            tearDown();
        }
    }

    @Benchmark
    public INDArray backward(Workload w) {
        Impl.restorePendingState(w.dropout, w.afterForward);
        return w.backward(w.dy, w.dx);
    }
}

package org.dropkit.benchmarks;

import java.util.concurrent.TimeUnit;
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
 * The training forward pass of a dropout: {@code out = x * m} with a fresh mask each call. The headline,
 * {@link #trainingForwardDl4jStyle}, calls it as a DL4J layer does (a result array created in the INPUT workspace
 * on every pass); {@link #trainingForward} writes into one preallocated array. The input is never written.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g"})
public class DropoutForward {

    @State(Scope.Thread)
    public static class Workload extends DropoutWorkload {
        INDArray x;
        INDArray out;
        INDArray scratch;

        @Setup(Level.Trial)
        public void setUp() {
            init();
            x = Shapes.random(type, dims, 42);
            out = Shapes.zeros(type, dims);
            scratch = Shapes.zeros(type, dims);
        }

        @TearDown(Level.Trial)
        public void close() {
            tearDown();
        }
    }

    /**
     * x -> a result array created in the INPUT workspace of this pass, as DL4J's {@code AbstractLayer} does for a
     * network's first layer (input modification not allowed); see {@link DropoutWorkload#forwardDl4jStyle}.
     */
    @Benchmark
    public INDArray trainingForwardDl4jStyle(Workload w) {
        return w.forwardDl4jStyle(w.x);
    }

    /** x -> out, out preallocated once for the whole trial. */
    @Benchmark
    public INDArray trainingForward(Workload w) {
        return w.forward(w.x, w.out);
    }

    /**
     * In place, as DL4J does for every layer after the first: the scratch array is refilled from x (one copy, the
     * copy floor of the same shape) and then dropped out in place. Subtract the copy floor to read the in-place cost.
     */
    @Benchmark
    public INDArray trainingForwardInPlacePlusCopy(Workload w) {
        w.scratch.assign(w.x);
        return w.forward(w.scratch, w.scratch);
    }
}

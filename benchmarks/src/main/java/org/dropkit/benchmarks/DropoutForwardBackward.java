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
 * One training step of a dropout: forward {@code out = x * m}, then backward {@code dx = dy * m} with the same
 * mask, the activations workspace open across both as in a network. Neither input is written.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g"})
public class DropoutForwardBackward {

    @State(Scope.Thread)
    public static class Workload extends DropoutWorkload {
        INDArray x;
        INDArray out;
        INDArray dy;
        INDArray dx;

        @Setup(Level.Trial)
        public void setUp() {
            init();
            x = Shapes.random(type, dims, 42);
            out = Shapes.zeros(type, dims);
            dy = Shapes.random(type, dims, 43);
            dx = Shapes.zeros(type, dims);
        }

        @TearDown(Level.Trial)
        public void close() {
            tearDown();
        }
    }

    @Benchmark
    public INDArray forwardThenBackward(Workload w) {
        return w.forwardThenBackward(w.x, w.out, w.dy, w.dx);
    }
}

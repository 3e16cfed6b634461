package org.dropkit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Alpha dropout and Gaussian noise, Dropkit against DL4J's {@code AlphaDropout} and {@code GaussianNoise} in the same
 * run: the training forward pass ({@code x -> out}, x never written), the backward pass alone ({@code dy -> dx}, the
 * forward pass's state put back before each call, as {@link DropoutBackward} does), and forward then backward.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class FamilyPasses {

    @Benchmark
    public INDArray forward(FamilyWorkload w) {
        return w.forward();
    }

    @Benchmark
    public INDArray backward(FamilyWorkload w) {
        return w.backward();
    }

    @Benchmark
    public INDArray forwardThenBackward(FamilyWorkload w) {
        return w.forwardThenBackward();
    }
}

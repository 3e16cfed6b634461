package org.dropkit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code fit} step (forward, backward, Adam update) of a whole network on one minibatch, with no dropout, DL4J's
 * {@code Dropout} or Dropkit's Bernoulli {@code MaskDropout} (RECOMPUTE or STORED) on the same layers. See
 * {@link Networks} for the architectures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g"})
public class NetworkFitStep {

    @State(Scope.Thread)
    public static class Training extends NativeBackend {
        @Param({"MLP"})
        public Networks.Kind network;

        @Param({"DL4J_DROPOUT", "DROPKIT_RECOMPUTE"})
        public Networks.DropoutChoice dropout;

        /** The OMP_NUM_THREADS the fork runs with, "default" when unset; see {@link #checkOmpThreads}. */
        @Param({"default"})
        public String ompThreads;

        MultiLayerNetwork net;
        DataSet batch;

        @Setup(Level.Trial)
        public void setUp() {
            checkBuild();
            checkOmpThreads(ompThreads);
            net = Networks.build(network, dropout);
            batch = Networks.batch(network);
        }

        @TearDown(Level.Trial)
        public void close() {
            Workspaces.destroyAll();
        }
    }

    @Benchmark
    public MultiLayerNetwork fitOneMinibatch(Training t) {
        t.net.fit(t.batch);
        return t.net;
    }
}

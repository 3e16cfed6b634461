package org.dropkit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * DropBlock ({@code MaskDropout.dropBlock}) forward and backward at a CNN activation size. DL4J has no DropBlock, so
 * the baselines in the same run are Dropkit's own spatial Bernoulli dropout (one value per example and channel, the
 * cheapest structured mask) and element-wise Bernoulli dropout at the same keep probability, and the copy floor
 * {@code out.assign(x)} of the same array ({@link #copyFloor}).
 *
 * <p>Every pass runs in the workspaces DL4J opens for a layer in training ({@link Workspaces#layerInTraining()}):
 * temporaries (the seed map, the pooled blocks, a temporary mask) go to the working memory, a STORED mask to INPUT.
 * Outputs go to preallocated arrays; the input is never written.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar DropBlockPasses -f 1 -wi 3 -i 5 -w 1 -r 1
 * java -jar benchmarks/target/benchmarks.jar DropBlockPasses -p shape=32x256x14x14 -p blockSize=5   # a deeper map
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class DropBlockPasses {

    /** The dropouts compared; the DropBlock ones use the workload's block size, all use its keep probability. */
    public enum Variant {
        DROPBLOCK_RECOMPUTE, DROPBLOCK_STORED, DROPBLOCK_SHARED_CHANNELS, DROPBLOCK_PER_EXAMPLE, SPATIAL_BERNOULLI,
        BERNOULLI;

        MaskDropout create(double keep, int blockSize, CNN2DFormat format) {
            MaskDropout block = MaskDropout.dropBlock(keep, blockSize, format);
            switch (this) {
                case DROPBLOCK_RECOMPUTE:
                    return block;
                case DROPBLOCK_STORED:
                    return block.storage(MaskStorage.STORED);
                case DROPBLOCK_SHARED_CHANNELS:
                    return block.sharedAxes(format == CNN2DFormat.NCHW ? 1 : 3);
                case DROPBLOCK_PER_EXAMPLE:
                    return block.blockNormalization(org.dropkit.BlockNormalization.EXAMPLE);
                case SPATIAL_BERNOULLI:
                    return MaskDropout.bernoulli(keep).spatial(format);
                case BERNOULLI:
                    return MaskDropout.bernoulli(keep);
                default:
                    throw new AssertionError(this);
            }
        }
    }

    /** The arrays and the dropout of one variant. */
    @State(Scope.Thread)
    public static class Workload extends NativeBackend {
        /** N x C x H x W for NCHW; the same numbers are read as N x H x W x C for NHWC. */
        @Param({"32x64x32x32"})
        public String shape;

        @Param({"FLOAT"})
        public String dtype;

        @Param({"NCHW"})
        public String format;

        @Param({"0.9"})
        public double keep;

        @Param({"7"})
        public int blockSize;

        @Param({"DROPBLOCK_RECOMPUTE", "DROPBLOCK_STORED", "DROPBLOCK_SHARED_CHANNELS", "DROPBLOCK_PER_EXAMPLE",
                "SPATIAL_BERNOULLI", "BERNOULLI"})
        public Variant variant;

        MaskDropout dropout;
        LayerWorkspaceMgr mgr;
        INDArray x;
        INDArray out;
        INDArray dy;
        INDArray dx;

        @Setup(Level.Trial)
        public void setUp() {
            checkBuild();
            DataType type = Shapes.dataType(dtype);
            long[] dims = Shapes.parse(shape);
            CNN2DFormat f = CNN2DFormat.valueOf(format);
            if (f == CNN2DFormat.NHWC) {
                dims = new long[] {dims[0], dims[2], dims[3], dims[1]};
            }
            dropout = variant.create(keep, blockSize, f);
            mgr = Workspaces.layerInTraining();
            x = Shapes.random(type, dims, 42);
            dy = Shapes.random(type, dims, 43);
            out = Shapes.zeros(type, dims);
            dx = Shapes.zeros(type, dims);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            dropout.clear();
            Workspaces.destroyAll();
        }
    }

    /** A training forward pass, {@code out = x * m}. */
    @Benchmark
    public INDArray forward(Workload w) {
        try (MemoryWorkspace act = w.mgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
                MemoryWorkspace ff = w.mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            return w.dropout.applyDropout(w.x, w.out, 0, 0, w.mgr);
        }
    }

    /** A forward pass and its backward pass, {@code dx = dy * m}, with the activations workspace open across both. */
    @Benchmark
    public INDArray forwardThenBackward(Workload w) {
        try (MemoryWorkspace act = w.mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
            try (MemoryWorkspace ff = w.mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                w.dropout.applyDropout(w.x, w.out, 0, 0, w.mgr);
            }
            try (MemoryWorkspace bp = w.mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                return w.dropout.backprop(w.dy, w.dx, 0, 0);
            }
        }
    }

    /**
     * The backward pass alone: before each call (untimed, {@code Level.Invocation}: the passes take milliseconds) a
     * forward pass outside any workspace leaves the pending pass, so a STORED mask outlives the setup.
     */
    @State(Scope.Thread)
    public static class AfterForward extends Workload {
        @Setup(Level.Invocation)
        public void forwardPass() {
            dropout.applyDropout(x, out, 0, 0, LayerWorkspaceMgr.noWorkspaces());
        }
    }

    /** {@code dx = dy * m} with the mask of the forward pass run in setup (regenerated for RECOMPUTE). */
    @Benchmark
    public INDArray backward(AfterForward w) {
        try (MemoryWorkspace bp = w.mgr.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
            return w.dropout.backprop(w.dy, w.dx, 0, 0);
        }
    }

    /** The arrays of the copy floor: the workload's shape and type, without a dropout. */
    @State(Scope.Thread)
    public static class Floor extends NativeBackend {
        @Param({"32x64x32x32"})
        public String shape;

        @Param({"FLOAT"})
        public String dtype;

        INDArray x;
        INDArray out;

        @Setup(Level.Trial)
        public void setUp() {
            checkBuild();
            DataType type = Shapes.dataType(dtype);
            x = Shapes.random(type, Shapes.parse(shape), 42);
            out = Shapes.zeros(type, Shapes.parse(shape));
        }
    }

    /** {@code out.assign(x)}: read one array, write one, the least any forward pass does. */
    @Benchmark
    public INDArray copyFloor(Floor f) {
        return f.out.assign(f.x);
    }
}

package org.dropkit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.factory.Nd4j;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory floors every dropout result is read against: a copy {@code z.assign(x)} (read one array, write one),
 * a pairwise multiply {@code z = x * y} (read two, write one; what a backward pass with a stored mask costs), and
 * the cheapest random fill ND4J has, {@code UniformDistribution} into z (write one; the floor of any generated mask
 * on this backend).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g"})
public class MemoryFloor {

    @State(Scope.Thread)
    public static class Arrays extends NativeBackend {
        @Param({"1024x10000"})
        public String shape;

        @Param({"FLOAT"})
        public String dtype;

        INDArray x;
        INDArray y;
        INDArray z;

        @Setup(Level.Trial)
        public void setUp() {
            checkBuild();
            DataType type = Shapes.dataType(dtype);
            long[] dims = Shapes.parse(shape);
            x = Shapes.random(type, dims, 42);
            y = Shapes.random(type, dims, 43);
            z = Shapes.zeros(type, dims);
        }
    }

    @Benchmark
    public INDArray copy(Arrays a) {
        return a.z.assign(a.x);
    }

    @Benchmark
    public INDArray multiply(Arrays a) {
        Nd4j.getExecutioner().exec(new MulOp(a.x, a.y, a.z));
        return a.z;
    }

    @Benchmark
    public INDArray uniformFill(Arrays a) {
        Nd4j.getExecutioner().exec(new UniformDistribution(a.z, 0.0, 1.0));
        return a.z;
    }
}

package org.dropkit.benchmarks;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Cos;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sin;
import org.nd4j.linalg.api.ops.random.impl.AlphaDropOut;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.ops.random.impl.Choice;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
 * Not a comparison with DL4J: the building blocks of Dropkit's mask engine and candidate replacements, measured on
 * their own so that the cost of each pass and each op call can be read off (FLOAT, x never written, z
 * preallocated). {@code engine*} mirror what {@code MaskEngine.apply} does today; the others are alternatives.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class MaskKernels {

    @State(Scope.Thread)
    public static class Arrays extends NativeBackend {
        @Param({"64x160", "1024x10000"})
        public String shape;

        @Param({"0.8"})
        public double p;

        INDArray x;
        INDArray z;
        INDArray uniforms;
        INDArray choiceSource;
        INDArray choiceProbs;
        float scale;
        long seed = 1234567;
        FloatBuffer xb;
        FloatBuffer zb;
        ExecutorService pool;

        @Setup(Level.Trial)
        public void setUp() {
            checkBuild();
            long[] dims = Shapes.parse(shape);
            x = Shapes.random(DataType.FLOAT, dims, 42);
            z = Shapes.zeros(DataType.FLOAT, dims);
            uniforms = Nd4j.create(DataType.FLOAT, z.length());
            scale = (float) (1.0 / p);
            choiceSource = Nd4j.createFromArray(0f, scale);
            choiceProbs = Nd4j.createFromArray((float) (1 - p), (float) p);
            xb = x.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            zb = z.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            pool = Executors.newFixedThreadPool(2);
        }

        @TearDown(Level.Trial)
        public void close() {
            pool.shutdownNow();
        }

        void seeded(org.nd4j.linalg.api.ops.RandomOp op) {
            Random rng = Nd4j.getRandom();
            long root = rng.rootState();
            long node = rng.nodeState();
            rng.setStates(seed, seed ^ 0xdeadbeefL);
            Nd4j.getExecutioner().exec(op, rng);
            rng.setStates(root, node);
        }
    }

    /** Today's Bernoulli forward: draw 0/1 into z, z = x * z, z *= 1/p (three passes, three op calls). */
    @Benchmark
    public INDArray engineBernoulliDrawMulScale(Arrays a) {
        a.seeded(new BernoulliDistribution(a.z, a.p));
        Nd4j.getExecutioner().exec(new MulOp(a.x, a.z, a.z));
        return a.z.muli(a.scale);
    }

    /** The draw alone. */
    @Benchmark
    public INDArray engineBernoulliDrawOnly(Arrays a) {
        a.seeded(new BernoulliDistribution(a.z, a.p));
        return a.z;
    }

    /** The scale pass alone, z *= 1/p. */
    @Benchmark
    public INDArray engineScaleOnly(Arrays a) {
        return a.z.muli(a.scale);
    }

    /** The RNG bookkeeping per mask: seed, save, set, restore (no op). */
    @Benchmark
    public long engineRngBookkeeping(Arrays a) {
        Random rng = Nd4j.getRandom();
        long s = rng.nextLong();
        long root = rng.rootState();
        long node = rng.nodeState();
        rng.setStates(s, s ^ 0xdeadbeefL);
        rng.setStates(root, node);
        return s;
    }

    /** Draw and multiply with the scale folded away: what a kernel that draws {0, 1/p} directly would cost. */
    @Benchmark
    public INDArray candidateBernoulliDrawMulNoScale(Arrays a) {
        a.seeded(new BernoulliDistribution(a.z, a.p));
        Nd4j.getExecutioner().exec(new MulOp(a.x, a.z, a.z));
        return a.z;
    }

    /** Choice draws {0, 1/p} with probabilities {1-p, p} in one op, then one multiply: two passes. */
    @Benchmark
    public INDArray candidateChoiceMaskThenMul(Arrays a) {
        a.seeded(new Choice(a.choiceSource, a.choiceProbs, a.z));
        Nd4j.getExecutioner().exec(new MulOp(a.x, a.z, a.z));
        return a.z;
    }

    /** One pass x -> z with the legacy DropOutInverted kernel (keep iff u < p, x / p). */
    @Benchmark
    public INDArray candidateDropOutInvertedOnePass(Arrays a) {
        a.seeded(new DropOutInverted(a.x, a.z, a.p));
        return a.z;
    }

    /** One pass x -> z with the legacy AlphaDropOut kernel as inverted dropout: a = 1/p, b = 0, alpha' = 0. */
    @Benchmark
    public INDArray candidateAlphaDropOutOnePass(Arrays a) {
        a.seeded(new AlphaDropOut(a.x, a.z, a.p, 1.0 / a.p, 0.0, 0.0));
        return a.z;
    }

    /**
     * Today's three passes, but over blocks of 2^20 elements (4 MB for FLOAT) so that the second and third pass
     * hit the cache: each block gets its own seed (seed + block index), so the mask stays a function of (seed,
     * element index) only. Three op calls per block.
     */
    @Benchmark
    public INDArray candidateBlockedDrawMulScale1M(Arrays a) {
        return blocked(a, 1 << 20);
    }

    private static INDArray blocked(Arrays a, long block) {
        long n = a.x.length();
        if (n <= block) {
            return engine(a, a.x, a.z, a.seed);
        }
        INDArray xf = a.x.reshape(n);
        INDArray zf = a.z.reshape(n);
        for (long from = 0, b = 0; from < n; from += block, b++) {
            org.nd4j.linalg.indexing.INDArrayIndex range =
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(from, Math.min(n, from + block));
            engine(a, xf.get(range), zf.get(range), a.seed + b);
        }
        return a.z;
    }

    private static INDArray engine(Arrays a, INDArray x, INDArray z, long seed) {
        Random rng = Nd4j.getRandom();
        long root = rng.rootState();
        long node = rng.nodeState();
        rng.setStates(seed, seed ^ 0xdeadbeefL);
        Nd4j.getExecutioner().exec(new BernoulliDistribution(z, a.p), rng);
        rng.setStates(root, node);
        Nd4j.getExecutioner().exec(new MulOp(x, z, z));
        return z.muli(a.scale);
    }

    /** Gaussian N(1, sigma^2) draw alone: the cost Dropkit and DL4J's GaussianDropout share. */
    @Benchmark
    public INDArray engineGaussianDrawOnly(Arrays a) {
        a.seeded(new GaussianDistribution(a.z, 1.0, Math.sqrt((1 - a.p) / a.p)));
        return a.z;
    }

    /**
     * The same N(1, sigma^2) noise built from uniforms with ND4J transform ops (Box-Muller): u, v ~ U(0, 1) in the two
     * halves of a scratch array, r = sigma * sqrt(-2 ln(1 - u)), then z = 1 + r cos(2 pi v) in the first half of z and
     * 1 + r sin(2 pi v) in the second. Ten op calls, each on half the elements: the candidate for a faster Gaussian
     * mask than {@code GaussianDistribution}.
     */
    @Benchmark
    public INDArray candidateGaussianBoxMuller(Arrays a) {
        long n = a.z.length();
        if (n % 2 != 0) {
            throw new IllegalStateException("Box-Muller pairs elements: shape " + a.shape + " has an odd length");
        }
        double sigma = Math.sqrt((1 - a.p) / a.p);
        a.seeded(new UniformDistribution(a.uniforms, 0.0, 1.0));
        INDArray u = a.uniforms.get(NDArrayIndex.interval(0, n / 2));
        INDArray v = a.uniforms.get(NDArrayIndex.interval(n / 2, n));
        INDArray flat = a.z.reshape(n);
        INDArray first = flat.get(NDArrayIndex.interval(0, n / 2));
        INDArray second = flat.get(NDArrayIndex.interval(n / 2, n));
        u.rsubi(1.0); // (0, 1]: log stays finite
        Nd4j.getExecutioner().exec(new Log(u, u));
        u.muli(-2.0 * sigma * sigma);
        Nd4j.getExecutioner().exec(new Sqrt(u, u));
        v.muli(2.0 * Math.PI);
        Nd4j.getExecutioner().exec(new Cos(v, first));
        Nd4j.getExecutioner().exec(new Sin(v, second));
        first.muli(u);
        second.muli(u);
        return flat.addi(1.0);
    }

    /**
     * One pass in Java, x -> z, two threads above 64K elements: keep element i iff a 32-bit counter hash of (seed,
     * i) is below p * 2^31, z = x * (1/p) or x * 0f (Dropkit's formula). 4096-element blocks are copied through
     * float[] with bulk get/put and the select is branch-free, for C2's auto-vectorizer. A sketch of a CPU fast
     * path with its own generator (not ND4J's), to see whether plain Java can beat three ND4J passes.
     */
    @Benchmark
    public INDArray candidateJavaOnePass(Arrays a) throws Exception {
        int n = a.xb.capacity();
        int threshold = (int) Math.min(0x7fffffffL, (long) (a.p * 2147483648.0));
        int seedLo = (int) a.seed;
        int seedHi = (int) (a.seed >>> 32);
        if (n < 65536) {
            fusedBlocks(a.xb, a.zb, 0, n, seedLo, seedHi, threshold, a.scale);
            return a.z;
        }
        int half = (n / 2) & ~4095;
        Future<?> f = a.pool.submit(() -> fusedBlocks(a.xb, a.zb, half, n, seedLo, seedHi, threshold, a.scale));
        fusedBlocks(a.xb, a.zb, 0, half, seedLo, seedHi, threshold, a.scale);
        f.get();
        return a.z;
    }

    private static final ThreadLocal<float[][]> BLOCKS = ThreadLocal.withInitial(() -> new float[2][4096]);

    private static void fusedBlocks(FloatBuffer x, FloatBuffer z, int from, int to, int seedLo, int seedHi,
            int threshold, float s) {
        float[][] b = BLOCKS.get();
        float[] xs = b[0];
        float[] zs = b[1];
        FloatBuffer xd = x.duplicate();
        FloatBuffer zd = z.duplicate();
        xd.position(from);
        zd.position(from);
        for (int base = from; base < to; base += 4096) {
            int len = Math.min(4096, to - base);
            xd.get(xs, 0, len);
            for (int j = 0; j < len; j++) {
                int h = (base + j) * 0x9E3779B9 + seedLo;
                h ^= h >>> 16;
                h *= 0x85EBCA6B;
                h ^= seedHi;
                h ^= h >>> 13;
                h *= 0xC2B2AE35;
                h ^= h >>> 16;
                int keep = ((h >>> 1) - threshold) >>> 31; // 1 when the 31-bit uniform is below p * 2^31
                zs[j] = xs[j] * (keep * s);
            }
            zd.put(zs, 0, len);
        }
    }
}

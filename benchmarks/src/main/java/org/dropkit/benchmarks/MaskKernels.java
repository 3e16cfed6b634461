package org.dropkit.benchmarks;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Not a comparison with DL4J: Dropkit's mask engine, its ND4J-op path and candidate replacements, measured on their
 * own so that the cost of each pass and each op call can be read off (FLOAT, x never written, z preallocated).
 * {@code engine*} call {@code MaskEngine} itself (on this backend: the CPU generator, one pass in Java);
 * {@code nd4j*} are the pieces of the ND4J-op path it takes on other backends (CUDA) and for HALF/BFLOAT16;
 * {@code candidate*} are alternatives. The Gaussian candidates run on the calling thread; {@code run} gives this
 * slice OMP_NUM_THREADS=1, so that ND4J's ops and the engine use one thread too and every row is per thread.
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
        float sigma;
        long seed = 1234567;
        FloatBuffer zb;
        float[] chunk;
        MaskSpec bernoulli;
        MaskSpec gaussian;

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
            sigma = (float) Math.sqrt((1 - p) / p);
            zb = z.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            chunk = new float[GaussianCandidates.CHUNK];
            bernoulli = MaskSpec.of(MaskKind.BERNOULLI, p, Scaling.INVERTED, new int[0]);
            gaussian = MaskSpec.of(MaskKind.GAUSSIAN, p, Scaling.INVERTED, new int[0]);
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

    /** The engine's Bernoulli forward, z = x * m: on this backend one pass in Java, no op call. */
    @Benchmark
    public INDArray engineBernoulliForward(Arrays a) {
        return MaskEngine.apply(a.bernoulli, a.seed, a.x, a.z);
    }

    /** The engine's Gaussian forward, z = x * m. */
    @Benchmark
    public INDArray engineGaussianForward(Arrays a) {
        return MaskEngine.apply(a.gaussian, a.seed, a.x, a.z);
    }

    /** The engine's Gaussian mask alone, z = m (what a STORED mask costs; the generator Dropkit chose). */
    @Benchmark
    public INDArray engineGaussianFill(Arrays a) {
        return MaskEngine.fill(a.gaussian, a.seed, a.z);
    }

    /** The ND4J-op Bernoulli forward: draw 0/1 into z, z = x * z, z *= 1/p (three passes, three op calls). */
    @Benchmark
    public INDArray nd4jBernoulliDrawMulScale(Arrays a) {
        a.seeded(new BernoulliDistribution(a.z, a.p));
        Nd4j.getExecutioner().exec(new MulOp(a.x, a.z, a.z));
        return a.z.muli(a.scale);
    }

    /** The draw alone. */
    @Benchmark
    public INDArray nd4jBernoulliDrawOnly(Arrays a) {
        a.seeded(new BernoulliDistribution(a.z, a.p));
        return a.z;
    }

    /** The scale pass alone, z *= 1/p. */
    @Benchmark
    public INDArray nd4jScaleOnly(Arrays a) {
        return a.z.muli(a.scale);
    }

    /** The RNG bookkeeping per mask: seed, save, set, restore (no op). */
    @Benchmark
    public long nd4jRngBookkeeping(Arrays a) {
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
     * The ND4J-op path's three passes, but over blocks of 2^20 elements (4 MB for FLOAT) so that the second and third pass
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
            return nd4jThreePasses(a, a.x, a.z, a.seed);
        }
        INDArray xf = a.x.reshape(n);
        INDArray zf = a.z.reshape(n);
        for (long from = 0, b = 0; from < n; from += block, b++) {
            org.nd4j.linalg.indexing.INDArrayIndex range =
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(from, Math.min(n, from + block));
            nd4jThreePasses(a, xf.get(range), zf.get(range), a.seed + b);
        }
        return a.z;
    }

    private static INDArray nd4jThreePasses(Arrays a, INDArray x, INDArray z, long seed) {
        Random rng = Nd4j.getRandom();
        long root = rng.rootState();
        long node = rng.nodeState();
        rng.setStates(seed, seed ^ 0xdeadbeefL);
        Nd4j.getExecutioner().exec(new BernoulliDistribution(z, a.p), rng);
        rng.setStates(root, node);
        Nd4j.getExecutioner().exec(new MulOp(x, z, z));
        return z.muli(a.scale);
    }

    /** ND4J's Gaussian N(1, sigma^2) draw alone: what DL4J's GaussianDropout pays (and Dropkit on CUDA). */
    @Benchmark
    public INDArray nd4jGaussianDrawOnly(Arrays a) {
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

    /** Apache Commons RNG's ZigguratSampler over XoRoShiRo128++ restarted per block: one thread. */
    @Benchmark
    public INDArray candidateGaussianCommonsRngZiggurat(Arrays a) {
        GaussianCandidates.commonsRngZiggurat(a.zb, (int) a.z.length(), a.seed, a.sigma, a.chunk);
        return a.z;
    }

    /** A classic 256-layer ziggurat on counter-hashed bits: one thread. */
    @Benchmark
    public INDArray candidateGaussianCounterZiggurat(Arrays a) {
        GaussianCandidates.counterZiggurat(a.zb, (int) a.z.length(), a.seed, a.sigma, a.chunk);
        return a.z;
    }

    /** Box-Muller with Math.log, Math.cos, Math.sin on counter-hashed bits, scalar: one thread. */
    @Benchmark
    public INDArray candidateGaussianScalarBoxMuller(Arrays a) {
        GaussianCandidates.scalarBoxMuller(a.zb, (int) a.z.length(), a.seed, a.sigma, a.chunk);
        return a.z;
    }
}

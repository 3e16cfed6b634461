package org.dropkit.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import org.dropkit.MaskKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mask engine's CPU path: masks generated in Java ({@link MaskChunks}) and applied straight in the arrays'
 * native buffers, for FLOAT and DOUBLE arrays in host memory (the nd4j-native backend). Other backends (CUDA) and
 * other data types (HALF, BFLOAT16) keep ND4J's random ops; {@link MaskEngine} asks here first. The forward passes of
 * alpha dropout ({@code (x - alpha') * m + c}) and additive noise ({@code x + sigma z}) are the same single pass
 * with another combining step ({@link Recipe#combine}).
 *
 * <p>Why not ND4J's ops on the CPU: its {@code GaussianDistribution} costs about 15 ns per element per thread, and
 * every op call about 10 us, which decides the time of small layers. Here a pass is one sweep over memory and no op
 * call: the input is read a chunk at a time into a per-thread array, multiplied by the chunk's mask and written to
 * the output; or, for mid-sized Bernoulli passes on one thread, the mask is written alone and ND4J's multiply applies
 * it ({@link #TWO_STEP_MIN}).
 *
 * <p><b>Determinism.</b> The mask value of logical element i (c-order) is a function of the seed and i only:
 * arrays are taken only when their buffer order is c-order, work is split into blocks of {@value #BLOCK} elements
 * that any thread may compute, and each chunk's values come from counter streams keyed by the seed. So c and f
 * order, views, one or many threads, forward and recomputing backward all see the same mask. DOUBLE masks are the
 * FLOAT masks' decisions and values at double precision: a Bernoulli mask keeps the same elements with the value
 * (double) (1/p); a Gaussian mask, and additive noise, hold the FLOAT values widened, exactly.
 *
 * <p>A pass allocates no array: the chunk arrays are per thread and reused; it makes only a few small objects (the
 * buffers' NIO views, and a job record when it runs on several threads).
 */
final class HostMasks {

    /** Elements per block, the unit of work a thread claims: 16 chunks, 256 KiB of FLOAT. */
    static final int BLOCK = 16 * MaskChunks.CHUNK;
    /** Arrays of at least this many elements are split over threads (ND4J's thread count, at most). */
    static final long PARALLEL_MIN = 2L * BLOCK;
    /**
     * {@link #multiply} (a kept mask times an array, nothing to generate) runs in Java only up to this many elements,
     * where ND4J's per-op cost dominates; above it ND4J's vectorized multiply is faster. Measured with
     * {@code benchmarks/run --quick} (STORED backward, FLOAT, AVX-512, 2 threads): 4.73 us in Java against 15.0 us for
     * ND4J's multiply at 1e4 elements, 6.26 ms against 4.36 ms at 1e7; the lines cross near 6e4. The product is the
     * same either way (one IEEE multiplication per element), so the choice changes no bit.
     */
    static final long MULTIPLY_MAX = 1L << 16;
    /**
     * Bernoulli passes {@code z = x * m} (dropout's multiply, every backward pass) over at least this many elements
     * and at most {@link #TWO_STEP_MAX_BYTES} of data, on one thread, write the mask alone, as its float bits with no
     * cast in Java, and let ND4J's vectorized multiply apply it ({@link #pass}), rather than doing both in one Java
     * sweep, which pays two bulk copies per chunk between native and Java memory besides the cast. The mask goes into
     * z when z is not x, or into a spare array the caller no longer needs (DropConnect's released W'); in place
     * without one the pass stays one sweep (a temporary's extra write and read cost what the two steps save).
     * Measured (AVX2 EPYC, JDK 17, FLOAT, one thread, fused vs two-step interleaved in one process, medians of 16
     * rounds): 1.4x to 1.6x faster from 7e4 to 1e6 elements, 1.2x to 1.4x at 2^21; from main memory the extra traffic
     * of the mask costs what it saves. Not on two threads, where the Java fill and ND4J's OpenMP multiply contend for
     * the cores and it measured 0.8x to 1.2x; not for Gaussian masks, whose generation dominates either way (0.96x to
     * 1.05x).
     */
    static final long TWO_STEP_MIN = MULTIPLY_MAX + 1;
    /** See {@link #TWO_STEP_MIN}: 8 MiB, 2^21 FLOAT elements, well inside a server CPU's last-level cache. */
    static final long TWO_STEP_MAX_BYTES = 8L << 20;

    private static volatile Boolean cpuBackend;

    private HostMasks() {
    }

    /**
     * Whether masks for arrays of this type are made here: on the CPU backend, for FLOAT and DOUBLE. Everything
     * else (CUDA arrays, HALF, BFLOAT16) goes through ND4J's random ops.
     */
    static boolean appliesTo(boolean cpu, DataType type) {
        return cpu && (type == DataType.FLOAT || type == DataType.DOUBLE);
    }

    /** True when ND4J runs on the CPU backend (nd4j-native): arrays live in host memory. Checked once. */
    static boolean cpuBackend() {
        Boolean c = cpuBackend;
        if (c == null) {
            c = Nd4j.getEnvironment().isCPU();
            cpuBackend = c;
        }
        return c;
    }

    /** An array this path can read or write in place: host memory, FLOAT/DOUBLE, buffer order = c-order. */
    static boolean accessible(INDArray a) {
        if (!appliesTo(cpuBackend(), a.dataType()) || !MaskEngine.isCContiguous(a)) {
            return false;
        }
        long end = a.offset() + a.length();
        return end <= Integer.MAX_VALUE / a.dataType().width();
    }

    /** The threads a pass over n elements uses: ND4J's own limit (OMP_NUM_THREADS), 1 below {@link #PARALLEL_MIN}. */
    static int threadsFor(long n) {
        return n < PARALLEL_MIN ? 1 : Math.max(1, Nd4j.getEnvironment().maxMasterThreads());
    }

    // ------------------------------------------------------------------------------------------------------------
    // The operations of MaskEngine. Each returns false, having done nothing, when it does not apply.

    /** {@code z = x * m} with the element-wise mask of (spec, seed); x and z of one shape, z may be x. */
    static boolean apply(MaskSpec spec, long seed, INDArray x, INDArray z) {
        return pass(spec, seed, false, x, z, null);
    }

    /**
     * {@link #apply}, given an array whose contents may be overwritten (of z's shape and type, sharing no memory
     * with x or z), where the mask can be written when x and z are one array (see {@link #TWO_STEP_MIN}).
     */
    static boolean apply(MaskSpec spec, long seed, INDArray x, INDArray z, INDArray spare) {
        return pass(spec, seed, false, x, z, spare);
    }

    /**
     * The training forward pass in one sweep: {@code z = x * m} for BERNOULLI and GAUSSIAN, {@code z = (x - alpha') *
     * m + c} for ALPHA, {@code z = x + n} for GAUSSIAN_NOISE; element-wise (no shared axes), x and z of one shape and
     * type, z may be x. ALPHA's three operations are each rounded to the data type, in the order of the ND4J ops
     * (scalar subtraction, multiplication, scalar addition) that compute it otherwise, so both give the same bits.
     */
    static boolean forward(MaskSpec spec, long seed, INDArray x, INDArray z) {
        return pass(spec, seed, true, x, z, null);
    }

    private static boolean pass(MaskSpec spec, long seed, boolean forward, INDArray x, INDArray z, INDArray spare) {
        if (spec.isShared() || x.dataType() != z.dataType() || !accessible(x) || !accessible(z)) {
            return false;
        }
        Recipe recipe = new Recipe(spec, seed, forward);
        int threads = threadsFor(z.length());
        INDArray maskTarget = twoSteps(spec, forward, z) ? maskTarget(x, z, spare) : null;
        if (maskTarget != null) {
            run(recipe, null, null, maskTarget, threads);
            MaskEngine.multiply(x, maskTarget, z);
        } else {
            run(recipe, x, null, z, threads);
        }
        return true;
    }

    /**
     * Whether {@link #pass} over z with this spec is made in two steps, given a place for the mask
     * ({@link #maskTarget}): an element-wise multiplying pass with Bernoulli decisions, in {@link #inTwoStepRange}.
     * The one condition, for the pass and for {@link MaskEngine#takesTwoSteps}.
     */
    static boolean twoSteps(MaskSpec spec, boolean forward, INDArray z) {
        return !spec.isShared() && multiplies(spec, forward) && spec.bernoulliDecisions() && inTwoStepRange(z);
    }

    /** True for a pass {@code z = x * m}: not ALPHA's training forward pass, not additive noise. */
    private static boolean multiplies(MaskSpec spec, boolean forward) {
        return !spec.isAdditive() && !(forward && spec.kind() == MaskKind.ALPHA);
    }

    /**
     * Whether a multiplying pass over z may be made in two steps: between {@link #TWO_STEP_MIN} elements and
     * {@link #TWO_STEP_MAX_BYTES}, on one thread.
     */
    static boolean inTwoStepRange(INDArray z) {
        long n = z.length();
        return n >= TWO_STEP_MIN && n * z.dataType().width() <= TWO_STEP_MAX_BYTES && threadsFor(n) == 1;
    }

    /**
     * Where the two-step pass writes the mask: z itself when it shares no memory with x, else the spare array if it
     * fits; null (one sweep) otherwise.
     */
    private static INDArray maskTarget(INDArray x, INDArray z, INDArray spare) {
        if (!overlap(x, z)) {
            return z;
        }
        if (spare != null && spare.dataType() == z.dataType() && Arrays.equals(spare.shape(), z.shape())
                && accessible(spare) && !overlap(spare, x) && !overlap(spare, z)) {
            return spare;
        }
        return null;
    }

    /** True when the elements of two accessible arrays share any byte of memory. */
    static boolean overlap(INDArray a, INDArray b) {
        long aWidth = a.dataType().width();
        long bWidth = b.dataType().width();
        long aStart = a.data().address() + a.offset() * aWidth;
        long bStart = b.data().address() + b.offset() * bWidth;
        return aStart < bStart + b.length() * bWidth && bStart < aStart + a.length() * aWidth;
    }

    /**
     * Writes the mask of (spec, seed) into target, whose shape is the mask's shape; for GAUSSIAN_NOISE, the noise
     * (the temporary that a shared or non-c-order pass adds).
     */
    static boolean fill(MaskSpec spec, long seed, INDArray target) {
        if (!accessible(target)) {
            return false;
        }
        run(new Recipe(spec, seed, false), null, null, target, threadsFor(target.length()));
        return true;
    }

    /**
     * {@code z = x}, bit for bit, for two arrays of one shape and type up to {@link #MULTIPLY_MAX} elements: one bulk
     * copy between the native buffers, without an ND4J op call, which costs more than the copy at that size (the
     * backward pass of additive noise, dx = dy, at 1e4 FLOAT elements: ND4J's {@code assign} 2.6 us). z is not x.
     */
    static boolean copy(INDArray x, INDArray z) {
        long n = z.length();
        if (n > MULTIPLY_MAX || x == z || x.dataType() != z.dataType() || !Arrays.equals(x.shape(), z.shape())
                || !accessible(x) || !accessible(z)) {
            return false;
        }
        int width = z.dataType().width();
        ByteBuffer from = x.data().asNio().duplicate();
        from.position((int) (x.offset() * width)).limit((int) ((x.offset() + n) * width));
        ByteBuffer to = z.data().asNio().duplicate();
        to.position((int) (z.offset() * width));
        to.put(from);
        return true;
    }

    /** {@code z = x * m} for three arrays of one shape and type; z may be x. */
    static boolean multiply(INDArray x, INDArray m, INDArray z) {
        if (z.length() > MULTIPLY_MAX || x.dataType() != z.dataType() || m.dataType() != z.dataType()
                || !Arrays.equals(x.shape(), m.shape()) || !Arrays.equals(x.shape(), z.shape()) || !accessible(x)
                || !accessible(m) || !accessible(z)) {
            return false;
        }
        run(null, x, m, z, threadsFor(z.length()));
        return true;
    }

    /** Test hook: {@link #apply} or {@link #fill} (x null) on exactly the given number of threads. */
    static void applyOnThreads(MaskSpec spec, long seed, INDArray x, INDArray z, int threads) {
        onThreads(spec, seed, false, x, z, threads);
    }

    /** Test hook: {@link #forward} on exactly the given number of threads. */
    static void forwardOnThreads(MaskSpec spec, long seed, INDArray x, INDArray z, int threads) {
        onThreads(spec, seed, true, x, z, threads);
    }

    private static void onThreads(MaskSpec spec, long seed, boolean forward, INDArray x, INDArray z, int threads) {
        if ((x != null && !accessible(x)) || !accessible(z) || spec.isShared() && x != null) {
            throw new IllegalArgumentException("not a host-mask case: " + x + ", " + z);
        }
        run(new Recipe(spec, seed, forward), x, null, z, threads);
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * One pass over z: z = x (op) mask (recipe and x: see {@link Recipe#combine}), z = mask (recipe only), or
     * z = x * m (m, no recipe). Blocks of {@link #BLOCK} elements, each a sequence of chunks.
     */
    private static void run(Recipe recipe, INDArray x, INDArray m, INDArray z, int threads) {
        long n = z.length();
        if (n == 0) {
            return;
        }
        int blocks = (int) ((n + BLOCK - 1) / BLOCK);
        if (z.dataType() == DataType.FLOAT) {
            long zo = z.offset();
            if (x == null && recipe != null && recipe.bernoulliDecisions()) {
                IntBuffer zi = z.data().asNio().order(ByteOrder.nativeOrder()).asIntBuffer();
                BlockPool.run(blocks, threads, b -> bitsBlock(recipe, zi, zo, n, b));
                return;
            }
            FloatBuffer zb = floats(z);
            FloatBuffer xb = x == null ? null : floats(x);
            FloatBuffer mb = m == null ? null : floats(m);
            long xo = x == null ? 0 : x.offset();
            long mo = m == null ? 0 : m.offset();
            BlockPool.run(blocks, threads, b -> floatBlock(recipe, xb, xo, mb, mo, zb, zo, n, b));
        } else {
            DoubleBuffer zb = doubles(z);
            DoubleBuffer xb = x == null ? null : doubles(x);
            DoubleBuffer mb = m == null ? null : doubles(m);
            long xo = x == null ? 0 : x.offset();
            long mo = m == null ? 0 : m.offset();
            long zo = z.offset();
            BlockPool.run(blocks, threads, b -> doubleBlock(recipe, xb, xo, mb, mo, zb, zo, n, b));
        }
    }

    private static void floatBlock(Recipe recipe, FloatBuffer xs, long xo, FloatBuffer ms, long mo, FloatBuffer zs,
            long zo, long n, int block) {
        MaskChunks chunks = MaskChunks.get();
        FloatBuffer x = xs == null ? null : xs.duplicate();
        FloatBuffer m = ms == null ? null : ms.duplicate();
        FloatBuffer z = zs.duplicate();
        float[] values = chunks.floats;
        float[] mask = chunks.mask;
        long first = (long) block * BLOCK;
        long end = Math.min(n, first + BLOCK);
        for (long start = first; start < end; start += MaskChunks.CHUNK) {
            int len = (int) Math.min(MaskChunks.CHUNK, end - start);
            if (recipe != null) {
                recipe.floatMask(chunks, start / MaskChunks.CHUNK, mask);
            } else {
                m.position((int) (mo + start));
                m.get(mask, 0, len);
            }
            float[] out = mask;
            if (x != null) {
                x.position((int) (xo + start));
                x.get(values, 0, len);
                if (recipe == null) {
                    for (int j = 0; j < len; j++) {
                        values[j] *= mask[j];
                    }
                } else {
                    recipe.combine(values, mask, len);
                }
                out = values;
            }
            z.position((int) (zo + start));
            z.put(out, 0, len);
        }
    }

    /** A FLOAT Bernoulli mask alone: each chunk's mask bits written as ints, with no cast to float in Java. */
    private static void bitsBlock(Recipe recipe, IntBuffer zs, long zo, long n, int block) {
        MaskChunks chunks = MaskChunks.get();
        IntBuffer z = zs.duplicate();
        long first = (long) block * BLOCK;
        long end = Math.min(n, first + BLOCK);
        for (long start = first; start < end; start += MaskChunks.CHUNK) {
            int len = (int) Math.min(MaskChunks.CHUNK, end - start);
            z.position((int) (zo + start));
            z.put(recipe.floatMaskBits(chunks, start / MaskChunks.CHUNK), 0, len);
        }
    }

    private static void doubleBlock(Recipe recipe, DoubleBuffer xs, long xo, DoubleBuffer ms, long mo,
            DoubleBuffer zs, long zo, long n, int block) {
        MaskChunks chunks = MaskChunks.get();
        DoubleBuffer x = xs == null ? null : xs.duplicate();
        DoubleBuffer m = ms == null ? null : ms.duplicate();
        DoubleBuffer z = zs.duplicate();
        double[] values = chunks.doubles;
        double[] mask = chunks.doubleProducts;
        long first = (long) block * BLOCK;
        long end = Math.min(n, first + BLOCK);
        for (long start = first; start < end; start += MaskChunks.CHUNK) {
            int len = (int) Math.min(MaskChunks.CHUNK, end - start);
            if (recipe != null) {
                recipe.doubleMask(chunks, start / MaskChunks.CHUNK, mask);
            } else {
                m.position((int) (mo + start));
                m.get(mask, 0, len);
            }
            double[] out = mask;
            if (x != null) {
                x.position((int) (xo + start));
                x.get(values, 0, len);
                if (recipe == null) {
                    for (int j = 0; j < len; j++) {
                        values[j] *= mask[j];
                    }
                } else {
                    recipe.combine(values, mask, len);
                }
                out = values;
            }
            z.position((int) (zo + start));
            z.put(out, 0, len);
        }
    }

    private static FloatBuffer floats(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static DoubleBuffer doubles(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    /**
     * What one pass's mask is (kind and parameters from the spec, stream keys from the seed) and how it meets the
     * input: multiplied, multiplied after alpha dropout's shift and followed by its constant, or added (noise).
     */
    static final class Recipe {
        private static final int MULTIPLY = 0;
        private static final int ALPHA = 1;
        private static final int ADD = 2;

        private final boolean gaussian;
        private final int op;
        private final long key;
        private final long angleKey;
        /** BERNOULLI decisions: round(p * 2^31) as an int (see {@link MaskChunks#bernoulli}). */
        private final int threshold;
        private final float keptFloat;
        private final double keptDouble;
        private final float sigma;
        /** ALPHA forward: (T) alpha' subtracted before the multiplication, (T) c added after it. */
        private final float shiftFloat;
        private final double shiftDouble;
        private final float offsetFloat;
        private final double offsetDouble;

        /**
         * @param forward true for the training forward pass ({@link #forward}): ALPHA applies its affine correction,
         *                GAUSSIAN_NOISE adds; false for {@code x * m} (forward of BERNOULLI and GAUSSIAN, every
         *                backward pass) and for masks alone
         */
        Recipe(MaskSpec spec, long seed, boolean forward) {
            boolean noise = spec.isAdditive();
            if (!spec.bernoulliDecisions() && spec.kind() != MaskKind.GAUSSIAN && !noise) {
                // DropBlock makes its own mask (MaskEngine routes it elsewhere).
                throw new IllegalStateException("no Java mask for " + spec);
            }
            gaussian = noise || spec.kind() == MaskKind.GAUSSIAN;
            op = noise ? ADD : multiplies(spec, forward) ? MULTIPLY : ALPHA;
            if (gaussian) {
                key = CounterHash.key(seed, noise ? CounterHash.NOISE_RADIUS_SALT : CounterHash.RADIUS_SALT);
                angleKey = CounterHash.key(seed, noise ? CounterHash.NOISE_ANGLE_SALT : CounterHash.ANGLE_SALT);
                sigma = (float) spec.sigma();
                threshold = 0;
                keptFloat = 0f;
                keptDouble = 0.0;
            } else {
                key = CounterHash.key(seed, CounterHash.BERNOULLI_SALT);
                angleKey = 0;
                sigma = 0f;
                threshold = (int) Math.round(spec.p() * 0x1p31);
                keptDouble = spec.keptScale();
                keptFloat = (float) keptDouble;
            }
            shiftDouble = op == ALPHA ? MaskSpec.ALPHA_PRIME : 0.0;
            shiftFloat = (float) shiftDouble;
            offsetDouble = op == ALPHA ? MaskSpec.alphaDropped(spec.p()) : 0.0;
            offsetFloat = (float) offsetDouble;
        }

        /** Bernoulli decisions (BERNOULLI, ALPHA's M): the FLOAT mask comes as bits ({@link #floatMaskBits}). */
        boolean bernoulliDecisions() {
            return !gaussian;
        }

        /** The FLOAT mask values of one chunk as their bits, for {@link #bernoulliDecisions()} recipes. */
        int[] floatMaskBits(MaskChunks chunks, long chunk) {
            return chunks.bernoulliBits(key, chunk, threshold, keptFloat);
        }

        /** The FLOAT mask (or noise) values of one chunk. */
        void floatMask(MaskChunks chunks, long chunk, float[] out) {
            if (op == ADD) {
                chunks.normal(key, angleKey, chunk, sigma, out);
            } else if (gaussian) {
                chunks.gaussian(key, angleKey, chunk, sigma, out);
            } else {
                chunks.bernoulli(key, chunk, threshold, keptFloat, out);
            }
        }

        /**
         * The DOUBLE mask (or noise) values of one chunk: the FLOAT values, at double precision; for Bernoulli
         * decisions, the FLOAT decisions with the value (double) (1/p): a mask of 1s and 0s, widened and multiplied
         * by it (exact: 1 * v = v, 0 * v = +0), since a select between two doubles on a float compare does not
         * vectorize (C2, JDK 17) and cost more than the rest of the pass.
         */
        void doubleMask(MaskChunks chunks, long chunk, double[] out) {
            float[] f = chunks.mask;
            if (gaussian) {
                floatMask(chunks, chunk, f);
                for (int j = 0; j < MaskChunks.CHUNK; j++) {
                    out[j] = f[j];
                }
            } else {
                chunks.bernoulli(key, chunk, threshold, 1f, f);
                double kept = keptDouble;
                for (int j = 0; j < MaskChunks.CHUNK; j++) {
                    out[j] = f[j] * kept;
                }
            }
        }

        /**
         * {@code v = v * m}, {@code (v - alpha') * m + c} or {@code v + m}, each operation rounded to float (Java
         * never fuses a multiply and an add).
         */
        void combine(float[] v, float[] m, int len) {
            if (op == ALPHA) {
                float shift = shiftFloat;
                float offset = offsetFloat;
                for (int j = 0; j < len; j++) {
                    v[j] = (v[j] - shift) * m[j] + offset;
                }
            } else if (op == ADD) {
                for (int j = 0; j < len; j++) {
                    v[j] += m[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    v[j] *= m[j];
                }
            }
        }

        /** {@link #combine(float[], float[], int)} in double. */
        void combine(double[] v, double[] m, int len) {
            if (op == ALPHA) {
                double shift = shiftDouble;
                double offset = offsetDouble;
                for (int j = 0; j < len; j++) {
                    v[j] = (v[j] - shift) * m[j] + offset;
                }
            } else if (op == ADD) {
                for (int j = 0; j < len; j++) {
                    v[j] += m[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    v[j] *= m[j];
                }
            }
        }
    }
}

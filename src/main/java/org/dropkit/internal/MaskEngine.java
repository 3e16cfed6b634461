package org.dropkit.internal;

import org.dropkit.MaskKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.BaseRandomOp;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place where masks are made and applied. Forward ({@code y = x * m}) and recomputing backward
 * ({@code dx = dy * m}) are the same call, {@link #apply}, with the same seed.
 *
 * <p><b>Where masks are made.</b> On the CPU backend, FLOAT and DOUBLE masks are generated in Java and applied in the
 * arrays' own buffers in one pass ({@link HostMasks}; mid-sized Bernoulli passes on one thread write the mask alone
 * and apply it with ND4J's multiply, the same bits); on other backends (CUDA), and for HALF and BFLOAT16, they are
 * drawn with ND4J's random ops as described below. Either way the properties here hold.
 *
 * <p><b>Determinism.</b> A mask is a function of (spec, seed, mask shape) only. It is drawn with ND4J's
 * counter-based generator into a c-order buffer, so element i of the mask depends on its logical c-order index,
 * never on the memory layout of the data it multiplies, nor on the number of threads. The generator of the calling
 * thread ({@code Nd4j.getRandom()}) is borrowed for the draw and its state restored afterwards, so drawing a mask
 * consumes nothing from the user's random stream beyond the seed taken by {@link #drawSeed()}.
 *
 * <p><b>One formula.</b> For a Bernoulli mask the kept value is {@code x * s} with {@code s = (T) (1/p)} rounded
 * once to the data type T, dropped values are {@code x * 0} (a zero carrying the sign of x). Whether the 0/1
 * pattern or the scale is applied first, the result is bit for bit the same, so every path below (mask drawn into
 * the output, into a temporary, or kept from the forward pass) produces identical outputs and gradients.
 *
 * <p><b>Alpha dropout and additive noise.</b> {@link #forward} runs every kind. Alpha dropout is computed as
 * {@code y = (x - alpha') * M + c}: the input shifted by alpha' (rounded once to T), times a Bernoulli mask M whose
 * kept value is {@code (T) a}, plus {@code (T) c} with {@code c = a alpha' p}, the output of a dropped unit; its
 * backward pass is {@link #apply} with the same M. Gaussian noise is {@code y = x + n}, n made in c-order over the
 * mask shape, and its backward pass copies the gradient. On the CPU path (FLOAT, DOUBLE) each forward pass is one
 * Java sweep over the array where the arrays allow ({@link HostMasks#forward}). So for every kind backward is {@code dx = dy * M}.
 */
public final class MaskEngine {

    private static final String SCRATCH_ID = "DROPKIT_MASK_SCRATCH";
    private static final WorkspaceConfiguration SCRATCH_CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.02)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .build();

    /** Mixes the seed into the generator's second state word, as ND4J's own {@code setSeed} does. */
    private static final long NODE_STATE_MIX = 0xdeadbeefL;

    private MaskEngine() {
    }

    /** Takes the seed of one mask from the calling thread's ND4J generator (see {@link ThreadStreams}). */
    public static long drawSeed() {
        return ThreadStreams.nextSeed();
    }

    /** The shape of the mask for data of the given shape: 1 along each shared axis. */
    public static long[] maskShape(long[] dataShape, MaskSpec spec) {
        long[] shape = dataShape.clone();
        for (int axis : spec.sharedAxes()) {
            shape[axis] = 1;
        }
        return shape;
    }

    /**
     * Writes {@code x * m} into {@code z}, where m is the mask of (spec, seed) in z's data type. {@code z} may be
     * {@code x}. Temporaries, if any, come from the current workspace.
     *
     * @return z
     */
    public static INDArray apply(MaskSpec spec, long seed, INDArray x, INDArray z) {
        return apply(spec, seed, z.dataType(), x, z);
    }

    /**
     * Writes {@code x * m} into {@code z}, where m is the mask of (spec, seed) made in {@code maskType}: the type
     * the forward pass made it in, when a backward gradient arrives in another type (a DOUBLE network fed FLOAT
     * features), so that backward multiplies by the very values forward used. {@code z} may be {@code x}.
     *
     * @return z
     */
    public static INDArray apply(MaskSpec spec, long seed, DataType maskType, INDArray x, INDArray z) {
        if (spec.isIdentity() || spec.isAdditive() || x.isEmpty()) {
            // Additive noise multiplies by nothing (M = 1); its forward pass is forward(...).
            return copy(x, z);
        }
        if (spec.block() != null) {
            return spec.block().apply(spec, seed, maskType, x, z);
        }
        if (maskType == z.dataType() && HostMasks.apply(spec, seed, x, z)) {
            return z;
        }
        if (!spec.isShared() && z != x && maskType == z.dataType() && isCContiguous(z)) {
            // The mask straight into the output, then x * z: no temporary.
            if (HostMasks.fill(spec, seed, z)) {
                return multiply(x, z, z);
            }
            draw(spec, seed, z);
            multiply(x, z, z);
            scaleKept(spec, z);
            return z;
        }
        try (MemoryWorkspace ignored = scratchUnlessInWorkspace()) {
            INDArray mask = Nd4j.createUninitialized(maskType, maskShape(x.shape(), spec), 'c');
            fill(spec, seed, mask);
            return multiply(x, mask, z);
        }
    }

    /**
     * The training forward pass of any kind, with the mask of (spec, seed) made in {@code maskType}: {@code x * M}
     * for BERNOULLI and GAUSSIAN ({@link #apply}), {@code (x - alpha') * M + c} for ALPHA, {@code x + n} for
     * GAUSSIAN_NOISE. {@code z} may be {@code x}; x is never written otherwise.
     *
     * @return z
     */
    public static INDArray forward(MaskSpec spec, long seed, DataType maskType, INDArray x, INDArray z) {
        if (spec.isIdentity() || x.isEmpty()) {
            return copy(x, z);
        }
        if (spec.kind() == MaskKind.ALPHA) {
            if (maskType == z.dataType() && HostMasks.forward(spec, seed, x, z)) {
                return z; // shift, mask, multiply and offset in one pass, the same bits as the ops below
            }
            return apply(spec, seed, maskType, alphaShifted(x, z), z).addi(MaskSpec.alphaDropped(spec.p()));
        }
        if (spec.isAdditive()) {
            return addNoise(spec, seed, maskType, x, z);
        }
        return apply(spec, seed, maskType, x, z);
    }

    /**
     * The forward pass from a mask made by {@link #fill}: {@code x * mask}, or {@code (x - alpha') * mask + c} for
     * ALPHA, into {@code z} (which may be {@code x}). Not for GAUSSIAN_NOISE, whose backward pass needs no mask.
     *
     * @return z
     */
    public static INDArray forwardStored(MaskSpec spec, INDArray x, INDArray mask, INDArray z) {
        if (spec.kind() == MaskKind.ALPHA) {
            return multiply(alphaShifted(x, z), mask, z).addi(MaskSpec.alphaDropped(spec.p()));
        }
        return multiply(x, mask, z);
    }

    /**
     * The backward pass of any kind recomputed from (spec, seed): {@code dx = dy * M} with the mask forward applied,
     * made in {@code maskType}; {@code dx = dy} for GAUSSIAN_NOISE. {@code dx} may be {@code dy}.
     *
     * @return dx
     */
    public static INDArray backward(MaskSpec spec, long seed, DataType maskType, INDArray dy, INDArray dx) {
        return apply(spec, seed, maskType, dy, dx);
    }

    /**
     * {@link #backward}, given an array whose contents are no longer needed (of dx's shape and type, sharing no
     * memory with dy or dx): on the CPU path an in-place pass ({@code dx} is {@code dy}) may write the mask there and
     * multiply with ND4J's kernel, the same bits as without it. DropConnect hands over the noisy weights, dead once
     * the layer's backward pass has used them.
     *
     * @return dx
     */
    public static INDArray backward(MaskSpec spec, long seed, DataType maskType, INDArray dy, INDArray dx,
            INDArray spare) {
        if (!spec.isIdentity() && !spec.isAdditive() && spec.block() == null && !dy.isEmpty()
                && maskType == dx.dataType() && HostMasks.apply(spec, seed, dy, dx, spare)) {
            return dx;
        }
        return apply(spec, seed, maskType, dy, dx);
    }

    /**
     * Whether an element-wise pass {@code z = x * m} with this spec's mask is, on the CPU path, made in two steps (the
     * mask written alone, then ND4J's multiply) when z or a spare array can hold the mask; for tests.
     */
    public static boolean takesTwoSteps(MaskSpec spec, INDArray z) {
        return spec.block() == null && HostMasks.twoSteps(spec, false, z);
    }

    /**
     * {@code z = x}, the pass of an identity mask (nothing to do when z is x): a Java bulk copy for small host arrays
     * of one type, else ND4J's assign (which also converts between types).
     *
     * @return z
     */
    public static INDArray copy(INDArray x, INDArray z) {
        if (z == x || HostMasks.copy(x, z)) {
            return z;
        }
        return z.assign(x);
    }

    /** {@code z = x - alpha'} in z's data type (z may be x): the input of alpha dropout's multiplier. */
    private static INDArray alphaShifted(INDArray x, INDArray z) {
        if (z == x) {
            return z.subi(MaskSpec.ALPHA_PRIME);
        }
        return x.dataType() == z.dataType() ? x.sub(MaskSpec.ALPHA_PRIME, z)
                : z.assign(x).subi(MaskSpec.ALPHA_PRIME);
    }

    /**
     * {@code z = x + n}, n the noise of (spec, seed) in c-order over the mask shape, made in {@code noiseType}: on the
     * CPU for FLOAT and DOUBLE, generated in Java ({@link HostMasks}; DOUBLE noise is the FLOAT noise widened) and
     * added in the same pass when x and z are c-order arrays of that type and the noise is not shared; otherwise
     * written straight into z when it can hold it (a contiguous c-order array of that type, not x, noise not shared),
     * else into a temporary broadcast over x. Other types and backends draw it with ND4J's Gaussian op.
     */
    private static INDArray addNoise(MaskSpec spec, long seed, DataType noiseType, INDArray x, INDArray z) {
        if (x.dataType() != z.dataType()) {
            x = x.castTo(z.dataType());
        }
        boolean host = noiseType == z.dataType() && HostMasks.appliesTo(HostMasks.cpuBackend(), noiseType);
        if (host && HostMasks.forward(spec, seed, x, z)) {
            return z;
        }
        if (!spec.isShared() && z != x && noiseType == z.dataType() && isCContiguous(z)) {
            if (!host || !HostMasks.fill(spec, seed, z)) {
                draw(spec, seed, z);
            }
            Nd4j.getExecutioner().exec(new AddOp(x, z, z));
            return z;
        }
        try (MemoryWorkspace ignored = scratchUnlessInWorkspace()) {
            INDArray noise = Nd4j.createUninitialized(noiseType, maskShape(x.shape(), spec), 'c');
            if (!host || !HostMasks.fill(spec, seed, noise)) {
                draw(spec, seed, noise);
            }
            if (noise.dataType() != z.dataType()) {
                noise = noise.castTo(z.dataType());
            }
            Nd4j.getExecutioner().exec(new AddOp(x, noise, z));
            return z;
        }
    }

    /**
     * Where a temporary mask goes: the caller's open workspace (DL4J's working memory inside a network), or, when
     * none is open, this thread's scratch workspace, so that a network without workspaces does not pay for a fresh
     * native allocation (and its page faults) on every pass. The scratch memory grows to the largest temporary mask
     * and is reused; it holds nothing between passes. Returns null (nothing to close) inside a workspace.
     */
    static MemoryWorkspace scratchUnlessInWorkspace() {
        if (Nd4j.getMemoryManager().getCurrentWorkspace() != null) {
            return null;
        }
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH_CONFIG, SCRATCH_ID);
    }

    /**
     * Writes the mask of (spec, seed) into {@code target}, which must be c-order, contiguous and of the mask shape.
     *
     * @return target
     */
    public static INDArray fill(MaskSpec spec, long seed, INDArray target) {
        if (spec.isAdditive()) {
            throw new IllegalArgumentException("additive noise " + spec + " has no mask to keep: its backward pass is"
                    + " dx = dy");
        }
        if (!isCContiguous(target)) {
            throw new IllegalArgumentException("mask target must be a contiguous c-order array, got order "
                    + target.ordering() + " with strides " + java.util.Arrays.toString(target.stride()));
        }
        if (spec.isIdentity()) {
            return target.assign(1.0);
        }
        if (target.isEmpty()) {
            return target;
        }
        if (spec.block() != null) {
            // The mask shape keeps the data's height and width (DropBlock shares no spatial axis).
            return spec.block().fill(spec, seed, target.shape(), target);
        }
        if (HostMasks.fill(spec, seed, target)) {
            return target;
        }
        draw(spec, seed, target);
        scaleKept(spec, target);
        return target;
    }

    /**
     * {@code z = x * mask}, broadcasting a mask with size-1 axes over x, in z's data type (x and the mask are
     * converted to it first when their types differ). {@code z} may be {@code x}.
     *
     * @return z
     */
    public static INDArray multiply(INDArray x, INDArray mask, INDArray z) {
        if (x.dataType() != z.dataType()) {
            x = x.castTo(z.dataType());
        }
        if (mask.dataType() != z.dataType()) {
            mask = mask.castTo(z.dataType());
        }
        if (HostMasks.multiply(x, mask, z)) {
            return z;
        }
        if (java.util.Arrays.equals(x.shape(), mask.shape()) && LegacyMultiply.isUsable()) {
            Nd4j.getExecutioner().exec(new LegacyMultiply(x, mask, z));
        } else {
            Nd4j.getExecutioner().exec(new MulOp(x, mask, z));
        }
        return z;
    }

    private static void scaleKept(MaskSpec spec, INDArray target) {
        if (spec.bernoulliDecisions()) {
            double s = spec.keptScale();
            if (s != 1.0) {
                target.muli(s);
            }
        }
    }

    /**
     * Draws the unscaled mask: 0/1 for Bernoulli and alpha, N(1, sigma^2) for Gaussian, N(0, sigma^2) for additive
     * noise. HALF and BFLOAT16 targets are drawn in
     * FLOAT and converted: drawn at their own precision, a Bernoulli mask keeps units with the probability the 16-bit
     * comparison gives, not p (p = 0.99 kept 0.9905 in HALF), and the conversion of 0, 1 and Gaussian values is the
     * only rounding left.
     */
    private static void draw(MaskSpec spec, long seed, INDArray target) {
        DataType type = target.dataType();
        if (type == DataType.FLOAT16 || type == DataType.BFLOAT16) {
            try (MemoryWorkspace ignored = scratchUnlessInWorkspace()) {
                INDArray wide = Nd4j.createUninitialized(DataType.FLOAT, target.shape(), 'c');
                draw(spec, seed, wide);
                target.assign(wide);
            }
            return;
        }
        BaseRandomOp op = spec.bernoulliDecisions() ? new BernoulliDistribution(target, spec.p())
                : new GaussianDistribution(target, spec.isAdditive() ? 0.0 : 1.0, spec.sigma());
        Random rng = Nd4j.getRandom();
        long root = rng.rootState();
        long node = rng.nodeState();
        try {
            rng.setStates(seed, seed ^ NODE_STATE_MIX);
            Nd4j.getExecutioner().exec(op, rng);
        } finally {
            rng.setStates(root, node);
        }
    }

    /** True when buffer order is logical c-order: c strides on every axis longer than 1 (others have any stride). */
    static boolean isCContiguous(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (stride[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }
}

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
        if (spec.isIdentity() || x.isEmpty()) {
            return z == x ? z : z.assign(x);
        }
        if (spec.block() != null) {
            return spec.block().apply(spec, seed, maskType, x, z);
        }
        if (!spec.isShared() && z != x && maskType == z.dataType() && isCContiguous(z)) {
            // Draw the raw mask straight into the output: no temporary, three passes.
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
        if (java.util.Arrays.equals(x.shape(), mask.shape()) && LegacyMultiply.isUsable()) {
            Nd4j.getExecutioner().exec(new LegacyMultiply(x, mask, z));
        } else {
            Nd4j.getExecutioner().exec(new MulOp(x, mask, z));
        }
        return z;
    }

    private static void scaleKept(MaskSpec spec, INDArray target) {
        if (spec.kind() == MaskKind.BERNOULLI) {
            double s = spec.keptScale();
            if (s != 1.0) {
                target.muli(s);
            }
        }
    }

    /**
     * Draws the unscaled mask: 0/1 for Bernoulli, N(1, sigma^2) for Gaussian. HALF and BFLOAT16 targets are drawn in
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
        BaseRandomOp op = spec.kind() == MaskKind.BERNOULLI
                ? new BernoulliDistribution(target, spec.p())
                : new GaussianDistribution(target, 1.0, spec.sigma());
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
    private static boolean isCContiguous(INDArray a) {
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

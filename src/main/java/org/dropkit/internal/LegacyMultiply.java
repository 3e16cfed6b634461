package org.dropkit.internal;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseTransformSameOp;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code z = x * y} for arrays of one shape, through libnd4j's legacy pairwise multiply. ND4J's {@code MulOp} is a
 * declarable op with numpy broadcasting, whose per-call overhead (context, shape function) is about twice that of
 * the legacy kernel: it decides the time of dropout on small arrays. ND4J has no Java class for the legacy kernel,
 * so this is one; {@link #isUsable()} checks once that the kernel number still means multiply on this backend.
 */
final class LegacyMultiply extends BaseTransformSameOp {

    /** Multiply in libnd4j's PAIRWISE_TRANSFORM_OPS table (legacy_ops.h), the same on the CPU and CUDA backends. */
    private static final int PAIRWISE_MULTIPLY = 3;

    private static final Logger log = LoggerFactory.getLogger(LegacyMultiply.class);
    private static volatile Boolean usable;

    LegacyMultiply(INDArray x, INDArray y, INDArray z) {
        super(x, y, z);
    }

    /** True when the legacy kernel multiplies on this backend (checked once, on a 3-element example). */
    static boolean isUsable() {
        Boolean u = usable;
        if (u == null) {
            u = selfCheck();
            usable = u;
        }
        return u;
    }

    private static boolean selfCheck() {
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored =
                Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray x = Nd4j.createFromArray(2.0f, -3.0f, 0.5f);
            INDArray y = Nd4j.createFromArray(5.0f, 7.0f, -0.0f);
            INDArray z = x.ulike();
            Nd4j.getExecutioner().exec(new LegacyMultiply(x, y, z));
            float[] r = z.toFloatVector();
            boolean ok = r[0] == 10.0f && r[1] == -21.0f && Float.floatToRawIntBits(r[2]) == 0x80000000;
            if (!ok) {
                log.debug("legacy pairwise kernel {} is not multiply on this backend; using MulOp", PAIRWISE_MULTIPLY);
            }
            return ok;
        } catch (RuntimeException e) {
            log.debug("legacy pairwise multiply unavailable; using MulOp: {}", e.toString());
            return false;
        }
    }

    @Override
    public int opNum() {
        return PAIRWISE_MULTIPLY;
    }

    @Override
    public String opName() {
        return "dropkit_legacy_multiply";
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException("LegacyMultiply is an execution helper, not a SameDiff op");
    }
}

package org.dropkit.internal;

import java.util.Arrays;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;

/**
 * Everything that decides a mask except its seed: kind, retain probability for this pass, scaling and shared axes.
 * Immutable; built once per forward pass.
 */
public final class MaskSpec {

    private final MaskKind kind;
    private final double p;
    private final boolean inverted;
    private final int[] sharedAxes;
    /** The block mask of a DROP_BLOCK pass; null for other kinds. */
    private final DropBlockMask block;

    private MaskSpec(MaskKind kind, double p, boolean inverted, int[] sharedAxes) {
        this(kind, p, inverted, sharedAxes, null);
    }

    private MaskSpec(MaskKind kind, double p, boolean inverted, int[] sharedAxes, DropBlockMask block) {
        this.kind = kind;
        this.p = p;
        this.inverted = inverted;
        this.sharedAxes = sharedAxes;
        this.block = block;
    }

    /**
     * @param p          retain probability for this pass, already checked to be in (0, 1]
     * @param sharedAxes sorted, checked axes (see {@link Checks#sharedAxes(int[])}); not copied
     */
    public static MaskSpec of(MaskKind kind, double p, Scaling scaling, int[] sharedAxes) {
        if (kind == MaskKind.DROP_BLOCK) {
            throw new IllegalArgumentException("a DROP_BLOCK mask needs its block size and layout: use"
                    + " MaskSpec.dropBlock(...)");
        }
        Checks.scalingFitsKind(scaling, kind);
        return new MaskSpec(kind, p, scaling == Scaling.INVERTED, sharedAxes);
    }

    /**
     * A DropBlock mask for one pass (see {@link DropBlockMask}); its scale, once counted, is kept for the pass's
     * backward pass.
     *
     * @param keep         the keep probability for this pass, already checked to be in (0, 1]
     * @param sharedAxes   sorted axes among the example axis and the channel axis of the data layout; not copied
     * @param blockSize    the block's side, at least 1
     * @param channelsLast true for NHWC data, false for NCHW
     * @param perExample   true to normalise per example, false over the batch
     */
    public static MaskSpec dropBlock(double keep, int[] sharedAxes, int blockSize, boolean channelsLast,
            boolean perExample) {
        return new MaskSpec(MaskKind.DROP_BLOCK, keep, true, sharedAxes,
                new DropBlockMask(blockSize, channelsLast, perExample));
    }

    public MaskKind kind() {
        return kind;
    }

    public double p() {
        return p;
    }

    /** sigma of a Gaussian mask: sqrt((1 - p) / p). */
    public double sigma() {
        return Math.sqrt((1.0 - p) / p);
    }

    /** The value a kept Bernoulli unit is multiplied by: 1/p when inverted, 1 when vanilla. */
    public double keptScale() {
        return inverted ? 1.0 / p : 1.0;
    }

    /** True when the mask is 1 everywhere (p = 1): nothing to draw, nothing to multiply. */
    public boolean isIdentity() {
        return p == 1.0;
    }

    /** Sorted shared axes; do not modify. */
    int[] sharedAxes() {
        return sharedAxes;
    }

    /** The block mask of a DROP_BLOCK pass; null for other kinds. */
    DropBlockMask block() {
        return block;
    }

    public boolean isShared() {
        return sharedAxes.length > 0;
    }

    @Override
    public String toString() {
        return kind + "(p=" + p + (inverted ? "" : ", vanilla")
                + (sharedAxes.length > 0 ? ", sharedAxes=" + Arrays.toString(sharedAxes) : "")
                + (block != null ? ", block " + block : "") + ")";
    }
}

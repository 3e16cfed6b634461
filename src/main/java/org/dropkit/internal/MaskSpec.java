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

    private MaskSpec(MaskKind kind, double p, boolean inverted, int[] sharedAxes) {
        this.kind = kind;
        this.p = p;
        this.inverted = inverted;
        this.sharedAxes = sharedAxes;
    }

    /**
     * @param p          retain probability for this pass, already checked to be in (0, 1]
     * @param sharedAxes sorted, checked axes (see {@link Checks#sharedAxes(int[])}); not copied
     */
    public static MaskSpec of(MaskKind kind, double p, Scaling scaling, int[] sharedAxes) {
        Checks.scalingFitsKind(scaling, kind);
        return new MaskSpec(kind, p, scaling == Scaling.INVERTED, sharedAxes);
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

    public boolean isShared() {
        return sharedAxes.length > 0;
    }

    @Override
    public String toString() {
        return kind + "(p=" + p + (inverted ? "" : ", vanilla")
                + (sharedAxes.length > 0 ? ", sharedAxes=" + Arrays.toString(sharedAxes) : "") + ")";
    }
}

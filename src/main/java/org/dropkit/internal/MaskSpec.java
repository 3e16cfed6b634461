package org.dropkit.internal;

import java.util.Arrays;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;

/**
 * Everything that decides a mask except its seed: kind, retain probability (or noise sigma) for this pass, scaling
 * and shared axes. Immutable; built once per forward pass.
 *
 * <p>Every kind is {@code y = x * M} followed by an offset: none for BERNOULLI and GAUSSIAN, a shift of the input and
 * a constant for ALPHA ({@code y = (x - alpha') * M + c}), added noise for GAUSSIAN_NOISE ({@code M = 1}). M is what
 * {@link MaskEngine#apply} multiplies by, and backward is {@code dx = dy * M} for every kind. An ALPHA multiplier is a
 * Bernoulli mask whose kept value is {@link #keptScale()} = a instead of 1/p.
 */
public final class MaskSpec {

    /** SELU's alpha (Klambauer et al. 2017, eq. 2), to double precision, as DL4J's {@code AlphaDropout}. */
    public static final double SELU_ALPHA = 1.6732632423543772;
    /** SELU's lambda (scale), to double precision, as DL4J's {@code AlphaDropout}. */
    public static final double SELU_LAMBDA = 1.0507009873554804;
    /** The value alpha dropout sets dropped units to before its affine correction: -lambda * alpha. */
    public static final double ALPHA_PRIME = -SELU_LAMBDA * SELU_ALPHA;

    private final MaskKind kind;
    private final double p;
    /** The noise standard deviation of GAUSSIAN_NOISE; 0 for other kinds. */
    private final double noiseSigma;
    private final boolean inverted;
    private final int[] sharedAxes;
    /** The block mask of a DROP_BLOCK pass; null for other kinds. */
    private final DropBlockMask block;

    private MaskSpec(MaskKind kind, double p, double noiseSigma, boolean inverted, int[] sharedAxes) {
        this(kind, p, noiseSigma, inverted, sharedAxes, null);
    }

    private MaskSpec(MaskKind kind, double p, double noiseSigma, boolean inverted, int[] sharedAxes,
            DropBlockMask block) {
        this.kind = kind;
        this.p = p;
        this.noiseSigma = noiseSigma;
        this.inverted = inverted;
        this.sharedAxes = sharedAxes;
        this.block = block;
    }

    /**
     * A mask of retain probability p: BERNOULLI, GAUSSIAN or ALPHA.
     *
     * @param p          retain probability for this pass, already checked to be in (0, 1]
     * @param sharedAxes sorted, checked axes (see {@link Checks#sharedAxes(int[])}); not copied
     */
    public static MaskSpec of(MaskKind kind, double p, Scaling scaling, int[] sharedAxes) {
        if (kind == MaskKind.GAUSSIAN_NOISE) {
            throw new IllegalArgumentException("GAUSSIAN_NOISE has a noise sigma, not a retain probability: use"
                    + " MaskSpec.noise(sigma, axes)");
        }
        if (kind == MaskKind.DROP_BLOCK) {
            throw new IllegalArgumentException("a DROP_BLOCK mask needs its block size and layout: use"
                    + " MaskSpec.dropBlock(...)");
        }
        Checks.scalingFitsKind(scaling, kind);
        return new MaskSpec(kind, p, 0.0, scaling == Scaling.INVERTED, sharedAxes);
    }

    /**
     * Additive Gaussian noise N(0, sigma^2).
     *
     * @param sigma      standard deviation for this pass, already checked to be finite and non-negative
     * @param sharedAxes sorted, checked axes; not copied
     */
    public static MaskSpec noise(double sigma, int[] sharedAxes) {
        return new MaskSpec(MaskKind.GAUSSIAN_NOISE, 1.0, sigma, true, sharedAxes);
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
        return new MaskSpec(MaskKind.DROP_BLOCK, keep, 0.0, true, sharedAxes,
                new DropBlockMask(blockSize, channelsLast, perExample));
    }

    public MaskKind kind() {
        return kind;
    }

    /** The retain probability; 1 for GAUSSIAN_NOISE, which drops nothing. */
    public double p() {
        return p;
    }

    /** The standard deviation of the drawn values: sqrt((1 - p) / p) for a GAUSSIAN mask, sigma for noise. */
    public double sigma() {
        return kind == MaskKind.GAUSSIAN_NOISE ? noiseSigma : Math.sqrt((1.0 - p) / p);
    }

    /**
     * The value a kept unit of a Bernoulli-decided mask is multiplied by: 1/p when inverted, 1 when vanilla, the
     * affine scale a for ALPHA; 1 for the other kinds.
     */
    public double keptScale() {
        switch (kind) {
            case BERNOULLI:
                return inverted ? 1.0 / p : 1.0;
            case ALPHA:
                return alphaScale(p);
            default:
                return 1.0;
        }
    }

    /** True when the pass changes nothing (p = 1, or noise of sigma 0): nothing to draw, nothing to multiply. */
    public boolean isIdentity() {
        return kind == MaskKind.GAUSSIAN_NOISE ? noiseSigma == 0.0 : p == 1.0;
    }

    /** True when each unit is kept or dropped by a Bernoulli draw of probability p: BERNOULLI and ALPHA. */
    public boolean bernoulliDecisions() {
        return kind == MaskKind.BERNOULLI || kind == MaskKind.ALPHA;
    }

    /** True when the forward pass adds drawn values instead of multiplying (GAUSSIAN_NOISE): M = 1. */
    public boolean isAdditive() {
        return kind == MaskKind.GAUSSIAN_NOISE;
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

    /** Alpha dropout's scale {@code a = (p + alpha'^2 p (1 - p))^(-1/2)}: the multiplier of a kept unit. */
    public static double alphaScale(double p) {
        return 1.0 / Math.sqrt(p + ALPHA_PRIME * ALPHA_PRIME * p * (1.0 - p));
    }

    /** Alpha dropout's shift {@code b = -a alpha' (1 - p)}, added to a kept unit after scaling. */
    public static double alphaShift(double p) {
        return -alphaScale(p) * ALPHA_PRIME * (1.0 - p);
    }

    /**
     * The constant of alpha dropout's computed form {@code y = (x - alpha') * M + c}: {@code c = a alpha' p}, which is
     * {@code a alpha' + b}, the output of a dropped unit.
     */
    public static double alphaDropped(double p) {
        return alphaScale(p) * ALPHA_PRIME * p;
    }

    @Override
    public String toString() {
        String what = kind == MaskKind.GAUSSIAN_NOISE ? "sigma=" + noiseSigma : "p=" + p;
        return kind + "(" + what + (inverted ? "" : ", vanilla")
                + (sharedAxes.length > 0 ? ", sharedAxes=" + Arrays.toString(sharedAxes) : "")
                + (block != null ? ", block " + block : "") + ")";
    }
}

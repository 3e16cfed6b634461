package org.dropkit.testsupport;

import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;

/** The kinds of {@link MaskDropout} for tests that run over several, and one dropout of each. */
public final class Kinds {

    /** The kinds whose forward pass is {@code y = x * m} with a mask of mean 1: BERNOULLI and GAUSSIAN. */
    public static final MaskKind[] MULTIPLICATIVE = {MaskKind.BERNOULLI, MaskKind.GAUSSIAN};

    private Kinds() {
    }

    /**
     * A dropout of the kind, of strength 1 - p: retain probability p for the mask kinds, noise sigma 1 - p for
     * GAUSSIAN_NOISE, so that p = 1 is the identity for every kind.
     */
    public static MaskDropout of(MaskKind kind, double p) {
        switch (kind) {
            case BERNOULLI:
                return MaskDropout.bernoulli(p);
            case GAUSSIAN:
                return MaskDropout.gaussian(p);
            case ALPHA:
                return MaskDropout.alpha(p);
            case GAUSSIAN_NOISE:
                return MaskDropout.gaussianNoise(1.0 - p);
            default:
                throw new AssertionError(kind);
        }
    }
}

package org.dropkit;

/**
 * The distribution a dropout mask is drawn from. Every kind has mean 1 under inverted scaling, so the expected
 * output equals the input and inference needs no rescaling.
 */
public enum MaskKind {

    /**
     * m = 1/p with probability p, else 0 (inverted dropout; Srivastava et al. 2014). Under
     * {@link Scaling#VANILLA} the training mask is 1 with probability p, else 0.
     */
    BERNOULLI,

    /**
     * m ~ N(1, sigma^2) with sigma^2 = (1 - p) / p: the multiplicative Gaussian noise of Srivastava et al. 2014,
     * section 10, with the same variance as a Bernoulli mask of retain probability p. Keras's
     * {@code GaussianDropout(rate)} is this kind with p = 1 - rate.
     */
    GAUSSIAN
}

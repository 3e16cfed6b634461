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
    GAUSSIAN,

    /**
     * DropBlock (Ghiasi, Lin and Le 2018, "DropBlock: a regularization method for convolutional networks", NeurIPS):
     * whole {@code block_size x block_size} squares of a 2-D feature map are dropped, and kept units are multiplied by
     * {@code count / count_kept} (see {@link BlockNormalization}). p is the paper's keep_prob. See
     * {@link MaskDropout#dropBlock(double, int, org.deeplearning4j.nn.conf.CNN2DFormat)}.
     */
    DROP_BLOCK
}

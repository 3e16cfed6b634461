package org.dropkit;

/**
 * What a {@link MaskDropout} does to each unit in training. {@link #BERNOULLI} and {@link #GAUSSIAN} multiply by a
 * mask of mean 1; {@link #ALPHA} is a Bernoulli mask with the affine correction of self-normalizing networks;
 * {@link #GAUSSIAN_NOISE} adds noise. Every kind keeps the expected output of its intended input equal in training
 * and at inference, where each kind is the identity, so DL4J (which calls an {@code IDropout} only while training)
 * needs nothing more. The backward pass of every kind is {@code dx = dy * M}, with M the multiplier the forward pass
 * applied (1 for Gaussian noise).
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
     * Alpha dropout for SELU networks (Klambauer et al. 2017, "Self-normalizing neural networks", NeurIPS): a unit is
     * kept with probability p, a dropped unit is set to SELU's negative saturation alpha' = -lambda * alpha (about
     * -1.7581), and an affine correction keeps mean 0 and variance 1 of normalized input:
     * {@code y = a * (x * m + alpha' * (1 - m)) + b}, m in {0, 1}, {@code a = (p + alpha'^2 p (1 - p))^(-1/2)},
     * {@code b = -a alpha' (1 - p)}. Backward: {@code dx = a * m * dy}. See {@link MaskDropout#alpha(double)}.
     */
    ALPHA,

    /**
     * Additive Gaussian noise: {@code y = x + n}, n ~ N(0, sigma^2), as DL4J's and Keras's {@code GaussianNoise};
     * backward {@code dx = dy}. Configured by the standard deviation sigma, not by a retain probability. See
     * {@link MaskDropout#gaussianNoise(double)}.
     */
    GAUSSIAN_NOISE,

    /**
     * DropBlock (Ghiasi, Lin and Le 2018, "DropBlock: a regularization method for convolutional networks", NeurIPS):
     * whole {@code block_size x block_size} squares of a 2-D feature map are dropped, and kept units are multiplied by
     * {@code count / count_kept} (see {@link BlockNormalization}). p is the paper's keep_prob. See
     * {@link MaskDropout#dropBlock(double, int, org.deeplearning4j.nn.conf.CNN2DFormat)}.
     */
    DROP_BLOCK
}

package org.dropkit;

/**
 * Where the 1/p correction of Bernoulli dropout is applied.
 *
 * <p>Both keep the expected activation at inference equal to the expected activation in training. Only
 * {@link MaskKind#BERNOULLI} masks support {@link #VANILLA}: Gaussian masks have mean 1 already, alpha dropout has its
 * own affine correction, and Gaussian noise has mean 0.
 */
public enum Scaling {

    /**
     * Kept units are multiplied by 1/p while training; inference is the identity. DL4J's convention, and the only
     * one {@code .dropOut(...)} can express, because DL4J calls an {@code IDropout} only while training.
     */
    INVERTED,

    /**
     * Kept units pass unchanged while training (mask in {0, 1}); at inference the output is multiplied by p, as in
     * the original dropout paper. Needs a layer that acts at inference:
     * {@link org.dropkit.conf.MaskDropoutLayer}.
     */
    VANILLA
}

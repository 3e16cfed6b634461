package org.dropkit;

/** What a {@link MaskDropout} keeps between the forward pass and the backward pass. */
public enum MaskStorage {

    /**
     * Keep only the seed of the mask (a few bytes) and regenerate the identical mask in backward. Zero bytes per
     * element are kept between the passes; backward pays for one more mask generation.
     */
    RECOMPUTE,

    /**
     * Keep the mask itself, in DL4J's INPUT workspace, in the activation data type (4 bytes per element for FLOAT,
     * fewer with shared axes). Backward is a single multiplication.
     */
    STORED
}

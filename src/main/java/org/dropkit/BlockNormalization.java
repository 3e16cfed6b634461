package org.dropkit;

/**
 * Over which units a {@link MaskKind#DROP_BLOCK} mask counts its kept units: kept units are multiplied by
 * {@code count / count_kept} (Ghiasi et al. 2018, Algorithm 1, "A = A * count(M) / count_ones(M)"), with both counts
 * taken over the units named here. Either way the mask's mean over those units is exactly 1, so the expected output
 * equals the input and inference is the identity.
 */
public enum BlockNormalization {

    /**
     * One factor for the whole mini-batch: the counts are over every example, channel and position of the mask. This
     * is the paper's reference implementation and torchvision's {@code DropBlock2d} ({@code numel / sum}). The
     * default.
     */
    BATCH,

    /**
     * One factor per example: the counts are over that example's channels and positions. An example's output then
     * depends on its own mask only, not on how many units the other examples of its batch lost, so it is the same in
     * a batch of 1 as in a batch of 256.
     */
    EXAMPLE
}

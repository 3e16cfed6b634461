package org.dropkit;

import java.io.Serializable;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.dropkit.internal.Checks;
import org.dropkit.internal.MaskSpec;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * What a {@link MaskKind#DROP_BLOCK} {@link MaskDropout} has beyond its keep probability: the block size, the data
 * format of the array it acts on, and the normalization. A value, written in a MaskDropout's JSON as
 * {@code "block": {"size": 7, "format": "NCHW", "normalization": "BATCH"}}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
final class BlockSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    @JsonProperty("size")
    private final int size;
    @JsonProperty("format")
    private final CNN2DFormat format;
    @JsonProperty("normalization")
    private final BlockNormalization normalization;

    @JsonCreator
    BlockSettings(@JsonProperty("size") int size, @JsonProperty("format") CNN2DFormat format,
            @JsonProperty("normalization") BlockNormalization normalization) {
        this.size = Checks.blockSize(size, "MaskDropout.dropBlock(keepProb, blockSize, format)");
        this.format = Objects.requireNonNull(format, "DropBlock's data format (CNN2DFormat.NCHW or NHWC)");
        this.normalization = normalization == null ? BlockNormalization.BATCH : normalization;
    }

    BlockSettings withNormalization(BlockNormalization normalization) {
        return new BlockSettings(size, format, Objects.requireNonNull(normalization, "normalization"));
    }

    int size() {
        return size;
    }

    CNN2DFormat format() {
        return format;
    }

    BlockNormalization normalization() {
        return normalization;
    }

    boolean channelsLast() {
        return format == CNN2DFormat.NHWC;
    }

    /** Checks shared axes for this layout; see {@link Checks#dropBlockSharedAxes}. */
    void checkSharedAxes(int[] sortedAxes) {
        Checks.dropBlockSharedAxes(sortedAxes, channelsLast());
    }

    /** The mask of one pass on input of this shape, after checking that the input suits DropBlock. */
    MaskSpec spec(double keep, Scaling scaling, int[] sharedAxes, long[] inputShape) {
        Checks.scalingFitsKind(scaling, MaskKind.DROP_BLOCK);
        Checks.dropBlockInput(size, channelsLast(), inputShape);
        return MaskSpec.dropBlock(keep, sharedAxes, size, channelsLast(),
                normalization == BlockNormalization.EXAMPLE);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BlockSettings)) {
            return false;
        }
        BlockSettings that = (BlockSettings) o;
        return size == that.size && format == that.format && normalization == that.normalization;
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, format, normalization);
    }

    @Override
    public String toString() {
        return "block=" + size + "x" + size + " " + format + " " + normalization;
    }
}

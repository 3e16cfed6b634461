package org.dropkit.internal;

import java.util.Arrays;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.reduce.longer.CountNonZero;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DropBlock mask of one pass (Ghiasi, Lin and Le 2018, Algorithm 1), made from ND4J ops for {@link MaskEngine}:
 * <ol>
 *   <li>block seeds: a Bernoulli(gamma) 0/1 map over the {@code (H - b + 1) x (W - b + 1)} positions where a
 *       {@code b x b} block lies wholly inside the {@code H x W} map, drawn by the engine's own Bernoulli mask (a
 *       vanilla mask of retain probability gamma is 1 with probability gamma), one map per example and channel
 *       (or per example, or per channel, along the shared axes);</li>
 *   <li>blocks: each seed at (i, j) drops rows i .. i + b - 1 and columns j .. j + b - 1, that is a stride-1 max
 *       pooling of the seed map with a {@code b x b} window and b - 1 of padding on every side, run as two separable
 *       poolings ({@code 1 x b}, then {@code b x 1}; max of 0/1 values is exact);</li>
 *   <li>the mask: {@code m = (1 - blocks) * s} in the data type, with {@code s = count / count_kept} rounded once to
 *       the type, over the batch or per example ({@link org.dropkit.BlockNormalization}); when a group keeps nothing
 *       its mask is 0 and s is taken as 1.</li>
 * </ol>
 *
 * <p>Even block sizes need no centre: a block is a {@code b x b} square anchored at a valid seed position.
 *
 * <p>The mask is built in the canonical layout {@code [N, C, H, W]} (1 along shared axes) whatever the data layout,
 * and viewed as NHWC where the data is: the mask is a function of the seed and the logical (example, channel, row,
 * column) only, the same for NCHW and NHWC data, c- and f-order arrays, and any thread count; its 0/1 pattern is drawn
 * in FLOAT whatever the data type, so it is also the same for FLOAT, DOUBLE and HALF data.
 *
 * <p>The scale s of a pass is kept here once computed (an array of one or N doubles), so a recomputing backward pass
 * regenerates the 0/1 pattern but does not count it again; a fresh instance counts it and gets the same s.
 */
final class DropBlockMask {

    private static final int[] NO_AXES = new int[0];

    private final int size;
    private final boolean channelsLast;
    private final boolean perExample;
    /** The scale of the last pattern counted: {seed, canonical mask shape, scales}; null before the first. */
    private volatile Counted counted;

    DropBlockMask(int size, boolean channelsLast, boolean perExample) {
        this.size = size;
        this.channelsLast = channelsLast;
        this.perExample = perExample;
    }

    int size() {
        return size;
    }

    boolean channelsLast() {
        return channelsLast;
    }

    boolean perExample() {
        return perExample;
    }

    /**
     * The seed rate of the paper's equation (1), generalised to H != W: {@code gamma = (1 - keep) / b^2 * (H W) /
     * ((H - b + 1) (W - b + 1))}. It is at most 1 - keep for every b &lt;= min(H, W).
     */
    static double gamma(double keep, int size, long height, long width) {
        double validPositions = (double) (height - size + 1) * (width - size + 1);
        return (1.0 - keep) / ((double) size * size) * ((double) height * width) / validPositions;
    }

    /** {@code z = x * m} for data x of this mask's layout; z may be x. */
    INDArray apply(MaskSpec spec, long seed, DataType maskType, INDArray x, INDArray z) {
        try (MemoryWorkspace ignored = MaskEngine.scratchUnlessInWorkspace()) {
            INDArray mask = canonicalMask(spec, seed, x.shape(), maskType, null);
            return MaskEngine.multiply(x, inDataLayout(mask), z);
        }
    }

    /**
     * Writes the mask into {@code target}: c-order, in the data layout, of the mask shape (1 along shared axes) for
     * data of shape {@code dataShape}.
     */
    INDArray fill(MaskSpec spec, long seed, long[] dataShape, INDArray target) {
        try (MemoryWorkspace ignored = MaskEngine.scratchUnlessInWorkspace()) {
            canonicalMask(spec, seed, dataShape, target.dataType(), toCanonical(target));
            return target;
        }
    }

    /** The data layout's view of a canonical {@code [N, C, H, W]} array. */
    private INDArray inDataLayout(INDArray canonical) {
        return channelsLast ? canonical.permute(0, 2, 3, 1) : canonical;
    }

    /** The canonical {@code [N, C, H, W]} view of an array in the data layout. */
    private INDArray toCanonical(INDArray data) {
        return channelsLast ? data.permute(0, 3, 1, 2) : data;
    }

    /**
     * Makes the mask in the canonical layout, into {@code into} (a canonical view of the right shape and type) or,
     * when it is null, into a new array of the current workspace.
     */
    private INDArray canonicalMask(MaskSpec spec, long seed, long[] dataShape, DataType maskType, INDArray into) {
        long[] shape = canonicalMaskShape(spec, dataShape);
        INDArray blocks = blocks(spec.p(), seed, shape);
        double[] scales = scales(seed, shape, blocks);
        INDArray mask;
        if (into != null) {
            mask = into.assign(blocks);
        } else if (maskType == DataType.FLOAT) {
            mask = blocks;
        } else {
            mask = Nd4j.createUninitialized(maskType, shape, 'c').assign(blocks);
        }
        mask.rsubi(1.0);
        scale(mask, scales, maskType);
        return mask;
    }

    /** The canonical mask shape for data of this shape: {@code [N, C, H, W]}, 1 along the shared axes. */
    private long[] canonicalMaskShape(MaskSpec spec, long[] dataShape) {
        long[] shape = channelsLast ? new long[] {dataShape[0], dataShape[3], dataShape[1], dataShape[2]}
                : dataShape.clone();
        int channelAxis = channelsLast ? 3 : 1;
        for (int axis : spec.sharedAxes()) {
            shape[axis == channelAxis ? 1 : axis] = 1;
        }
        return shape;
    }

    /**
     * The 0/1 map of dropped units (1 = dropped), FLOAT, c-order, canonical shape: seeds drawn Bernoulli(gamma) at the
     * valid positions, each widened to its block. A new array in the current workspace.
     */
    INDArray blocks(double keep, long seed, long[] shape) {
        long height = shape[2];
        long width = shape[3];
        INDArray seeds = Nd4j.createUninitialized(DataType.FLOAT,
                new long[] {shape[0], shape[1], height - size + 1, width - size + 1}, 'c');
        double gamma = gamma(keep, size, height, width);
        MaskEngine.fill(MaskSpec.of(MaskKind.BERNOULLI, gamma, Scaling.VANILLA, NO_AXES), seed, seeds);
        if (size == 1) {
            return seeds;
        }
        INDArray rows = Nd4j.createUninitialized(DataType.FLOAT,
                new long[] {shape[0], shape[1], height - size + 1, width}, 'c');
        maxPool(seeds, rows, 1, size);
        INDArray blocks = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        maxPool(rows, blocks, size, 1);
        return blocks;
    }

    /** Stride-1 max pooling over a kH x kW window with kH - 1 and kW - 1 of padding (never taken as a value). */
    private static void maxPool(INDArray in, INDArray out, int kH, int kW) {
        Pooling2DConfig config = Pooling2DConfig.builder().kH(kH).kW(kW).sH(1).sW(1).pH(kH - 1).pW(kW - 1)
                .dH(1).dW(1).paddingMode(PaddingMode.VALID).isNHWC(false).build();
        Nd4j.getExecutioner().exec(new MaxPooling2D(in, out, config));
    }

    /** count / count_kept for the batch (one value) or per example (one per example of the mask). */
    private double[] scales(long seed, long[] shape, INDArray blocks) {
        Counted c = counted;
        if (c != null && c.seed == seed && Arrays.equals(c.shape, shape)) {
            return c.scales;
        }
        double[] scales;
        if (perExample && shape[0] > 1) {
            long[] dropped = Nd4j.getExecutioner().exec(new CountNonZero(blocks, 1, 2, 3)).toLongVector();
            long perGroup = shape[1] * shape[2] * shape[3];
            scales = new double[dropped.length];
            for (int i = 0; i < scales.length; i++) {
                scales[i] = scale(perGroup, perGroup - dropped[i]);
            }
        } else {
            long dropped = Nd4j.getExecutioner().exec(new CountNonZero(blocks)).getLong(0);
            scales = new double[] {scale(blocks.length(), blocks.length() - dropped)};
        }
        counted = new Counted(seed, shape, scales);
        return scales;
    }

    private static double scale(long count, long kept) {
        return kept == 0 ? 1.0 : (double) count / kept;
    }

    /** Multiplies the 0/1 mask by its scale(s), each rounded once to the mask's type. */
    private static void scale(INDArray mask, double[] scales, DataType type) {
        for (double s : scales) {
            Checks.blockScaleFits(s, type);
        }
        if (scales.length == 1) {
            if (scales[0] != 1.0) {
                mask.muli(scales[0]);
            }
            return;
        }
        INDArray perExample = Nd4j.createFromArray(scales).castTo(type).reshape(scales.length, 1, 1, 1);
        MaskEngine.multiply(mask, perExample, mask);
    }

    @Override
    public String toString() {
        return size + "x" + size + " " + (channelsLast ? "NHWC" : "NCHW") + (perExample ? ", per example" : "");
    }

    /** One pass's counted scale, for its backward pass. */
    private static final class Counted {
        final long seed;
        final long[] shape;
        final double[] scales;

        Counted(long seed, long[] shape, double[] scales) {
            this.seed = seed;
            this.shape = shape;
            this.scales = scales;
        }
    }
}

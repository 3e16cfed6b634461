package org.dropkit.internal;

import java.math.BigDecimal;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The argument checks of Dropkit, in one place: constructors, builders, {@code build()} and the forward pass call
 * these. Every message names the value, the valid range and the fix. Checks are NaN-safe ({@code !(p > 0)} rather
 * than {@code p <= 0}).
 */
public final class Checks {

    /** The largest input rank DL4J layers produce (CNN3D: [batch, channels, depth, height, width]). */
    public static final int MAX_RANK = 5;

    private Checks() {
    }

    /**
     * @param p      a retain probability
     * @param origin where it came from, for the message (e.g. "MaskDropout.bernoulli(p)")
     * @return p, if it is in (0, 1]
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double retainProbability(double p, String origin) {
        if (!(p > 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("retain probability p (" + p + ") given to " + origin
                    + " must be in (0, 1]: p is the probability of KEEPING a unit (DL4J's convention) and p = 1 means"
                    + " no dropout. A Keras/PyTorch drop rate of 0.2 is p = 0.8; use MaskDropout.ofDropRate(0.2)"
                    + " to pass a drop rate.");
        }
        return p;
    }

    /**
     * @param p        the value a schedule for the retain probability gave
     * @param owner    whose schedule it is, for the message ("MaskDropout", "MaskDropConnect")
     * @param schedule that schedule, for the message
     * @return p, if it is in (0, 1]
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double scheduledRetainProbability(double p, String owner, ISchedule schedule, int iteration,
            int epoch) {
        if (!(p > 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException(owner + "'s schedule for the retain probability " + schedule
                    + " gave p = " + p + " at iteration " + iteration + ", epoch " + epoch + ": every value it gives"
                    + " must be in (0, 1] (p is the probability of keeping a unit; 1 means no dropout). Change the"
                    + " schedule so that its values stay in that range at every iteration and epoch of training.");
        }
        return p;
    }

    /**
     * @param rate   a drop rate (Keras {@code rate}, PyTorch {@code p})
     * @param origin where it came from, for the message
     * @return the retain probability 1 - rate, if rate is in [0, 1)
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double dropRateToRetain(double rate, String origin) {
        if (!(rate >= 0.0 && rate < 1.0)) {
            throw new IllegalArgumentException("drop rate (" + rate + ") given to " + origin
                    + " must be in [0, 1): it is the probability of DROPPING a unit (Keras rate, PyTorch p), and 1"
                    + " would drop every unit. To pass DL4J's retain probability instead, use"
                    + " MaskDropout.bernoulli(p) or MaskDropout.gaussian(p).");
        }
        return complement(rate);
    }

    /**
     * 1 - x as a person writes it: computed on the shortest decimal that reads back as x ({@link Double#toString}),
     * then rounded once to the nearest double, so {@code complement(0.8)} is 0.2, where {@code 1.0 - 0.8} is
     * 0.19999999999999996. Every drop rate becomes a retain probability here (and a Gaussian rate schedule's values
     * in {@code OneMinusSchedule}). Non-finite x gives {@code 1.0 - x}.
     */
    public static double complement(double x) {
        if (!Double.isFinite(x)) {
            return 1.0 - x;
        }
        return BigDecimal.ONE.subtract(BigDecimal.valueOf(x)).doubleValue();
    }

    /**
     * @return the axes, sorted, as a new array
     * @throws IllegalArgumentException for a negative, too large or repeated axis
     */
    public static int[] sharedAxes(int[] axes) {
        if (axes == null) {
            return new int[0];
        }
        int[] sorted = axes.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            int a = sorted[i];
            if (a < 0 || a >= MAX_RANK) {
                throw new IllegalArgumentException("shared axis (" + a + ") in " + Arrays.toString(axes)
                        + " must be in [0, " + (MAX_RANK - 1) + "]: axes are 0-based dimensions of the layer input,"
                        + " e.g. sharedAxes(2, 3) shares one mask value per (example, channel) of an NCHW input.");
            }
            if (i > 0 && sorted[i - 1] == a) {
                throw new IllegalArgumentException("shared axis (" + a + ") appears twice in "
                        + Arrays.toString(axes) + ": list each axis once.");
            }
        }
        return sorted;
    }

    /**
     * @throws IllegalArgumentException if an axis does not exist in an input of the given shape
     */
    public static void sharedAxesFitShape(int[] sortedAxes, long[] shape) {
        if (sortedAxes.length > 0 && sortedAxes[sortedAxes.length - 1] >= shape.length) {
            throw new IllegalArgumentException("shared axis (" + sortedAxes[sortedAxes.length - 1] + ") of "
                    + Arrays.toString(sortedAxes) + " is out of range for an input of rank " + shape.length
                    + " (shape " + Arrays.toString(shape) + "): valid axes are 0 to " + (shape.length - 1)
                    + ". Spatial sharing needs a CNN input and time sharing an RNN input: attach this dropout to a"
                    + " layer whose input has that rank, or choose other shared axes.");
        }
    }

    /**
     * @throws IllegalArgumentException if the scaling cannot be used with the mask kind (vanilla Gaussian)
     */
    public static void scalingFitsKind(Scaling scaling, MaskKind kind) {
        if (kind != MaskKind.BERNOULLI && scaling == Scaling.VANILLA) {
            throw new IllegalArgumentException("Scaling.VANILLA applies to BERNOULLI masks only: " + kind
                    + (kind == MaskKind.GAUSSIAN ? " has mean 1" : kind == MaskKind.ALPHA
                            ? " keeps mean and variance with its own affine correction" : " adds noise of mean 0")
                    + " and needs no rescaling at inference. Use Scaling.INVERTED (the default) with it.");
        }
        if (kind == MaskKind.DROP_BLOCK && scaling == Scaling.VANILLA) {
            throw new IllegalArgumentException("Scaling.VANILLA applies to BERNOULLI masks only: a DROP_BLOCK mask"
                    + " rescales kept units by count / count_kept in training, and its kept fraction is not p (blocks"
                    + " overlap), so no factor at inference would match it. Use Scaling.INVERTED (the default).");
        }
    }

    /**
     * @throws IllegalArgumentException if a Bernoulli mask's kept scale 1/p overflows the data type: kept units
     *                                  would be infinite and dropped ones NaN (0 * infinity)
     */
    public static void keptScaleFits(MaskSpec spec, DataType type) {
        double largest = largestFinite(type);
        if (spec.bernoulliDecisions() && !(spec.keptScale() <= largest)) {
            throw new IllegalArgumentException("retain probability p (" + spec.p() + ") is too small for " + type
                    + " data: kept units are scaled by " + (spec.kind() == MaskKind.ALPHA ? "a" : "1/p") + " = "
                    + spec.keptScale() + ", beyond " + type
                    + "'s largest value " + largest + ", so kept units would be infinite and dropped ones NaN. With "
                    + type + " use p >= " + (float) (spec.kind() == MaskKind.ALPHA
                            ? 1.0 / (largest * largest * (1.0 + MaskSpec.ALPHA_PRIME * MaskSpec.ALPHA_PRIME))
                            : 1.0 / largest) + ", or train in a wider type (e.g."
                    + " .dataType(DataType.FLOAT) on the network).");
        }
    }

    /**
     * Checks that a MaskDropout of this kind has what the kind needs: exactly one of a retain probability and a
     * schedule for it, or, for GAUSSIAN_NOISE, exactly one of a noise sigma and a schedule for it.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static void parametersFitKind(MaskKind kind, Double p, ISchedule pSchedule, Double sigma,
            ISchedule sigmaSchedule) {
        if (kind == MaskKind.GAUSSIAN_NOISE) {
            if (p != null || pSchedule != null) {
                throw new IllegalArgumentException("GAUSSIAN_NOISE adds noise of a standard deviation sigma and takes"
                        + " no retain probability p (got p = " + p + ", schedule " + pSchedule + "): build it with"
                        + " MaskDropout.gaussianNoise(sigma), or use MaskDropout.gaussian(p) for multiplicative noise");
            }
            if ((sigma == null) == (sigmaSchedule == null)) {
                throw new IllegalArgumentException("GAUSSIAN_NOISE needs exactly one of a noise sigma (" + sigma
                        + ") and a schedule for sigma (" + sigmaSchedule + ")");
            }
            return;
        }
        if (sigma != null || sigmaSchedule != null) {
            throw new IllegalArgumentException(kind + " takes a retain probability p, not a noise sigma (got sigma = "
                    + sigma + ", schedule " + sigmaSchedule + "): additive noise is MaskDropout.gaussianNoise(sigma)");
        }
        if ((p == null) == (pSchedule == null)) {
            throw new IllegalArgumentException("give exactly one of a retain probability p (" + p
                    + ") and a schedule for p (" + pSchedule + ")");
        }
    }

    /**
     * @param sigma  the standard deviation of additive Gaussian noise
     * @param origin where it came from, for the message (e.g. "MaskDropout.gaussianNoise(sigma)")
     * @return sigma, if it is finite and non-negative
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double noiseSigma(double sigma, String origin) {
        if (!(sigma >= 0.0 && sigma < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise standard deviation sigma (" + sigma + ") given to " + origin
                    + " must be finite and >= 0: the noise added to each unit is N(0, sigma^2), as in DL4J's and"
                    + " Keras's GaussianNoise(stddev), and sigma = 0 means no noise. Pass the standard deviation"
                    + " itself, e.g. MaskDropout.gaussianNoise(0.1), not a variance or a retain probability.");
        }
        return sigma;
    }

    /**
     * @param sigma    the value a schedule for the noise standard deviation gave
     * @param schedule that schedule, for the message
     * @return sigma, if it is finite and non-negative
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double scheduledNoiseSigma(double sigma, ISchedule schedule, int iteration, int epoch) {
        if (!(sigma >= 0.0 && sigma < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("MaskDropout's schedule for the noise standard deviation " + schedule
                    + " gave sigma = " + sigma + " at iteration " + iteration + ", epoch " + epoch + ": every value it"
                    + " gives must be finite and >= 0 (0 means no noise). Change the schedule so that its values stay"
                    + " in that range at every iteration and epoch of training.");
        }
        return sigma;
    }

    /**
     * @throws IllegalArgumentException if noise of this sigma overflows the data type: a draw beyond 8 sigma has
     *                                  probability about 1e-15, so 8 sigma must be finite there
     */
    public static void noiseFits(MaskSpec spec, DataType type) {
        double largest = largestFinite(type);
        if (spec.isAdditive() && !(spec.sigma() * 8.0 <= largest)) {
            throw new IllegalArgumentException("noise standard deviation sigma (" + spec.sigma() + ") is too large"
                    + " for " + type + " data: noise of 8 sigma = " + spec.sigma() * 8.0 + " would be beyond " + type
                    + "'s largest value " + largest + " (infinite outputs). With " + type + " use sigma <= "
                    + (float) (largest / 8.0) + ", or train in a wider type (e.g. .dataType(DataType.FLOAT) on the"
                    + " network).");
        }
    }

    private static double largestFinite(DataType type) {
        switch (type) {
            case HALF:
                return 65504.0;
            case BFLOAT16:
                return 3.3895313892515355e38;
            case FLOAT:
                return Float.MAX_VALUE;
            default:
                return Double.MAX_VALUE;
        }
    }

    /**
     * @throws IllegalArgumentException if the array does not hold floating-point data
     */
    public static void floatingPoint(INDArray array, String role) {
        DataType type = array.dataType();
        if (!type.isFPType()) {
            throw new IllegalArgumentException(role + " has data type " + type + ", but dropout needs floating-point"
                    + " data (FLOAT, DOUBLE, HALF or BFLOAT16): cast it first, e.g. array.castTo(DataType.FLOAT),"
                    + " or set the network's dataType(...).");
        }
    }

    /**
     * @throws IllegalArgumentException if {@code actual} does not have the shape {@code expected}
     */
    public static void sameShape(long[] expected, INDArray actual, String role, String expectedRole) {
        if (!Arrays.equals(expected, actual.shape())) {
            throw new IllegalArgumentException(role + " has shape " + Arrays.toString(actual.shape())
                    + ", but " + expectedRole + " had shape " + Arrays.toString(expected)
                    + ": they must be equal. Pass the gradient with respect to this dropout's output.");
        }
    }

    // ---- DropBlock ----

    /**
     * @param keep   DropBlock's keep probability (the paper's keep_prob)
     * @param origin where it came from, for the message
     * @return keep, if it is in (0, 1]
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double keepProbability(double keep, String origin) {
        if (!(keep > 0.0 && keep <= 1.0)) {
            throw new IllegalArgumentException("keep probability (" + keep + ") given to " + origin + " must be in (0,"
                    + " 1]: it is the paper's keep_prob, the fraction of units DropBlock aims to KEEP (as DL4J's p),"
                    + " and 1 means no dropout; the paper uses 0.9. torchvision's DropBlock2d(p=0.1) takes the drop"
                    + " probability: use MaskDropout.dropBlockOfDropRate(0.1, blockSize, format) to pass that.");
        }
        return keep;
    }

    /**
     * @return the block size, if it is at least 1
     * @throws IllegalArgumentException otherwise
     */
    public static int blockSize(int blockSize, String origin) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size (" + blockSize + ") given to " + origin + " must be >= 1:"
                    + " it is the side of the square DropBlock drops, in units of the feature map (the paper uses 7"
                    + " on ResNet-50's 28x28 and 14x14 maps; 1 drops single units like dropout).");
        }
        return blockSize;
    }

    /**
     * @param sortedAxes shared axes of a DropBlock mask
     * @throws IllegalArgumentException unless every axis is the example axis 0 or the format's channel axis
     */
    public static void dropBlockSharedAxes(int[] sortedAxes, boolean channelsLast) {
        int channelAxis = channelsLast ? 3 : 1;
        for (int axis : sortedAxes) {
            if (axis != 0 && axis != channelAxis) {
                throw new IllegalArgumentException("shared axes " + Arrays.toString(sortedAxes) + " of a DropBlock"
                        + " mask on " + (channelsLast ? "NHWC" : "NCHW") + " input include axis " + axis + ", a"
                        + " spatial axis: DropBlock's blocks are spatial, so its mask can be shared only over the"
                        + " example axis 0 and the channel axis " + channelAxis + ". For one block pattern for all"
                        + " channels of an example (the paper's shared variant) use sharedAxes(" + channelAxis + ").");
            }
        }
    }

    /**
     * Checks DropBlock's input at a forward pass: rank 4, and a block that fits the feature map.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static void dropBlockInput(int blockSize, boolean channelsLast, long[] shape) {
        String format = channelsLast ? "NHWC" : "NCHW";
        if (shape.length != 4) {
            throw new IllegalArgumentException("DropBlock needs 4-D convolutional input ([batch, channels, height,"
                    + " width] for NCHW, [batch, height, width, channels] for NHWC), got rank " + shape.length
                    + " (shape " + Arrays.toString(shape) + "): attach it with .dropOut(...) to a 2-D ConvolutionLayer"
                    + " (it acts on that layer's input), or put the MaskDropoutLayer after a 2-D convolution or pooling"
                    + " layer. For"
                    + " element-wise dropout on other input use MaskDropout.bernoulli(p).");
        }
        long height = channelsLast ? shape[1] : shape[2];
        long width = channelsLast ? shape[2] : shape[3];
        blockFitsMap(blockSize, format, height, width, "input of shape " + Arrays.toString(shape) + " read as "
                + format);
    }

    /**
     * Checks DropBlock against a layer's input type, where the network configuration knows it.
     *
     * @throws IllegalArgumentException for input that is not 2-D convolutional, of another format, or smaller than
     *                                  the block
     */
    public static void dropBlockInputType(int blockSize, boolean channelsLast, InputType inputType) {
        String format = channelsLast ? "NHWC" : "NCHW";
        if (!(inputType instanceof InputType.InputTypeConvolutional)) {
            throw new IllegalArgumentException("DropBlock needs 2-D convolutional input (InputType.convolutional),"
                    + " got " + inputType + ": put the layer after a 2-D convolution or pooling layer, or use"
                    + " MaskDropout.bernoulli(p) for element-wise dropout.");
        }
        InputType.InputTypeConvolutional conv = (InputType.InputTypeConvolutional) inputType;
        if ((conv.getFormat() == CNN2DFormat.NHWC) != channelsLast) {
            throw new IllegalArgumentException("DropBlock was built for " + format + " input, but the input type is "
                    + conv.getFormat() + " (" + inputType + "): build it with MaskDropout.dropBlock(keepProb,"
                    + " blockSize, CNN2DFormat." + conv.getFormat() + ").");
        }
        blockFitsMap(blockSize, format, conv.getHeight(), conv.getWidth(), "input type " + inputType);
    }

    private static void blockFitsMap(int blockSize, String format, long height, long width, String what) {
        if (blockSize > height || blockSize > width) {
            throw new IllegalArgumentException("DropBlock's block size (" + blockSize + ") is larger than the feature"
                    + " map, " + height + " x " + width + " (height x width) of the " + what + ": the block must fit"
                    + " in the map, 1 <= block size <= " + Math.min(height, width) + ". Use a smaller block size, or"
                    + " DropBlock on an earlier, larger feature map" + (format.equals("NCHW") && width < height
                            ? "; if this input is channels-last, build the dropout with CNN2DFormat.NHWC" : "")
                    + ".");
        }
    }

    /**
     * @throws IllegalStateException if a DropBlock pass's scale count / count_kept overflows the data type (with
     *                               HALF, a group that keeps fewer than 1 in 65504 of its units)
     */
    public static void blockScaleFits(double scale, DataType type) {
        double largest = largestFinite(type);
        if (!(scale <= largest)) {
            throw new IllegalStateException("DropBlock kept so few units that their scale count / count_kept = "
                    + scale + " is beyond " + type + "'s largest value " + largest + ": kept units would be"
                    + " infinite. Use a larger keep probability or a smaller block size, normalise over the batch"
                    + " (BlockNormalization.BATCH), or train in a wider type (.dataType(DataType.FLOAT)).");
        }
    }

    /**
     * @param p      the probability of retaining a weight (DropConnect)
     * @param origin where it came from, for the message (e.g. "MaskDropConnect.bernoulli(p)")
     * @return p, if it is in (0, 1]
     * @throws IllegalArgumentException otherwise, NaN included
     */
    public static double weightRetainProbability(double p, String origin) {
        if (!(p > 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("weight retain probability p (" + p + ") given to " + origin
                    + " must be in (0, 1]: p is the probability of KEEPING a weight (DL4J's DropConnect convention)"
                    + " and p = 1 means no DropConnect. A drop rate of 0.3 is p = 0.7; use"
                    + " MaskDropConnect.ofDropRate(0.3) to pass a drop rate.");
        }
        return p;
    }
}

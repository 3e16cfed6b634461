package org.dropkit.inference;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of {@link MonteCarloDropout}: for each output value, the mean and the standard deviation of T
 * stochastic passes. Both have the shape and data type of the network's output.
 *
 * <p>Immutable: the arrays are private copies, detached from any workspace, and every accessor returns a fresh copy.
 */
public final class MonteCarloPrediction {

    private final INDArray mean;
    private final INDArray std;
    private final int samples;

    MonteCarloPrediction(INDArray mean, INDArray std, int samples) {
        this.mean = mean;
        this.std = std;
        this.samples = samples;
    }

    /**
     * The predictive mean: the average of the T sampled outputs, element by element.
     *
     * @return a copy, shaped like the network's output
     */
    public INDArray mean() {
        return mean.dup();
    }

    /**
     * The predictive spread: the sample standard deviation of the T sampled outputs, element by element (divisor
     * T - 1). Exactly zero where every pass gave the same value, for example when every chosen layer has p = 1.
     *
     * @return a copy, shaped like the network's output
     */
    public INDArray std() {
        return std.dup();
    }

    /**
     * T, the number of stochastic passes averaged.
     *
     * @return T
     */
    public int samples() {
        return samples;
    }

    /**
     * The number of examples (the size of the first axis of the output).
     *
     * @return the number of examples
     */
    public long examples() {
        return mean.size(0);
    }

    /**
     * One number per example: the standard deviation averaged over that example's outputs (over every axis but the
     * first). A vector of length {@link #examples()}.
     *
     * @return a new vector, one value per example
     */
    public INDArray spreadPerExample() {
        if (std.rank() < 2) {
            return std.dup();
        }
        int[] axes = new int[std.rank() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        return std.mean(axes);
    }

    /**
     * The standard deviation averaged over every output value of every example: one summary number.
     *
     * @return the mean standard deviation
     */
    public double meanSpread() {
        return std.meanNumber().doubleValue();
    }

    @Override
    public String toString() {
        return "MonteCarloPrediction(samples=" + samples + ", shape=" + Arrays.toString(mean.shape())
                + ", meanSpread=" + meanSpread() + ")";
    }
}

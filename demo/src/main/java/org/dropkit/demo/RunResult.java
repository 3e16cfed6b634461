package org.dropkit.demo;

/**
 * What one training run (one variant, one seed) measured: learning curves, final metrics, the held-out predictions
 * of the last epoch, time, mask memory, and Monte Carlo dropout results where the variant has them.
 */
final class RunResult {

    final String experiment;
    final Variant variant;
    final long seed;
    /** The epochs (1-based) after which the curves below were measured; the last is the last epoch. */
    final int[] epochs;
    final double[] trainAccuracy;
    final double[] heldOutAccuracy;
    final double[] trainLoss;
    final double[] heldOutLoss;
    /** The last epoch's held-out predictions (dropout off): top class probability and whether it was right. */
    final Predictions heldOut;
    final double msPerEpoch;
    final long maskBytes;
    /** Monte Carlo dropout results, or null for a variant that is not sampled. */
    MonteCarloSummary monteCarlo;

    RunResult(String experiment, Variant variant, long seed, int[] epochs, double[] trainAccuracy,
            double[] heldOutAccuracy,
            double[] trainLoss, double[] heldOutLoss, Predictions heldOut, double msPerEpoch, long maskBytes) {
        this.experiment = experiment;
        this.variant = variant;
        this.seed = seed;
        this.epochs = epochs;
        this.trainAccuracy = trainAccuracy;
        this.heldOutAccuracy = heldOutAccuracy;
        this.trainLoss = trainLoss;
        this.heldOutLoss = heldOutLoss;
        this.heldOut = heldOut;
        this.msPerEpoch = msPerEpoch;
        this.maskBytes = maskBytes;
    }

    /** The number of points on each curve. */
    int points() {
        return trainAccuracy.length;
    }

    double finalTrainAccuracy() {
        return trainAccuracy[points() - 1];
    }

    double finalHeldOutAccuracy() {
        return heldOutAccuracy[points() - 1];
    }

    double finalTrainLoss() {
        return trainLoss[points() - 1];
    }

    double finalHeldOutLoss() {
        return heldOutLoss[points() - 1];
    }

    double gap() {
        return finalTrainAccuracy() - finalHeldOutAccuracy();
    }
}

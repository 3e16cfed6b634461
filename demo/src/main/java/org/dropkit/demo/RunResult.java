package org.dropkit.demo;

/** What one training run measured: learning curves, final metrics, time, mask memory, Monte Carlo spreads. */
final class RunResult {

    final String experiment;
    final Variant variant;
    final double[] trainAccuracy;
    final double[] heldOutAccuracy;
    final double[] trainLoss;
    final double[] heldOutLoss;
    final double msPerEpoch;
    final long maskBytes;
    /** Monte Carlo dropout results, or null for a network without MaskDropoutLayers. */
    MonteCarloSummary monteCarlo;

    RunResult(String experiment, Variant variant, double[] trainAccuracy, double[] heldOutAccuracy,
            double[] trainLoss, double[] heldOutLoss, double msPerEpoch, long maskBytes) {
        this.experiment = experiment;
        this.variant = variant;
        this.trainAccuracy = trainAccuracy;
        this.heldOutAccuracy = heldOutAccuracy;
        this.trainLoss = trainLoss;
        this.heldOutLoss = heldOutLoss;
        this.msPerEpoch = msPerEpoch;
        this.maskBytes = maskBytes;
    }

    int epochs() {
        return trainAccuracy.length;
    }

    double finalTrainAccuracy() {
        return trainAccuracy[epochs() - 1];
    }

    double finalHeldOutAccuracy() {
        return heldOutAccuracy[epochs() - 1];
    }

    double gap() {
        return finalTrainAccuracy() - finalHeldOutAccuracy();
    }
}

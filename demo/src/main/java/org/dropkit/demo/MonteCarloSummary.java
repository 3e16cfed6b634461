package org.dropkit.demo;

/** Monte Carlo dropout spreads of one trained network: per example, in distribution and out of distribution. */
final class MonteCarloSummary {

    final int samples;
    final double[] inDistribution;
    final double[] outOfDistribution;

    MonteCarloSummary(int samples, double[] inDistribution, double[] outOfDistribution) {
        this.samples = samples;
        this.inDistribution = inDistribution;
        this.outOfDistribution = outOfDistribution;
    }

    double meanIn() {
        return mean(inDistribution);
    }

    double meanOut() {
        return mean(outOfDistribution);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}

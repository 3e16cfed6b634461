package org.dropkit.demo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.inference.MonteCarloDropout;
import org.dropkit.inference.MonteCarloPrediction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Monte Carlo dropout on one trained network: T stochastic passes over the held-out digits and over two
 * out-of-distribution sets made from them, the same digits turned a quarter turn and the same digits in negative.
 * Each set keeps, per example, the spread (standard deviation of the class probabilities over the passes, averaged
 * over the classes), and the confidence and correctness of the predictive mean.
 */
final class MonteCarloSummary {

    final int samples;
    final Predictions heldOut;
    final Predictions rotated;
    final Predictions inverted;

    MonteCarloSummary(int samples, Predictions heldOut, Predictions rotated, Predictions inverted) {
        this.samples = samples;
        this.heldOut = heldOut;
        this.rotated = rotated;
        this.inverted = inverted;
    }

    static MonteCarloSummary sample(MultiLayerNetwork net, Input input, Digits heldOut, int samples, long seed) {
        Nd4j.getRandom().setSeed(seed);
        MonteCarloDropout mc = MonteCarloDropout.of(net).samples(samples);
        return new MonteCarloSummary(samples, predict(mc, input, heldOut), predict(mc, input, heldOut.rotated()),
                predict(mc, input, heldOut.inverted()));
    }

    private static Predictions predict(MonteCarloDropout mc, Input input, Digits digits) {
        MonteCarloPrediction p = mc.predict(input.features(digits));
        INDArray labels = Nd4j.createFromArray(digits.oneHot());
        return Predictions.of(p.mean(), labels, p.spreadPerExample().toDoubleVector());
    }

    double spreadRight() {
        return Stats.mean(heldOut.spreadWhere(true));
    }

    double spreadWrong() {
        return Stats.mean(heldOut.spreadWhere(false));
    }

    /** How well the spread tells wrong held-out predictions from right ones (AUROC; 0.5 is chance). */
    double errorAuroc() {
        return Metrics.auroc(heldOut.spreadWhere(false), heldOut.spreadWhere(true));
    }

    /** How well the spread tells an out-of-distribution set from the held-out digits (AUROC; 0.5 is chance). */
    static double oodAuroc(Predictions ood, Predictions inDistribution) {
        return Metrics.auroc(ood.spread, inDistribution.spread);
    }

    /** Expected calibration error of the predictive mean on the held-out digits. */
    double calibrationError() {
        return Metrics.expectedCalibrationError(heldOut.confidence, heldOut.correct);
    }
}

package org.dropkit.demo;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network's predictions on a set of digits, reduced to what calibration and uncertainty need: per example the
 * probability of the predicted class (the confidence), whether that class is the label, and optionally the Monte
 * Carlo spread.
 */
final class Predictions {

    final double[] confidence;
    final boolean[] correct;
    /** Monte Carlo spread per example, or null for a deterministic prediction. */
    final double[] spread;

    Predictions(double[] confidence, boolean[] correct, double[] spread) {
        this.confidence = confidence;
        this.correct = correct;
        this.spread = spread;
    }

    /**
     * @param probabilities {@code [n, classes]} class probabilities
     * @param labels        {@code [n, classes]} one-hot labels
     * @param spread        per-example spread, or null
     */
    static Predictions of(INDArray probabilities, INDArray labels, double[] spread) {
        INDArray p = probabilities.castTo(DataType.DOUBLE);
        long[] predicted = p.argMax(1).toLongVector();
        long[] truth = labels.argMax(1).toLongVector();
        double[] confidence = p.max(1).toDoubleVector();
        boolean[] correct = new boolean[predicted.length];
        for (int i = 0; i < correct.length; i++) {
            correct[i] = predicted[i] == truth[i];
        }
        return new Predictions(confidence, correct, spread);
    }

    int size() {
        return correct.length;
    }

    double accuracy() {
        int right = 0;
        for (boolean c : correct) {
            right += c ? 1 : 0;
        }
        return right / (double) correct.length;
    }

    /** The spreads of the examples whose prediction is right (true) or wrong (false). */
    double[] spreadWhere(boolean right) {
        int n = 0;
        for (boolean c : correct) {
            n += c == right ? 1 : 0;
        }
        double[] out = new double[n];
        int k = 0;
        for (int i = 0; i < correct.length; i++) {
            if (correct[i] == right) {
                out[k++] = spread[i];
            }
        }
        return out;
    }
}

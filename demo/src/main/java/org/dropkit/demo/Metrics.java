package org.dropkit.demo;

import java.util.Arrays;
import java.util.List;

/** Scores of predictive uncertainty: calibration error, reliability bins, and how well a score ranks two groups. */
final class Metrics {

    /** Equal-width confidence bins of the reliability diagram and the expected calibration error. */
    static final int BINS = 10;

    private Metrics() {
    }

    /**
     * Expected calibration error (Guo et al. 2017): the confidences in {@code BINS} equal-width bins over [0, 1], and
     * the sum over bins of (examples in the bin / all examples) x |accuracy in the bin - mean confidence in the bin|.
     * 0 for a perfectly calibrated predictor.
     */
    static double expectedCalibrationError(double[] confidence, boolean[] correct) {
        Reliability r = reliability(confidence, correct);
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            if (r.count[b] > 0) {
                ece += r.count[b] / (double) confidence.length * Math.abs(r.accuracy[b] - r.meanConfidence[b]);
            }
        }
        return ece;
    }

    /** Per confidence bin: how many examples, their mean confidence and their accuracy (NaN for an empty bin). */
    static Reliability reliability(double[] confidence, boolean[] correct) {
        if (confidence.length != correct.length || confidence.length == 0) {
            throw new IllegalArgumentException("need as many confidences as outcomes, at least one: got "
                    + confidence.length + " and " + correct.length);
        }
        int[] count = new int[BINS];
        double[] sumConfidence = new double[BINS];
        int[] right = new int[BINS];
        for (int i = 0; i < confidence.length; i++) {
            int b = bin(confidence[i]);
            count[b]++;
            sumConfidence[b] += confidence[i];
            right[b] += correct[i] ? 1 : 0;
        }
        double[] meanConfidence = new double[BINS];
        double[] accuracy = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            meanConfidence[b] = count[b] == 0 ? Double.NaN : sumConfidence[b] / count[b];
            accuracy[b] = count[b] == 0 ? Double.NaN : right[b] / (double) count[b];
        }
        return new Reliability(count, meanConfidence, accuracy);
    }

    /** The bin of a confidence in [0, 1]: [0, 0.1), [0.1, 0.2), ..., [0.9, 1]. */
    static int bin(double confidence) {
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence " + confidence + " is not a probability in [0, 1]");
        }
        return Math.min(BINS - 1, (int) (confidence * BINS));
    }

    /**
     * The area under the ROC curve of a score that should be higher for {@code positives} than for {@code negatives}:
     * the probability that a random positive scores higher than a random negative, ties counting one half
     * (Mann-Whitney). 0.5 is chance, 1 a perfect separation.
     */
    static double auroc(double[] positives, double[] negatives) {
        if (positives.length == 0 || negatives.length == 0) {
            return Double.NaN;
        }
        double[] neg = negatives.clone();
        Arrays.sort(neg);
        double wins = 0;
        for (double x : positives) {
            int below = lowerBound(neg, x);
            int notAbove = upperBound(neg, x);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double) positives.length * negatives.length);
    }

    /** The number of elements of the sorted array below x. */
    private static int lowerBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The number of elements of the sorted array at or below x. */
    private static int upperBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The examples of all the sets pooled and sorted by spread, cut into {@code bins} bins of (nearly) equal size:
     * per bin the mean spread ({@code [0]}) and the accuracy ({@code [1]}). A useful uncertainty falls from left to
     * right.
     */
    static double[][] accuracyBySpread(List<Predictions> sets, int bins) {
        int n = 0;
        for (Predictions p : sets) {
            n += p.size();
        }
        if (n < bins || bins < 1) {
            throw new IllegalArgumentException("need at least one example per bin: " + n + " examples, " + bins
                    + " bins");
        }
        double[] spread = new double[n];
        boolean[] correct = new boolean[n];
        int k = 0;
        for (Predictions p : sets) {
            System.arraycopy(p.spread, 0, spread, k, p.size());
            System.arraycopy(p.correct, 0, correct, k, p.size());
            k += p.size();
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(spread[a], spread[b]));
        double[][] out = new double[2][bins];
        for (int b = 0; b < bins; b++) {
            int from = (int) ((long) n * b / bins);
            int to = (int) ((long) n * (b + 1) / bins);
            double sum = 0;
            int right = 0;
            for (int i = from; i < to; i++) {
                sum += spread[order[i]];
                right += correct[order[i]] ? 1 : 0;
            }
            out[0][b] = sum / (to - from);
            out[1][b] = right / (double) (to - from);
        }
        return out;
    }

    /** The reliability diagram's bins. */
    static final class Reliability {
        final int[] count;
        final double[] meanConfidence;
        final double[] accuracy;

        Reliability(int[] count, double[] meanConfidence, double[] accuracy) {
            this.count = count;
            this.meanConfidence = meanConfidence;
            this.accuracy = accuracy;
        }
    }
}

package org.dropkit.demo;

import java.util.Locale;

/** Mean and spread over seeds, and how the tables print them. */
final class Stats {

    private Stats() {
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** The sample standard deviation (divisor n - 1); 0 for a single value. */
    static double sd(double[] values) {
        if (values.length < 2) {
            return 0.0;
        }
        double m = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - m) * (v - m);
        }
        return Math.sqrt(sum / (values.length - 1));
    }

    /** "mean ± sd" of the values times {@code scale}, with {@code decimals} decimals; just the mean for one value. */
    static String meanSd(double[] values, double scale, int decimals) {
        String f = "%." + decimals + "f";
        String mean = String.format(Locale.ROOT, f, scale * mean(values));
        return values.length < 2 ? mean : mean + " ± " + String.format(Locale.ROOT, f, scale * sd(values));
    }

    /** As {@link #meanSd}, with a sign on the mean: for differences. */
    static String signedMeanSd(double[] values, double scale, int decimals) {
        String s = meanSd(values, scale, decimals);
        return s.startsWith("-") ? s : "+" + s;
    }
}

package org.dropkit.migrate;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.function.DoubleFunction;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.dropkit.MaskDropout;
import org.dropkit.internal.Checks;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The one place that decides what Dropkit dropout has the meaning of a DL4J {@link IDropout}. Only DL4J's own classes
 * (not subclasses) are converted; everything else is left, with the reason.
 */
final class DropoutConversion {

    /** The replacement, or null when the dropout is left; the note says how or why. */
    final MaskDropout replacement;
    final String note;

    private DropoutConversion(MaskDropout replacement, String note) {
        this.replacement = replacement;
        this.note = note;
    }

    private static DropoutConversion to(MaskDropout replacement, String note) {
        return new DropoutConversion(replacement, note);
    }

    private static DropoutConversion leave(String why) {
        return new DropoutConversion(null, why);
    }

    /**
     * @param dropout a DL4J dropout (not null, not a MaskDropout)
     * @param seen    the layout of the array the dropout acts on, or null if unknown
     * @param keras   the Keras layer a DL4J DropoutLayer was imported from, or null: its rate wins over the value
     *                DL4J's import stored, which DL4J 1.0.0-M2.1 loses (Dropout) or misreads (GaussianDropout)
     */
    static DropoutConversion of(IDropout dropout, Layout seen, KerasDropouts.Layer keras) {
        Class<?> type = dropout.getClass();
        if (type == Dropout.class) {
            Dropout d = (Dropout) dropout;
            if (keras != null && keras.className.equals("Dropout")) {
                return fromKeras(keras, seen, d.getPSchedule() == null && d.getP() != Checks.complement(keras.rate)
                        ? "DL4J's import stored p = " + d.getP() + ": DL4J 1.0.0-M2.1 reads Keras' Dropout rate"
                                + " from a field named \"dropout\", which Keras' Dropout does not have" : null,
                        MaskDropout::ofDropRate);
            }
            if (d.getPSchedule() != null) {
                return to(MaskDropout.bernoulli(d.getPSchedule().clone()), "schedule for p kept");
            }
            return retainProbability(d.getP()) ? to(MaskDropout.bernoulli(d.getP()), "")
                    : leave("p = " + d.getP() + " is outside (0, 1]: DL4J accepts it, Dropkit does not");
        }
        if (type == GaussianDropout.class) {
            return gaussian((GaussianDropout) dropout, seen, keras);
        }
        if (type == SpatialDropout.class) {
            return spatial((SpatialDropout) dropout, seen, keras);
        }
        if (type == AlphaDropout.class) {
            return alpha((AlphaDropout) dropout);
        }
        if (type == GaussianNoise.class) {
            return noise((GaussianNoise) dropout);
        }
        return leave("unknown IDropout class " + type.getName() + ": not converted");
    }

    /**
     * Why a DL4J dropout does nothing at all (p = 1, rate 0, stddev 0, all fixed), or null if it may act. Only DL4J's
     * own classes; a subclass may do more.
     */
    static String whyNoOp(IDropout dropout) {
        Class<?> type = dropout.getClass();
        if (type == Dropout.class && ((Dropout) dropout).getPSchedule() == null && ((Dropout) dropout).getP() == 1.0
                || type == SpatialDropout.class && ((SpatialDropout) dropout).getPSchedule() == null
                        && ((SpatialDropout) dropout).getP() == 1.0
                || type == AlphaDropout.class && ((AlphaDropout) dropout).getPSchedule() == null
                        && ((AlphaDropout) dropout).getP() == 1.0) {
            return "p = 1 keeps every unit: no dropout";
        }
        if (type == GaussianDropout.class && ((GaussianDropout) dropout).getRateSchedule() == null
                && ((GaussianDropout) dropout).getRate() == 0.0) {
            return "rate = 0: the noise has sigma 0, no dropout";
        }
        if (type == GaussianNoise.class && ((GaussianNoise) dropout).getStddevSchedule() == null
                && ((GaussianNoise) dropout).getStddev() == 0.0) {
            return "stddev = 0: no noise";
        }
        return null;
    }

    /** Why a Keras dropout layer does nothing at all (rate 0), or null. */
    static String whyNoOp(KerasDropouts.Layer keras) {
        return keras.rate == 0.0 ? keras + ": rate 0 drops nothing, no dropout" : null;
    }

    private static DropoutConversion fromKeras(KerasDropouts.Layer keras, Layout seen, String discrepancy,
            DoubleFunction<MaskDropout> ofRate) {
        if (!(keras.rate >= 0 && keras.rate < 1)) {
            return leave(keras + " has no drop rate in [0, 1)");
        }
        MaskDropout replacement = ofRate.apply(keras.rate);
        String note = keras + ": p = 1 - rate = " + replacement.getP();
        if (keras.className.equals("GaussianDropout")) {
            note += ", sigma = sqrt(rate / (1 - rate)) = " + fmt(Math.sqrt(keras.rate / replacement.getP()));
        }
        if (keras.noiseShape != null) {
            KerasNoiseShape shape = KerasNoiseShape.map(keras.noiseShape, keras.channelsFirst, seen);
            if (shape.axes == null) {
                return leave(keras + ": " + shape.note);
            }
            replacement = replacement.sharedAxes(shape.axes);
            note += "; " + shape.note;
        }
        return to(replacement, discrepancy == null ? note : note + ". " + discrepancy);
    }

    private static DropoutConversion gaussian(GaussianDropout d, Layout seen, KerasDropouts.Layer keras) {
        if (keras != null && keras.className.equals("GaussianDropout")) {
            double stored = d.getRate();
            return fromKeras(keras, seen, d.getRateSchedule() == null && stored != keras.rate
                    ? "DL4J's import stored GaussianDropout(" + stored + "), which trains with sigma = sqrt(" + stored
                            + " / (1 - " + stored + ")) = " + fmt(Math.sqrt(stored / (1.0 - stored)))
                            + ": DL4J 1.0.0-M2.1 passes 1 - rate where its class expects the rate" : null,
                    MaskDropout::gaussianOfDropRate);
        }
        ISchedule schedule = d.getRateSchedule();
        if (schedule != null) {
            return to(MaskDropout.gaussian(new OneMinusSchedule(schedule.clone())),
                    "schedule kept: p = 1 - rate(iteration, epoch)");
        }
        double p = Checks.complement(d.getRate());
        if (!retainProbability(p)) {
            return leave("rate = " + d.getRate() + " gives no retain probability in (0, 1]");
        }
        return to(MaskDropout.gaussian(p), "p = 1 - rate = " + p + ", sigma = sqrt(rate / (1 - rate)) = "
                + fmt(Math.sqrt(d.getRate() / p)) + ", as DL4J's");
    }

    private static DropoutConversion spatial(SpatialDropout d, Layout seen, KerasDropouts.Layer keras) {
        if (seen == null) {
            return leave("the layout of this layer's input is not known from the configuration, and spatial dropout"
                    + " shares all axes but examples and channels: pass the network's input types with"
                    + " DropoutSwap.options().inputTypes(...)");
        }
        if (seen.rank < 3) {
            return leave("this dropout acts on " + seen + " input (rank " + seen.rank + "); DL4J's SpatialDropout"
                    + " accepts only rank 3, 4 or 5 and fails at the first training pass");
        }
        int[] axes = seen.spatialAxes();
        MaskDropout base;
        String how = "";
        if (keras != null && keras.className.startsWith("SpatialDropout")) {
            if (!(keras.rate >= 0 && keras.rate < 1)) {
                return leave(keras + " has no drop rate in [0, 1)");
            }
            base = MaskDropout.ofDropRate(keras.rate);
            how = keras + ": p = 1 - rate = " + base.getP() + "; ";
        } else if (d.getPSchedule() != null) {
            base = MaskDropout.bernoulli(d.getPSchedule().clone());
            how = "schedule for p kept; ";
        } else if (retainProbability(d.getP())) {
            base = MaskDropout.bernoulli(d.getP());
        } else {
            return leave("p = " + d.getP() + " is outside (0, 1]: DL4J accepts it, Dropkit does not");
        }
        how += seen + " input: one mask value per (example, channel), shared over axes " + Arrays.toString(axes);
        if (!seen.channelsFirst()) {
            how += ". DL4J's SpatialDropout assumes channels at axis 1 and would have shared axes "
                    + Arrays.toString(channelsFirstAxes(seen.rank)) + " here (one value per example and "
                    + (seen.rank == 3 ? "time step" : seen.rank == 4 ? "row" : "depth slice")
                    + "); the swap keeps the documented meaning, one value per channel";
        }
        return to(base.sharedAxes(axes), how);
    }

    /**
     * DL4J's AlphaDropout computes the paper's formula with the same a and b; what differs is what DL4J gets wrong
     * (a schedule lost in JSON, p outside (0, 1] accepted), and SELU constants other than the defaults, which only
     * DL4J's JSON or a subclass can set.
     */
    private static DropoutConversion alpha(AlphaDropout d) {
        if (d.getAlpha() != AlphaDropout.DEFAULT_ALPHA || d.getLambda() != AlphaDropout.DEFAULT_LAMBDA) {
            return leave("alpha = " + d.getAlpha() + ", lambda = " + d.getLambda() + " are not SELU's ("
                    + AlphaDropout.DEFAULT_ALPHA + ", " + AlphaDropout.DEFAULT_LAMBDA + "): Dropkit's alpha dropout sets"
                    + " dropped units to SELU's alpha' = -lambda * alpha only");
        }
        String same = "y = a (x m + alpha' (1 - m)) + b with DL4J's a and b, dx = a m dy";
        if (d.getPSchedule() != null) {
            return to(MaskDropout.alpha(d.getPSchedule().clone()), "schedule for p kept; " + same);
        }
        double p = d.getP();
        if (Double.isNaN(p)) {
            return leave("p is NaN and there is no schedule: DL4J 1.0.0-M2.1 writes AlphaDropout's schedule to JSON as"
                    + " \"pschedule\" but reads \"pSchedule\", so a network saved with a schedule loads without it, and"
                    + " then drops every unit (outputs a constant, gradient 0). Set the schedule again with"
                    + " MaskDropout.alpha(schedule)");
        }
        if (!retainProbability(p)) {
            return leave("p = " + p + " is outside (0, 1]: DL4J accepts it (its a and b are NaN there), Dropkit does"
                    + " not");
        }
        return to(MaskDropout.alpha(p), same);
    }

    /** DL4J's GaussianNoise is Dropkit's: y = x + n, n ~ N(0, stddev^2), dx = dy. */
    private static DropoutConversion noise(GaussianNoise d) {
        String same = "y = x + n, n ~ N(0, sigma^2) with sigma = stddev, dx = dy, as DL4J's";
        if (d.getStddevSchedule() != null) {
            return to(MaskDropout.gaussianNoise(d.getStddevSchedule().clone()), "schedule for the standard deviation"
                    + " kept; " + same);
        }
        double sigma = d.getStddev();
        if (!(Math.abs(sigma) < Double.POSITIVE_INFINITY)) {
            return leave("stddev = " + sigma + " is not finite: DL4J accepts it and its training outputs are NaN;"
                    + " Dropkit needs a finite sigma >= 0");
        }
        if (sigma < 0) {
            return to(MaskDropout.gaussianNoise(-sigma), "stddev = " + sigma + " is negative: DL4J draws N(0, "
                    + fmt(sigma * sigma) + ") all the same (the generator scales by stddev), so the swap takes"
                    + " sigma = " + -sigma + "; Dropkit rejects a negative sigma");
        }
        return to(MaskDropout.gaussianNoise(sigma), same);
    }

    private static int[] channelsFirstAxes(int rank) {
        int[] axes = new int[rank - 2];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 2;
        }
        return axes;
    }

    /** Six significant digits, for derived values in notes (sigma). */
    static String fmt(double x) {
        return new BigDecimal(x).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static boolean retainProbability(double p) {
        return p > 0.0 && p <= 1.0;
    }

    /** A short description of a DL4J dropout for the report (DL4J's toString prints run-time fields too). */
    static String describe(Object dropout) {
        if (dropout instanceof Dropout) {
            Dropout d = (Dropout) dropout;
            return "Dropout(" + (d.getPSchedule() != null ? "pSchedule=" + d.getPSchedule() : "p=" + d.getP()) + ")";
        }
        if (dropout instanceof GaussianDropout) {
            GaussianDropout d = (GaussianDropout) dropout;
            return "GaussianDropout(" + (d.getRateSchedule() != null ? "rateSchedule=" + d.getRateSchedule()
                    : "rate=" + d.getRate()) + ")";
        }
        if (dropout instanceof SpatialDropout) {
            SpatialDropout d = (SpatialDropout) dropout;
            return "SpatialDropout(" + (d.getPSchedule() != null ? "pSchedule=" + d.getPSchedule() : "p=" + d.getP())
                    + ")";
        }
        if (dropout instanceof AlphaDropout) {
            AlphaDropout d = (AlphaDropout) dropout;
            return "AlphaDropout(" + (d.getPSchedule() != null ? "pSchedule=" + d.getPSchedule() : "p=" + d.getP())
                    + ")";
        }
        if (dropout instanceof GaussianNoise) {
            GaussianNoise d = (GaussianNoise) dropout;
            return "GaussianNoise(" + (d.getStddevSchedule() != null ? "stddevSchedule=" + d.getStddevSchedule()
                    : "stddev=" + d.getStddev()) + ")";
        }
        return String.valueOf(dropout);
    }
}

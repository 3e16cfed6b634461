package org.dropkit.migrate;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.internal.Checks;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;

/**
 * The one place that decides which DL4J built-in {@link IDropout} has the meaning of a {@link MaskDropout}: the
 * reverse of {@link DropoutConversion}, with DL4J 1.0.0-M2.1's conventions (its {@code Dropout} and
 * {@code SpatialDropout} take a retain probability, its {@code GaussianDropout} a drop rate). What has no built-in of
 * the same meaning is left, with the reason.
 */
final class BuiltInConversion {

    /** The built-in replacement, or null when the dropout is left; the note says how or why. */
    final IDropout replacement;
    final String note;

    private BuiltInConversion(IDropout replacement, String note) {
        this.replacement = replacement;
        this.note = note;
    }

    private static BuiltInConversion to(IDropout replacement, String note) {
        String dropkit = dropkitClass(replacement);
        if (dropkit != null) {
            return leave("it would still name the Dropkit class " + dropkit + " (in its schedule): DL4J has no"
                    + " built-in of the same meaning that is free of Dropkit");
        }
        return new BuiltInConversion(replacement, note);
    }

    private static BuiltInConversion leave(String why) {
        return new BuiltInConversion(null, why);
    }

    /**
     * @param d    the Dropkit dropout
     * @param seen the layout of the array it acts on, or null if unknown
     * @param host the layer whose {@code .dropOut(...)} it is, or null for a {@code MaskDropoutLayer}'s
     */
    static BuiltInConversion of(MaskDropout d, Layout seen, Layer host) {
        if (d.getKind() == MaskKind.DROP_BLOCK) {
            return leave("DropBlock drops squares of feature maps: DL4J has no built-in DropBlock");
        }
        if (d.isPerExample()) {
            return leave("one mask value per example, shared over every other axis (drop path): DL4J has no"
                    + " built-in dropout of that shape");
        }
        int[] axes = axesAsHanded(d, host);
        if (d.getKind() == MaskKind.BERNOULLI) {
            if (axes.length == 0) {
                return d.getPSchedule() != null ? to(new Dropout(d.getPSchedule().clone()), "schedule for p kept"
                        + CUDNN_SCHEDULE) : to(new Dropout(d.getP()), "");
            }
            return spatial(d, axes, seen);
        }
        if (axes.length > 0) {
            return leave("a " + d.getKind() + " mask shared over axes " + Arrays.toString(axes) + ": DL4J's "
                    + builtInName(d.getKind()) + " draws one value per element, and only its Bernoulli"
                    + " SpatialDropout shares axes");
        }
        switch (d.getKind()) {
            case GAUSSIAN:
                return gaussian(d);
            case ALPHA:
                return alpha(d);
            case GAUSSIAN_NOISE:
                String same = "y = x + n, n ~ N(0, sigma^2), dx = dy, as Dropkit's";
                return d.getSigmaSchedule() != null ? to(new GaussianNoise(d.getSigmaSchedule().clone()),
                        "schedule for the standard deviation kept; " + same) : to(new GaussianNoise(d.getSigma()),
                        same);
            default:
                return leave("unknown mask kind " + d.getKind());
        }
    }

    /** The shared axes of the array the host hands the dropout: an LSTM hands NCW, so time-locked NWC shares 2. */
    private static int[] axesAsHanded(MaskDropout d, Layer host) {
        if (d.getTimeLocked() == RNNFormat.NWC && host instanceof LSTM) {
            return new int[] {2};
        }
        return d.getSharedAxes();
    }

    /** DL4J's SpatialDropout: a mask of shape [batch, size(1)] broadcast over axes 2.. of rank 3, 4 or 5 input. */
    private static BuiltInConversion spatial(MaskDropout d, int[] axes, Layout seen) {
        String shared = (d.getTimeLocked() != null ? "time-locked (" + d.getTimeLocked() + ") mask, " : "")
                + "shared axes " + Arrays.toString(axes);
        if (seen == null) {
            return leave(shared + ", on input whose rank is not known from the configuration: DL4J's SpatialDropout"
                    + " shares axes 2 to rank - 1, so the rank decides; pass the network's input types with"
                    + " DropoutExport.options().inputTypes(...)");
        }
        if (seen.rank < 3 || !Arrays.equals(axes, axesFrom2(seen.rank))) {
            return leave(shared + " of " + seen + " input: DL4J's only shared-axes dropout, SpatialDropout, shares"
                    + " axes 2 to rank - 1 of rank 3, 4 or 5 input (here " + (seen.rank < 3 ? "none"
                    : Arrays.toString(axesFrom2(seen.rank))) + ")");
        }
        IDropout spatial = d.getPSchedule() != null ? new SpatialDropout(d.getPSchedule().clone())
                : new SpatialDropout(d.getP());
        String note = (d.getPSchedule() != null ? "schedule for p kept; " : "") + seen + " input: one mask value per"
                + " (example, axis 1), shared over axes " + Arrays.toString(axes) + ", as DL4J's SpatialDropout";
        if (!seen.channelsFirst()) {
            note += " (axis 1 of " + seen + " is not the channel axis: the same mask as this dropout's, not one per"
                    + " channel)";
        }
        return to(spatial, note);
    }

    private static int[] axesFrom2(int rank) {
        int[] axes = new int[Math.max(0, rank - 2)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 2;
        }
        return axes;
    }

    /** Dropkit's gaussian(p) is DL4J's GaussianDropout(rate = 1 - p): both have sigma = sqrt((1 - p) / p). */
    private static BuiltInConversion gaussian(MaskDropout d) {
        ISchedule p = d.getPSchedule();
        if (p == null) {
            double rate = Checks.complement(d.getP());
            return to(new GaussianDropout(rate), "rate = 1 - p = " + rate + ", sigma = sqrt(rate / (1 - rate)) = "
                    + DropoutConversion.fmt(Math.sqrt(rate / d.getP())) + ", as Dropkit's");
        }
        ISchedule rate = rateSchedule(p);
        if (rate == null) {
            return leave("the schedule " + p + " gives p, and DL4J's GaussianDropout takes a schedule of the rate 1 -"
                    + " p: DL4J has no schedule for 1 - s of this one (OneMinusSchedule is Dropkit's); use a"
                    + " MapSchedule or FixedSchedule, or wrap a DL4J schedule s in OneMinusSchedule(s)");
        }
        return to(new GaussianDropout(rate), "schedule kept: rate = 1 - p(iteration, epoch), " + rate);
    }

    /** A DL4J schedule for 1 - p(iteration, epoch), or null where DL4J has none. */
    private static ISchedule rateSchedule(ISchedule p) {
        if (p instanceof OneMinusSchedule) {
            return ((OneMinusSchedule) p).getSchedule().clone();
        }
        if (p instanceof FixedSchedule) {
            return new FixedSchedule(Checks.complement(((FixedSchedule) p).getValue()));
        }
        if (p instanceof MapSchedule) {
            MapSchedule map = (MapSchedule) p;
            Map<Integer, Double> rates = new LinkedHashMap<>();
            map.getValues().forEach((step, value) -> rates.put(step, Checks.complement(value)));
            return new MapSchedule(map.getScheduleType(), rates);
        }
        return null;
    }

    private static BuiltInConversion alpha(MaskDropout d) {
        if (d.getPSchedule() != null) {
            return leave("DL4J 1.0.0-M2.1 writes AlphaDropout's schedule to JSON as \"pschedule\" but reads"
                    + " \"pSchedule\": a saved network would load without it and then drop every unit");
        }
        return to(new AlphaDropout(d.getP()), "y = a (x m + alpha' (1 - m)) + b with SELU's alpha and lambda, dx = a m"
                + " dy, as Dropkit's");
    }

    private static String builtInName(MaskKind kind) {
        return kind == MaskKind.GAUSSIAN ? "GaussianDropout" : kind == MaskKind.ALPHA ? "AlphaDropout"
                : "GaussianNoise";
    }

    private static final String CUDNN_SCHEDULE = " (DL4J's cuDNN dropout helper, with deeplearning4j-cuda, passes"
            + " the fixed p, NaN under a schedule, and ignores the schedule; the CPU backend reads it)";

    private static final Pattern DROPKIT_CLASS = Pattern.compile("org\\.dropkit\\.[A-Za-z0-9_.$]*[A-Za-z0-9_$]");

    /**
     * The first Dropkit class named in the JSON DL4J writes for this configuration object (a layer, a dropout, a
     * schedule), or null if it names none: what a JVM without Dropkit could not load.
     */
    static String dropkitClass(Object value) {
        String json;
        try {
            json = NeuralNetConfiguration.mapper().writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException("DL4J's JSON mapper cannot write " + value + ": " + e.getMessage(), e);
        }
        Matcher m = DROPKIT_CLASS.matcher(json);
        return m.find() ? m.group() : null;
    }
}

package org.dropkit.migrate;

import org.deeplearning4j.nn.conf.distribution.Distribution;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.dropkit.MaskDropConnect;
import org.dropkit.internal.LayerWeightMasks;

/**
 * The one place that decides what Dropkit weight noise has the meaning of a DL4J {@link IWeightNoise}: DL4J's
 * {@code DropConnect} and {@code WeightNoise} with a normal distribution of mean 0 (additive) or 1 (multiplicative).
 * Only DL4J's own classes are converted; everything else is left, with the reason. The notes say where the meaning
 * differs: DL4J's DropConnect does not scale kept weights by 1/p, both classes give a multiplicative mask's weight the
 * gradient at the noisy weights (dL/dW', not dL/dW' * m), and with {@code applyToBias(es)} both also perturb biases
 * at inference (their condition is {@code (train && isWeight) || (applyToBiases && isBias)}).
 */
final class WeightNoiseConversion {

    static final String BIASES_AT_INFERENCE = "DL4J also dropped biases at inference (its condition reads (train &&"
            + " weight) || (applyToBiases && bias)), so its inference output was random; Dropkit perturbs them in"
            + " training only";

    /** The replacement, or null when the noise is left or removed; the note says how or why. */
    final MaskDropConnect replacement;
    /** True when the noise does nothing (DropConnect with p = 1) and is removed. */
    final boolean noOp;
    final String note;

    private WeightNoiseConversion(MaskDropConnect replacement, boolean noOp, String note) {
        this.replacement = replacement;
        this.noOp = noOp;
        this.note = note;
    }

    /**
     * @param noise a DL4J weight noise (not a MaskDropConnect)
     * @param layer the layer configuration it is on
     */
    static WeightNoiseConversion of(IWeightNoise noise, Layer layer) {
        if (noise.getClass() == DropConnect.class) {
            return dropConnect((DropConnect) noise, layer);
        }
        if (noise.getClass() == WeightNoise.class) {
            return weightNoise((WeightNoise) noise, layer);
        }
        return leave("unknown weight noise class " + noise.getClass().getName() + ": left as it was");
    }

    private static WeightNoiseConversion dropConnect(DropConnect d, Layer layer) {
        MaskDropConnect to;
        if (d.getWeightRetainProbSchedule() != null) {
            to = MaskDropConnect.bernoulli(d.getWeightRetainProbSchedule().clone());
        } else {
            double p = d.getWeightRetainProb();
            if (!(p > 0.0 && p <= 1.0)) {
                return leave("p = " + p + " is outside (0, 1]" + (Double.isNaN(p) ? " (NaN and no schedule)" : "")
                        + ": DL4J accepts it, Dropkit does not");
            }
            if (p == 1.0 && !d.isApplyToBiases()) {
                return new WeightNoiseConversion(null, true, "p = 1 drops no weight");
            }
            to = MaskDropConnect.bernoulli(p);
        }
        String unsupported = unsupported(layer);
        if (unsupported != null) {
            return leave(unsupported);
        }
        to = to.applyToBiases(d.isApplyToBiases());
        return new WeightNoiseConversion(to, false, Swapper.join("DL4J kept weights unscaled (training computed with"
                + " p W on average, inference with W); Dropkit scales kept weights by 1/p, so training sees W on"
                + " average",
                "DL4J's weight gradient was dL/dW' (dropped weights were updated); Dropkit's is dL/dW' * m",
                d.isApplyToBiases() ? BIASES_AT_INFERENCE : null, d.getWeightRetainProbSchedule() != null
                        ? "schedule for p kept" : null));
    }

    private static WeightNoiseConversion weightNoise(WeightNoise w, Layer layer) {
        Distribution dist = w.getDistribution();
        if (!(dist instanceof NormalDistribution) || dist.getClass() != NormalDistribution.class) {
            return leave("WeightNoise with " + dist + ": Dropkit's weight noise is normal (N(0, sigma^2) added or"
                    + " N(1, sigma^2) multiplied); left as it was");
        }
        NormalDistribution n = (NormalDistribution) dist;
        double mean = n.getMean();
        double std = n.getStd();
        String bias = w.isApplyToBias() ? BIASES_AT_INFERENCE : null;
        if (w.isAdditive()) {
            if (mean != 0.0 || !(std >= 0.0 && std < Double.POSITIVE_INFINITY)) {
                return leave("additive noise N(" + mean + ", " + std + "^2): Dropkit's additive weight noise has mean"
                        + " 0 and a finite, non-negative sigma; left as it was");
            }
            return new WeightNoiseConversion(MaskDropConnect.gaussianNoise(std).applyToBiases(w.isApplyToBias()),
                    false, Swapper.join("W + n, n ~ N(0, " + std + "^2); the gradient dL/dW = dL/dW' is DL4J's too",
                            bias));
        }
        if (mean != 1.0 || !(std >= 0.0 && std < Double.POSITIVE_INFINITY)) {
            return leave("multiplicative noise N(" + mean + ", " + std + "^2): Dropkit's multiplicative weight noise"
                    + " has mean 1 (so the expected weight is W) and a finite sigma; left as it was");
        }
        String unsupported = unsupported(layer);
        if (unsupported != null) {
            return leave(unsupported);
        }
        // sigma^2 = (1 - p) / p, so p = 1 / (1 + sigma^2).
        double p = 1.0 / (1.0 + std * std);
        MaskDropConnect to = MaskDropConnect.gaussian(p).applyToBiases(w.isApplyToBias());
        return new WeightNoiseConversion(to, false, Swapper.join("W * m, m ~ N(1, sigma^2) with sigma = " + std
                + " as p = " + p + " (sigma^2 = (1 - p) / p; recomputed sigma " + Math.sqrt((1.0 - p) / p) + ")",
                "DL4J's weight gradient was dL/dW'; Dropkit's is dL/dW' * m", bias));
    }

    private static String unsupported(Layer layer) {
        if (LayerWeightMasks.supports(layer)) {
            return null;
        }
        return "on a " + layer.getClass().getSimpleName() + " Dropkit cannot give the exact gradient of a"
                + " multiplicative weight mask (it can on " + LayerWeightMasks.supportedNames() + "): DL4J's weight"
                + " noise left as it was, with its gradient dL/dW'";
    }

    private static WeightNoiseConversion leave(String why) {
        return new WeightNoiseConversion(null, false, why);
    }

    /** DL4J's weight noise as text, for the report. */
    static String describe(IWeightNoise noise) {
        if (noise instanceof DropConnect) {
            DropConnect d = (DropConnect) noise;
            return "DropConnect(" + (d.getWeightRetainProbSchedule() != null ? "pSchedule="
                    + d.getWeightRetainProbSchedule() : "p=" + d.getWeightRetainProb())
                    + (d.isApplyToBiases() ? ", applyToBiases" : "") + ")";
        }
        if (noise instanceof WeightNoise) {
            WeightNoise w = (WeightNoise) noise;
            return "WeightNoise(" + w.getDistribution() + (w.isAdditive() ? ", additive" : ", multiplicative")
                    + (w.isApplyToBias() ? ", applyToBias" : "") + ")";
        }
        return String.valueOf(noise);
    }
}

package org.dropkit.testing;

import java.util.Arrays;
import java.util.Collections;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.MaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact check of one Dropkit dropout: the mask m is materialized independently (a clone of the dropout applied
 * to ones with the same seed), then forward must give {@code x * m} and backward {@code dy * m}, bit for bit. Alpha
 * dropout's multiplier M (a or 0) is read from the same pass (a dropped unit gives exactly the constant c), and
 * forward must give {@code (x - alpha') * M + c}; Gaussian noise n is the clone applied to zeros, and forward must
 * give {@code x + n}, backward {@code dy}.
 */
final class ExactCheck {

    private ExactCheck() {
    }

    /** Checks a MaskDropout as DL4J calls it for {@code .dropOut(...)}; null if it passed, else what failed. */
    static String dropout(MaskDropout dropout, INDArray input, long seed, int iteration, int epoch) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = input.dup('c');
        Reference r = reference(dropout, x, seed, iteration, epoch, null);
        MaskDropout d = dropout.clone();
        Nd4j.getRandom().setSeed(seed);
        INDArray y = d.applyDropout(x.dup('c'), x.ulike(), iteration, epoch, mgr);
        INDArray dy = gradient(x, seed);
        INDArray dx = dy.dup('c');
        d.backprop(dx, dx, iteration, epoch); // in place, as DL4J's layers call it
        return joined(compare(r.forward(x), y, "forward", r.formula), compare(dy.mul(r.multiplier), dx, "backward",
                "dx = dy * m"));
    }

    /** Checks a MaskDropoutLayer through its runtime layer; null if it passed, else what failed. */
    static String layer(MaskDropoutLayer conf, NeuralNetConfiguration networkConf, INDArray input, long seed,
            int iteration, int epoch) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        MaskDropoutLayer copy = conf.clone();
        NeuralNetConfiguration nnc = networkConf.clone();
        nnc.setLayer(copy);
        org.deeplearning4j.nn.api.Layer layer = copy.instantiate(nnc, Collections.emptyList(), 0, null, false,
                input.dataType());
        layer.setIterationCount(iteration);
        layer.setEpochCount(epoch);
        INDArray x = input.dup('c');
        Reference r = reference(copy.getDropout(), x, seed, iteration, epoch, copy);
        Nd4j.getRandom().setSeed(seed);
        layer.setInput(x.dup('c'), mgr);
        INDArray y = layer.activate(true, mgr);
        INDArray dy = gradient(x, seed);
        INDArray dx = layer.backpropGradient(dy.dup('c'), mgr).getSecond();
        layer.clear();
        return joined(compare(r.forward(x), y, "forward", r.formula), compare(dy.mul(r.multiplier), dx, "backward",
                "dx = dy * m"));
    }

    /**
     * What a forward pass with this seed does to arrays like x, materialized from a fresh clone: its multiplier M
     * (broadcast to x's shape) and, for alpha dropout and noise, its offset.
     */
    private static Reference reference(MaskDropout dropout, INDArray x, long seed, int iteration, int epoch,
            MaskDropoutLayer layer) {
        MaskKind kind = dropout.getKind();
        INDArray probe = kind == MaskKind.GAUSSIAN_NOISE ? Nd4j.zeros(x.dataType(), x.shape())
                : Nd4j.ones(x.dataType(), x.shape());
        INDArray out = pass(dropout, probe, seed, iteration, epoch, layer);
        if (kind == MaskKind.GAUSSIAN_NOISE) {
            return new Reference(Nd4j.ones(x.dataType(), x.shape()), null, out, "y = x + n");
        }
        if (kind != MaskKind.ALPHA) {
            return new Reference(out, null, null, "y = x * m");
        }
        double p = dropout.retainProbability(iteration, epoch);
        double dropped = Nd4j.scalar(x.dataType(), MaskSpec.alphaDropped(p)).getDouble(0);
        double a = Nd4j.scalar(x.dataType(), MaskSpec.alphaScale(p)).getDouble(0);
        double[] ys = out.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] m = new double[ys.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = ys[i] == dropped ? 0.0 : a; // a kept unit of input 1 gives a + b, never c
        }
        INDArray multiplier = Nd4j.createFromArray(m).reshape('c', x.shape()).castTo(x.dataType());
        return new Reference(multiplier, Nd4j.scalar(x.dataType(), dropped), null,
                "y = (x - alpha') * a * m + c");
    }

    private static INDArray pass(MaskDropout dropout, INDArray input, long seed, int iteration, int epoch,
            MaskDropoutLayer layer) {
        MaskDropout reference = dropout.clone();
        Nd4j.getRandom().setSeed(seed);
        INDArray out = layer == null
                ? reference.applyDropout(input, input.ulike(), iteration, epoch, LayerWorkspaceMgr.noWorkspaces())
                : reference.forward(input, input.ulike(), iteration, epoch, LayerWorkspaceMgr.noWorkspaces(),
                        layer.getScaling());
        reference.clear();
        return out;
    }

    /** The multiplier M of a pass and its offset: a constant c (alpha dropout) or an array n (noise). */
    private static final class Reference {
        final INDArray multiplier;
        final INDArray constant;
        final INDArray noise;
        final String formula;

        Reference(INDArray multiplier, INDArray constant, INDArray noise, String formula) {
            this.multiplier = multiplier;
            this.constant = constant;
            this.noise = noise;
            this.formula = formula;
        }

        /** The forward pass's output for input x, computed with the arithmetic the mask engine documents. */
        INDArray forward(INDArray x) {
            if (noise != null) {
                return x.add(noise);
            }
            if (constant != null) {
                return x.sub(MaskSpec.ALPHA_PRIME).muli(multiplier).addi(constant.getDouble(0));
            }
            return x.mul(multiplier);
        }
    }

    /** A gradient with no zeros, so a dropped unit shows as an exact zero. */
    private static INDArray gradient(INDArray like, long seed) {
        Nd4j.getRandom().setSeed(seed + 1);
        return Nd4j.rand(like.dataType(), like.shape()).addi(0.5);
    }

    /** The forward formula the exact check compares with, for a kind. */
    static String formula(MaskKind kind) {
        return kind == MaskKind.ALPHA ? "y = (x - alpha') * m + c" : kind == MaskKind.GAUSSIAN_NOISE ? "y = x + n"
                : "y = x * m";
    }

    private static String compare(INDArray expected, INDArray actual, String pass, String formula) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return pass + " pass gave shape " + Arrays.toString(actual.shape()) + ", expected "
                    + Arrays.toString(expected.shape());
        }
        INDArray e = expected.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray a = actual.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        double[] ev = e.data().asDouble();
        double[] av = a.data().asDouble();
        int differing = 0;
        int first = -1;
        for (int i = 0; i < ev.length; i++) {
            if (Double.doubleToRawLongBits(ev[i]) != Double.doubleToRawLongBits(av[i])) {
                differing++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (differing == 0) {
            return null;
        }
        return pass + " pass is not " + formula + " bit for bit: " + differing + " of " + ev.length
                + " elements differ, first at c-order index " + first + " (expected " + ev[first] + ", got "
                + av[first] + ")" + (pass.equals("backward") ? "; the backward pass does not use the forward mask"
                        : "");
    }

    private static String joined(String... failures) {
        StringBuilder s = new StringBuilder();
        for (String f : failures) {
            if (f != null) {
                s.append(s.length() == 0 ? "" : "; ").append(f);
            }
        }
        return s.length() == 0 ? null : s.toString();
    }
}

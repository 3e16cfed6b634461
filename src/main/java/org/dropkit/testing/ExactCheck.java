package org.dropkit.testing;

import java.util.Arrays;
import java.util.Collections;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact check of one Dropkit dropout: the mask m is materialized independently (a clone of the dropout applied
 * to ones with the same seed), then forward must give {@code x * m} and backward {@code dy * m}, bit for bit.
 */
final class ExactCheck {

    private ExactCheck() {
    }

    /** Checks a MaskDropout as DL4J calls it for {@code .dropOut(...)}; null if it passed, else what failed. */
    static String dropout(MaskDropout dropout, INDArray input, long seed, int iteration, int epoch) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = input.dup('c');
        INDArray m = mask(dropout, x, seed, iteration, epoch, null);
        MaskDropout d = dropout.clone();
        Nd4j.getRandom().setSeed(seed);
        INDArray y = d.applyDropout(x.dup('c'), x.ulike(), iteration, epoch, mgr);
        INDArray dy = gradient(x, seed);
        INDArray dx = dy.dup('c');
        d.backprop(dx, dx, iteration, epoch); // in place, as DL4J's layers call it
        return joined(compare(x.mul(m), y, "forward"), compare(dy.mul(m), dx, "backward"));
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
        INDArray m = mask(copy.getDropout(), x, seed, iteration, epoch, copy);
        Nd4j.getRandom().setSeed(seed);
        layer.setInput(x.dup('c'), mgr);
        INDArray y = layer.activate(true, mgr);
        INDArray dy = gradient(x, seed);
        INDArray dx = layer.backpropGradient(dy.dup('c'), mgr).getSecond();
        layer.clear();
        return joined(compare(x.mul(m), y, "forward"), compare(dy.mul(m), dx, "backward"));
    }

    /** The mask a forward pass with this seed applies to arrays like x, broadcast to x's shape. */
    private static INDArray mask(MaskDropout dropout, INDArray x, long seed, int iteration, int epoch,
            MaskDropoutLayer layer) {
        MaskDropout reference = dropout.clone();
        INDArray ones = Nd4j.ones(x.dataType(), x.shape());
        Nd4j.getRandom().setSeed(seed);
        INDArray m = layer == null
                ? reference.applyDropout(ones, ones.ulike(), iteration, epoch, LayerWorkspaceMgr.noWorkspaces())
                : reference.forward(ones, ones.ulike(), iteration, epoch, LayerWorkspaceMgr.noWorkspaces(),
                        layer.getScaling());
        reference.clear();
        return m;
    }

    /** A gradient with no zeros, so a dropped unit shows as an exact zero. */
    private static INDArray gradient(INDArray like, long seed) {
        Nd4j.getRandom().setSeed(seed + 1);
        return Nd4j.rand(like.dataType(), like.shape()).addi(0.5);
    }

    private static String compare(INDArray expected, INDArray actual, String pass) {
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
        String formula = pass.equals("forward") ? "y = x * m" : "dx = dy * m";
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

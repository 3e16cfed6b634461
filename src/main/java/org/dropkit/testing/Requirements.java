package org.dropkit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.internal.Dl4jDropoutDefects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The requirements of DL4J's numerical check, checked up front with messages that name the fix: double precision, an
 * updater that passes gradients through, and no dropout on a layer whose backward pass DL4J never gives it.
 */
final class Requirements {

    private Requirements() {
    }

    static void check(MultiLayerNetwork mln, ComputationGraph cg) {
        if (mln != null ? !mln.isInitCalled() : cg.getVertices() == null) {
            throw new IllegalStateException("the network is not initialized: call init() before the gradient"
                    + " check");
        }
        List<String> problems = new ArrayList<>();
        DataType type = mln != null ? mln.getLayerWiseConfigurations().getDataType()
                : cg.getConfiguration().getDataType();
        DataType paramType = mln != null ? (mln.params() == null ? type : mln.params().dataType())
                : (cg.params() == null ? type : cg.params().dataType());
        if (type != DataType.DOUBLE || paramType != DataType.DOUBLE) {
            problems.add("the network is in " + (type != DataType.DOUBLE ? type : paramType) + " precision, and"
                    + " finite differences need DOUBLE: build it with .dataType(DataType.DOUBLE) on the"
                    + " NeuralNetConfiguration.Builder, or check net.convertDataType(DataType.DOUBLE)");
        }
        List<String> updaters = new ArrayList<>();
        for (Map.Entry<String, Layer> e : Sites.topLevel(mln, cg).entrySet()) {
            if (e.getValue() instanceof BaseLayer) {
                IUpdater u = ((BaseLayer) e.getValue()).getIUpdater();
                boolean passesThrough = u instanceof NoOp
                        || (u instanceof Sgd && ((Sgd) u).getLearningRate() == 1.0);
                if (!passesThrough) {
                    updaters.add(e.getKey() + " uses " + u);
                }
            }
        }
        if (!updaters.isEmpty()) {
            problems.add("DL4J's check compares the updater's output with numerical gradients, so the updater must"
                    + " pass gradients through unchanged: use .updater(new NoOp()) (or Sgd with learning rate 1.0)"
                    + " for the check; " + String.join(", ", updaters));
        }
        List<String> defects = new ArrayList<>();
        for (Map.Entry<String, Layer> e : Sites.layers(mln, cg).entrySet()) {
            Layer l = e.getValue();
            if (Dl4jDropoutDefects.skipsDropoutBackprop(l) && acts(l.getIDropout())) {
                defects.add(e.getKey() + " has .dropOut(" + l.getIDropout() + "): "
                        + Dl4jDropoutDefects.describe(l));
            }
        }
        if (!defects.isEmpty()) {
            problems.add("no gradient check can pass where DL4J never back-propagates a dropout, and none is"
                    + " exact there: " + String.join("; ", defects));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("DropoutGradientCheck cannot run: " + String.join("; and ", problems)
                    + ".");
        }
    }

    /** True unless the dropout is none or the identity (retain probability 1, as Keras import's placeholders). */
    static boolean acts(IDropout d) {
        if (d == null) {
            return false;
        }
        if (d instanceof MaskDropout) {
            return !(((MaskDropout) d).getP() == 1.0);
        }
        if (d instanceof Dropout) {
            return !(((Dropout) d).getPSchedule() == null && ((Dropout) d).getP() == 1.0);
        }
        return true;
    }
}

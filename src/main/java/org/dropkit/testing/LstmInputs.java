package org.dropkit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where DL4J 1.0.0-M2.1's NWC LSTM defect applies: {@code LSTM.activateHelper} permutes an NWC input to NCW, applies
 * dropout to that view, and afterwards sets its input back to the array it was given. Where DL4J lets the dropout
 * write into its input, that array now holds the dropped values and the gradients are right; where it does not, the
 * backward pass recomputes the forward pass from the input before dropout. DL4J allows it ({@code
 * allowInputModification}) for every MultiLayerNetwork layer but the first, and in a ComputationGraph for a layer
 * whose input is not a network input and which is the only, or the last in topological order, of that input's
 * consumers. DL4J's dropout writes in place wherever it is allowed, and so does Dropkit's on an LSTM (elsewhere in a
 * ComputationGraph it never writes into its input), so the defect applies to the same layers with both.
 */
final class LstmInputs {

    private LstmInputs() {
    }

    /** The top-level NWC LSTMs with an acting dropout whose input DL4J does not let them modify, by site name. */
    static List<String> nwcLstmsWithDropoutOnUnmodifiableInput(MultiLayerNetwork mln, ComputationGraph cg) {
        List<String> found = new ArrayList<>();
        if (mln != null) {
            Layer first = mln.getLayerWiseConfigurations().getConf(0).getLayer();
            if (affected(first)) {
                found.add("layer \"" + first.getLayerName() + "\" (index 0)");
            }
            return found;
        }
        ComputationGraphConfiguration conf = cg.getConfiguration();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex)) {
                continue;
            }
            Layer layer = ((LayerVertex) e.getValue()).getLayerConf().getLayer();
            if (affected(layer) && !inputModificationAllowed(cg, e.getKey())) {
                found.add("layer \"" + e.getKey() + "\"");
            }
        }
        return found;
    }

    private static boolean affected(Layer layer) {
        return layer instanceof LSTM && ((LSTM) layer).getRnnDataFormat() == RNNFormat.NWC
                && Requirements.acts(layer.getIDropout());
    }

    /** DL4J's rule from {@code ComputationGraph.init()}, for a layer vertex with one input. */
    private static boolean inputModificationAllowed(ComputationGraph cg, String layer) {
        ComputationGraphConfiguration conf = cg.getConfiguration();
        String in = conf.getVertexInputs().get(layer).get(0);
        if (conf.getNetworkInputs().contains(in)) {
            return false;
        }
        int[] order = cg.topologicalSortOrder();
        int last = -1;
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(in)) {
                last = Math.max(last, position(order, cg.getVertex(e.getKey()).getVertexIndex()));
            }
        }
        return last == position(order, cg.getVertex(layer).getVertexIndex());
    }

    private static int position(int[] order, int vertexIndex) {
        for (int i = 0; i < order.length; i++) {
            if (order[i] == vertexIndex) {
                return i;
            }
        }
        return -1;
    }
}

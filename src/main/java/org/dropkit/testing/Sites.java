package org.dropkit.testing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;

/** Where the layer configurations of a network are, by name. */
final class Sites {

    private Sites() {
    }

    /** Top-level layer configurations by "\"name\" (index i)" or "\"vertex\"". */
    static Map<String, Layer> topLevel(MultiLayerNetwork mln, ComputationGraph cg) {
        Map<String, Layer> result = new LinkedHashMap<>();
        if (mln != null) {
            for (int i = 0; i < mln.getnLayers(); i++) {
                Layer l = mln.getLayerWiseConfigurations().getConf(i).getLayer();
                result.put("layer \"" + l.getLayerName() + "\" (index " + i + ")", l);
            }
        } else {
            for (Map.Entry<String, GraphVertex> e : cg.getConfiguration().getVertices().entrySet()) {
                if (e.getValue() instanceof LayerVertex) {
                    result.put("layer \"" + e.getKey() + "\"", ((LayerVertex) e.getValue()).getLayerConf()
                            .getLayer());
                }
            }
        }
        return result;
    }

    /** Every layer configuration, wrapped ones included. */
    static Map<String, Layer> layers(MultiLayerNetwork mln, ComputationGraph cg) {
        Map<String, Layer> result = new LinkedHashMap<>();
        for (Map.Entry<String, Layer> e : topLevel(mln, cg).entrySet()) {
            add(result, e.getKey(), e.getValue());
        }
        return result;
    }

    private static void add(Map<String, Layer> into, String name, Layer layer) {
        into.put(name, layer);
        for (Layer inner : inner(layer)) {
            add(into, name + " > " + inner.getClass().getSimpleName(), inner);
        }
    }

    private static List<Layer> inner(Layer layer) {
        if (layer instanceof FrozenLayer) {
            return Collections.singletonList(((FrozenLayer) layer).getLayer());
        }
        if (layer instanceof BaseWrapperLayer) {
            return Collections.singletonList(((BaseWrapperLayer) layer).getUnderlying());
        }
        if (layer instanceof Bidirectional) {
            return List.of(((Bidirectional) layer).getFwd(), ((Bidirectional) layer).getBwd());
        }
        return Collections.emptyList();
    }

    static boolean hasDropkit(Layer layer) {
        if (layer instanceof MaskDropoutLayer || layer.getIDropout() instanceof MaskDropout) {
            return true;
        }
        for (Layer inner : inner(layer)) {
            if (hasDropkit(inner)) {
                return true;
            }
        }
        return false;
    }
}

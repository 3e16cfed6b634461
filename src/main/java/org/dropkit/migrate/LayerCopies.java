package org.dropkit.migrate;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.nd4j.shade.jackson.core.JsonProcessingException;

/**
 * Deep copies of layer configurations. DL4J 1.0.0-M2.1's {@code Layer.clone()} is shallow where it matters to the
 * swap: {@code Bidirectional} and the {@code BaseWrapperLayer}s ({@code LastTimeStep}, {@code TimeDistributed},
 * {@code MaskZeroLayer}) share their inner layers with the clone, {@code FrozenLayer} and
 * {@code FrozenLayerWithBackprop} clone theirs one level deep, and layers that are not {@code BaseLayer}s share their
 * dropout. A running network's layers hold these very objects, so editing a clone's inner layer edits the original
 * configuration and the original network's behaviour.
 */
final class LayerCopies {

    private LayerCopies() {
    }

    /** A clone of the configuration whose layers share nothing with the original's. */
    static MultiLayerConfiguration deep(MultiLayerConfiguration conf) {
        MultiLayerConfiguration copy = conf.clone();
        for (NeuralNetConfiguration nnc : copy.getConfs()) {
            nnc.setLayer(deep(nnc.getLayer()));
        }
        return copy;
    }

    /**
     * A clone of the configuration whose layers share nothing with the original's, with the original's iteration and
     * epoch counts (DL4J 1.0.0-M2.1's clone() drops them; schedules and Adam's bias correction read them).
     */
    static ComputationGraphConfiguration deep(ComputationGraphConfiguration conf) {
        ComputationGraphConfiguration copy = conf.clone();
        copy.setIterationCount(conf.getIterationCount());
        copy.setEpochCount(conf.getEpochCount());
        for (GraphVertex vertex : copy.getVertices().values()) {
            LayerVertex layerVertex = layerVertex(vertex);
            if (layerVertex != null) {
                layerVertex.getLayerConf().setLayer(deep(layerVertex.getLayerConf().getLayer()));
            }
        }
        return copy;
    }

    /** The layer vertex a graph vertex is or wraps ({@code FrozenVertex}), or null for other vertices. */
    static LayerVertex layerVertex(GraphVertex vertex) {
        while (vertex instanceof FrozenVertex) {
            vertex = ((FrozenVertex) vertex).getUnderlying();
        }
        return vertex instanceof LayerVertex ? (LayerVertex) vertex : null;
    }

    /** A copy of the layer that shares no layer and no dropout with it, however deeply wrappers nest. */
    static Layer deep(Layer layer) {
        Layer copy = layer.clone();
        ownInnerLayers(copy);
        return copy;
    }

    /** Replaces what a fresh clone still shares with its original (inner layers, dropout) by deep copies. */
    private static void ownInnerLayers(Layer fresh) {
        if (fresh instanceof FrozenLayer) {
            // FrozenLayer.clone() cloned its inner layer (there is no setter for it): copy what that clone shares.
            ownInnerLayers(((FrozenLayer) fresh).getLayer());
        } else if (fresh instanceof BaseWrapperLayer) {
            BaseWrapperLayer w = (BaseWrapperLayer) fresh;
            w.setUnderlying(deep(w.getUnderlying()));
        } else if (fresh instanceof Bidirectional) {
            Bidirectional b = (Bidirectional) fresh;
            b.setFwd(deep(b.getFwd()));
            b.setBwd(deep(b.getBwd()));
        }
        if (fresh.getIDropout() != null) {
            fresh.setIDropout(fresh.getIDropout().clone());
        }
    }

    /**
     * What a DL4J {@code DropoutLayer} holds besides its name and dropout (activation, weight init, updater, ...: a
     * network builder sets them on every layer, and a {@code DropoutLayer} reads none of them), as a copy with neither,
     * or null where they are those of a {@code DropoutLayer} built with DL4J's defaults.
     */
    static DropoutLayer settingsOf(DropoutLayer layer) {
        DropoutLayer settings = (DropoutLayer) layer.clone();
        settings.setLayerName(null);
        settings.setIDropout(null);
        DropoutLayer defaults = dropoutLayer(null, null, null);
        defaults.setLayerName(null);
        return json(settings).equals(json(defaults)) ? null : settings;
    }

    /**
     * DL4J's {@code DropoutLayer} with this dropout and name, and the given settings (from {@link #settingsOf}), or
     * where they are null, DL4J's defaults as its network builder leaves them. Not a bare {@code DropoutLayer}: it is
     * a {@code BaseLayer}, and without an activation, weight init and updater DL4J 1.0.0-M2.1's
     * MultiLayerConfiguration JSON reader takes the JSON for a legacy format and fails with a ClassCastException
     * ({@code DropoutExportNetworkTest}).
     */
    static DropoutLayer dropoutLayer(IDropout dropout, String name, DropoutLayer settings) {
        if (settings != null) {
            DropoutLayer layer = (DropoutLayer) settings.clone();
            layer.setLayerName(name);
            layer.setIDropout(dropout);
            return layer;
        }
        DropoutLayer.Builder builder = new DropoutLayer.Builder().name(name);
        if (dropout != null) {
            builder.dropOut(dropout);
        }
        return (DropoutLayer) new NeuralNetConfiguration.Builder().list().layer(builder.build()).build().getConf(0)
                .getLayer();
    }

    private static String json(Layer layer) {
        try {
            return NeuralNetConfiguration.mapper().writeValueAsString(layer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DL4J could not write the layer " + layer + " as JSON", e);
        }
    }
}

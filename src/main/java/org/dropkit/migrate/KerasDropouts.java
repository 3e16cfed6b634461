package org.dropkit.migrate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The dropout layers of a Keras model, read from its JSON ({@code model.to_json()}), by layer name: the swap takes
 * their rates from here rather than from DL4J's import, which loses or misreads them.
 */
final class KerasDropouts {

    /** Keras dropout layer classes whose rate the swap uses. */
    private static final Set<String> CLASSES = Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianDropout");

    /**
     * Keras layers after which a tensor is [batch, steps, features] or [batch, features], whatever the layers before
     * them did: the layout of what they output does not depend on a data_format.
     */
    private static final Set<String> CHANNELS_LAST_OUTPUT = Set.of("LSTM", "GRU", "SimpleRNN", "CuDNNLSTM",
            "CuDNNGRU", "Bidirectional", "TimeDistributed", "Embedding", "Dense", "Flatten", "RepeatVector");

    /** One Keras dropout layer: its class, its drop rate, its noise shape and the layout of its input. */
    static final class Layer {
        final String className;
        final double rate;
        /** Keras' noise_shape, one entry per axis of the input (batch first), -1 for None; null when not given. */
        final long[] noiseShape;
        /** The Keras input is channels_first (data_format of the layers before it, Keras 1's dim_ordering "th"). */
        final boolean channelsFirst;

        Layer(String className, double rate, long[] noiseShape, boolean channelsFirst) {
            this.className = className;
            this.rate = rate;
            this.noiseShape = noiseShape;
            this.channelsFirst = channelsFirst;
        }

        @Override
        public String toString() {
            return "Keras " + className + "(rate=" + rate + (noiseShape == null ? ""
                    : ", noise_shape=" + Arrays.toString(noiseShape).replace("-1", "None")) + ")";
        }
    }

    private final Map<String, Layer> byName;

    private KerasDropouts(Map<String, Layer> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * @throws IllegalArgumentException if the text is not JSON of a Keras model
     */
    static KerasDropouts parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the Keras model JSON does not parse: " + e.getMessage()
                    + ". Give the text of model.to_json() (or of the model_config attribute of an .h5 file).", e);
        }
        if (root == null || !root.has("class_name") || !root.has("config")) {
            throw new IllegalArgumentException("the Keras model JSON has no \"class_name\" and \"config\" at the top:"
                    + " give the text of model.to_json() (or of the model_config attribute of an .h5 file)");
        }
        Map<String, Layer> found = new HashMap<>();
        collect(root, found);
        return new KerasDropouts(found);
    }

    /** Walks every nested model (Sequential, functional, Keras 1's list of layers) and wrapper for dropout layers. */
    private static void collect(JsonNode node, Map<String, Layer> into) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                collect(child, into);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        JsonNode config = node.get("config");
        JsonNode layers = config == null ? null : config.isArray() ? config : config.get("layers");
        if (layers != null && layers.isArray()) {
            collectLayers(layers, into);
            return;
        }
        if (!add(node, null, into)) {
            Iterator<JsonNode> children = node.elements();
            while (children.hasNext()) {
                collect(children.next(), into);
            }
        }
    }

    /** The dropout layers of one model's list of layers, with the layout of what reaches each. */
    private static void collectLayers(JsonNode layers, Map<String, Layer> into) {
        List<JsonNode> list = new ArrayList<>();
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode layer : layers) {
            list.add(layer);
            String name = nameOf(layer);
            if (name != null) {
                byName.put(name, layer);
            }
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode layer = list.get(i);
            if (!add(layer, channelsFirstInput(list, i, byName), into)) {
                collect(layer, into); // nested models and wrappers
            }
        }
    }

    /** Records the layer if it is a Keras dropout layer with a rate; channelsFirst null: no layer before it known. */
    private static boolean add(JsonNode layer, Boolean channelsFirst, Map<String, Layer> into) {
        JsonNode className = layer.get("class_name");
        JsonNode config = layer.get("config");
        if (className == null || config == null || !config.isObject() || !CLASSES.contains(className.asText())) {
            return false;
        }
        String name = nameOf(layer);
        JsonNode rate = config.has("rate") ? config.get("rate") : config.get("p"); // Keras 2 : Keras 1
        if (name != null && rate != null && rate.isNumber()) {
            into.put(name, new Layer(className.asText(), rate.asDouble(), noiseShape(config.get("noise_shape")),
                    channelsFirst != null && channelsFirst));
        }
        return true;
    }

    private static String nameOf(JsonNode layer) {
        JsonNode config = layer.get("config");
        JsonNode name = config != null && config.has("name") ? config.get("name") : layer.get("name");
        return name == null ? null : name.asText();
    }

    private static long[] noiseShape(JsonNode shape) {
        if (shape == null || !shape.isArray()) {
            return null;
        }
        long[] result = new long[shape.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = shape.get(i).isNumber() ? shape.get(i).asLong() : -1;
        }
        return result;
    }

    /**
     * Whether the tensor that reaches layer i is channels_first: the data_format (Keras 1: dim_ordering) of the
     * nearest layer before it that has one, stopping at layers whose output layout has none; Keras' default,
     * channels_last, where nothing says otherwise.
     */
    private static boolean channelsFirstInput(List<JsonNode> list, int i, Map<String, JsonNode> byName) {
        JsonNode current = upstream(list, i, byName);
        for (int steps = 0; current != null && steps < list.size(); steps++) {
            JsonNode config = current.get("config");
            JsonNode className = current.get("class_name");
            if (config != null && config.has("data_format") && config.get("data_format").isTextual()) {
                return config.get("data_format").asText().equals("channels_first");
            }
            if (config != null && config.has("dim_ordering") && config.get("dim_ordering").isTextual()) {
                return config.get("dim_ordering").asText().equals("th");
            }
            if (className != null && CHANNELS_LAST_OUTPUT.contains(className.asText())) {
                return false;
            }
            current = upstream(list, list.indexOf(current), byName);
        }
        return false;
    }

    /** The layer whose output layer i takes: the first inbound node of a functional model, else the one before. */
    private static JsonNode upstream(List<JsonNode> list, int i, Map<String, JsonNode> byName) {
        JsonNode inbound = list.get(i).get("inbound_nodes");
        if (inbound != null && inbound.isArray()) {
            // Keras 2: [[["layer_name", node_index, tensor_index, {}], ...]]
            JsonNode first = inbound.path(0).path(0).path(0);
            return first.isTextual() ? byName.get(first.asText()) : null;
        }
        return i > 0 ? list.get(i - 1) : null;
    }

    /** The Keras dropout layer of this name, or null. */
    Layer get(String name) {
        return byName.get(name);
    }

    /** Names of the Keras dropout layers, sorted. */
    SortedSet<String> names() {
        return new TreeSet<>(byName.keySet());
    }
}

package org.dropkit.migrate;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
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

    /** One Keras dropout layer: its class and its drop rate. */
    static final class Layer {
        final String className;
        final double rate;

        Layer(String className, double rate) {
            this.className = className;
            this.rate = rate;
        }

        @Override
        public String toString() {
            return "Keras " + className + "(rate=" + rate + ")";
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

    /** Walks every nested layer (Sequential, functional models, wrappers) for dropout layers. */
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
        JsonNode className = node.get("class_name");
        JsonNode config = node.get("config");
        if (className != null && config != null && config.isObject() && CLASSES.contains(className.asText())) {
            JsonNode name = config.has("name") ? config.get("name") : node.get("name");
            JsonNode rate = config.has("rate") ? config.get("rate") : config.get("p"); // Keras 2 : Keras 1
            if (name != null && rate != null && rate.isNumber()) {
                into.put(name.asText(), new Layer(className.asText(), rate.asDouble()));
            }
        }
        Iterator<JsonNode> children = node.elements();
        while (children.hasNext()) {
            collect(children.next(), into);
        }
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

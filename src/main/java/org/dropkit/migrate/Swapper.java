package org.dropkit.migrate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.dropkit.MaskDropConnect;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.Dl4jDropoutDefects;
import org.nd4j.linalg.activations.Activation;

/**
 * One swap of one configuration: walks a deep copy of it in network order, converts in place, records entries. The
 * original configuration (and so a running network built from it) is never touched.
 */
final class Swapper {

    /** The Keras model the network was imported from, or null. */
    private final KerasDropouts keras;
    private final Set<String> kerasLayersFound = new HashSet<>();
    private final List<SwapResult.Entry> replaced = new ArrayList<>();
    private final List<SwapResult.Entry> removed = new ArrayList<>();
    private final List<SwapResult.Entry> left = new ArrayList<>();

    Swapper(KerasDropouts keras) {
        this.keras = keras;
    }

    <T> SwapResult<T> result(T value) {
        if (keras != null) {
            for (String name : keras.names()) {
                if (!kerasLayersFound.contains(name)) {
                    left.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT_LAYER, "Keras layer",
                            keras.get(name).toString(), null, "no DropoutLayer of this name in the network: was it"
                                    + " imported from this Keras model? Nothing was changed for it"));
                }
            }
        }
        return new SwapResult<>(value, replaced, removed, left);
    }

    /** A converted deep copy of the configuration. */
    MultiLayerConfiguration swap(MultiLayerConfiguration original, InputType inputType) {
        MultiLayerConfiguration conf = LayerCopies.deep(original);
        List<Layout> inputs = inputLayouts(conf, inputType);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration nnc = conf.getConf(i);
            Layer layer = nnc.getLayer();
            String name = layer.getLayerName() != null ? layer.getLayerName() : "layer" + i;
            nnc.setLayer(swapLayer(layer, inputs.get(i), name, "", null));
        }
        return conf;
    }

    /** A converted deep copy of the configuration, iteration and epoch counts kept. */
    ComputationGraphConfiguration swap(ComputationGraphConfiguration original, InputType[] inputTypes) {
        ComputationGraphConfiguration conf = LayerCopies.deep(original);
        Map<String, Layout> inputs = inputLayouts(conf, inputTypes);
        for (String name : topologicalOrder(conf)) {
            GraphVertex vertex = conf.getVertices().get(name);
            LayerVertex layerVertex = LayerCopies.layerVertex(vertex);
            if (layerVertex != null) {
                // A FrozenVertex runs its layer as it is, in training mode too, and only keeps its parameters fixed.
                String context = vertex instanceof FrozenVertex ? " inside FrozenVertex" : "";
                NeuralNetConfiguration nnc = layerVertex.getLayerConf();
                nnc.setLayer(swapLayer(nnc.getLayer(), inputs.get(name), name, context, null));
            }
        }
        return conf;
    }

    /**
     * Swaps one layer configuration of the deep copy: in place where it keeps its class, else returns the
     * replacement.
     *
     * @param input   layout of the layer's input after its preprocessor, or null if unknown
     * @param context "" at the top level, else " inside Wrapper"
     * @param frozen  why the layer's dropout does not act as usual (a frozen wrapper), or null
     */
    private Layer swapLayer(Layer layer, Layout input, String name, String context, String frozen) {
        String kind = layer.getClass().getSimpleName();
        if (layer instanceof FrozenLayer) {
            FrozenLayer f = (FrozenLayer) layer;
            swapOwnDropout(f, input, name, context, null);
            Layer inner = f.getLayer();
            Layer swapped = swapLayer(inner, input, name, " inside FrozenLayer" + context, FROZEN);
            if (swapped == inner) {
                return f;
            }
            // FrozenLayer has no setter for its layer; its setConstraints also sets the inner layer's.
            FrozenLayer copy = new FrozenLayer(swapped);
            List<LayerConstraint> innerConstraints = swapped.getConstraints();
            copy.setLayerName(f.getLayerName());
            copy.setIDropout(f.getIDropout());
            copy.setConstraints(f.getConstraints());
            swapped.setConstraints(innerConstraints);
            return copy;
        }
        if (layer instanceof BaseWrapperLayer) {
            BaseWrapperLayer w = (BaseWrapperLayer) layer;
            swapOwnDropout(w, input, name, context, frozen);
            // TimeDistributed hands its layer [batch * time, features]; the other wrappers pass their input on.
            Layout innerInput = layer instanceof TimeDistributed ? null : input;
            w.setUnderlying(swapLayer(w.getUnderlying(), innerInput, name, " inside " + kind + context,
                    layer instanceof FrozenLayerWithBackprop ? FROZEN_WITH_BACKPROP : frozen));
            return w;
        }
        if (layer instanceof Bidirectional) {
            Bidirectional b = (Bidirectional) layer;
            swapOwnDropout(b, input, name, context, frozen);
            b.setFwd(swapLayer(b.getFwd(), input, name, " (forward) inside Bidirectional" + context, frozen));
            b.setBwd(swapLayer(b.getBwd(), input, name, " (backward) inside Bidirectional" + context, frozen));
            return b;
        }
        if (layer instanceof DropoutLayer) {
            return swapDropoutLayer((DropoutLayer) layer, input, name, context, frozen);
        }
        swapOwnDropout(layer, input, name, context, frozen);
        if (layer instanceof BaseLayer && ((BaseLayer) layer).getWeightNoise() != null) {
            swapWeightNoise((BaseLayer) layer, name, context, frozen);
        }
        return layer;
    }

    /** DL4J's DropConnect and WeightNoise, where the meaning carries, become Dropkit's MaskDropConnect. */
    private void swapWeightNoise(BaseLayer layer, String name, String context, String frozen) {
        IWeightNoise noise = layer.getWeightNoise();
        if (noise instanceof MaskDropConnect) {
            return;
        }
        String where = ".weightNoise of " + layer.getClass().getSimpleName() + context;
        String before = WeightNoiseConversion.describe(noise);
        WeightNoiseConversion c = WeightNoiseConversion.of(noise, layer);
        if (c.noOp) {
            layer.setWeightNoise(null);
            removed.add(SwapResult.Entry.removal(name, SwapResult.Site.WEIGHT_NOISE, where, before,
                    join(c.note, "the layer has no weight noise now", frozen)));
            return;
        }
        SwapResult.Entry entry = SwapResult.Entry.weightNoise(name, where, before, c.replacement,
                join(c.note, frozen));
        if (c.replacement == null) {
            left.add(entry);
        } else {
            layer.setWeightNoise(c.replacement);
            replaced.add(entry);
        }
    }

    private void swapOwnDropout(Layer layer, Layout input, String name, String context, String frozen) {
        IDropout dropout = layer.getIDropout();
        if (dropout == null) {
            return;
        }
        String where = ".dropOut of " + layer.getClass().getSimpleName() + context;
        String defect = Dl4jDropoutDefects.describe(layer);
        if (dropout instanceof MaskDropout) {
            if (defect != null) { // Dropkit's own dropout where DL4J cannot make it exact: say so, change nothing
                left.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT, where, dropout.toString(), null,
                        join(defect, frozen)));
            }
            return;
        }
        String before = DropoutConversion.describe(dropout);
        String noOp = DropoutConversion.whyNoOp(dropout);
        if (noOp != null) {
            layer.setIDropout(null);
            removed.add(SwapResult.Entry.removal(name, SwapResult.Site.DROPOUT, where, before, join(noOp,
                    "the layer has no dropout now", dropout.getClass() == Dropout.class ? KERAS_PLACEHOLDERS : null,
                    frozen)));
            return;
        }
        if (defect != null && !Dl4jDropoutDefects.passesNoWorkspaceToDropout(layer)) {
            left.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT, where, before, null, join(defect, frozen)));
            return;
        }
        DropoutConversion c = DropoutConversion.of(dropout, Layouts.seenByDropout(layer, input), null);
        String note = join(c.note, Layouts.dl4jQuirk(layer), defect, frozen);
        SwapResult.Entry entry = new SwapResult.Entry(name, SwapResult.Site.DROPOUT, where, before, c.replacement,
                note);
        if (c.replacement == null) {
            left.add(entry);
        } else {
            layer.setIDropout(c.replacement);
            replaced.add(entry);
        }
    }

    private Layer swapDropoutLayer(DropoutLayer layer, Layout input, String name, String context,
            String frozen) {
        IDropout dropout = layer.getIDropout();
        String where = "DropoutLayer" + context;
        if (dropout == null) {
            removed.add(SwapResult.Entry.removal(name, SwapResult.Site.DROPOUT_LAYER, where, "no dropout",
                    join("the layer became " + NO_OP_LAYER + " of the same name: DL4J's DropoutLayer without dropout"
                            + " hands its input array on as its output, which as a network's first layer fails"
                            + " DL4J's workspace validation or lets the next layer's dropout write into the caller's"
                            + " array", frozen)));
            return identityLayer(layer);
        }
        KerasDropouts.Layer source = keras == null ? null : keras.get(layer.getLayerName());
        if (source != null) {
            kerasLayersFound.add(layer.getLayerName());
        }
        String before = DropoutConversion.describe(dropout);
        if (dropout instanceof MaskDropout) {
            return replaceDropoutLayer(layer, input, name, where, before, ((MaskDropout) dropout).clone(),
                    join("Dropkit's dropout already: the same dropout in Dropkit's layer", frozen));
        }
        String noOp = source != null ? DropoutConversion.whyNoOp(source) : DropoutConversion.whyNoOp(dropout);
        if (noOp != null) {
            removed.add(SwapResult.Entry.removal(name, SwapResult.Site.DROPOUT_LAYER, where, before,
                    join(noOp, "the layer became " + NO_OP_LAYER + " of the same name, which passes its input"
                            + " through", source == null ? KERAS_LOST_RATE : null, frozen)));
            return identityLayer(layer);
        }
        DropoutConversion c = DropoutConversion.of(dropout, input, source);
        String note = join(c.note, frozen);
        if (c.replacement == null) {
            left.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT_LAYER, where, before, null, note));
            return layer;
        }
        return replaceDropoutLayer(layer, input, name, where, before, c.replacement, note);
    }

    private Layer replaceDropoutLayer(DropoutLayer layer, Layout input, String name, String where, String before,
            MaskDropout replacement, String note) {
        MaskDropoutLayer swapped = new MaskDropoutLayer.Builder(replacement).name(layer.getLayerName()).build();
        swapped.setSwappedFrom(LayerCopies.settingsOf(layer));
        if (input != null && input.rank == 3) {
            swapped.setRnnDataFormat(input.channelsFirst() ? RNNFormat.NCW : RNNFormat.NWC);
        }
        replaced.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT_LAYER, where, before, replacement, note));
        return swapped;
    }

    /**
     * What a DropoutLayer that drops nothing becomes: DL4J's identity ActivationLayer, so names, indices and vertex
     * inputs stay as they were and the network needs nothing of Dropkit there. Not a DropoutLayer without dropout:
     * DL4J's DropoutLayer then hands its input array on as its output, which fails DL4J's workspace validation as a
     * network's first layer and lets the next layer's dropout write into the caller's array
     * ({@code DropoutSwapNoOpTest}).
     */
    private static ActivationLayer identityLayer(DropoutLayer layer) {
        return new ActivationLayer.Builder().activation(Activation.IDENTITY).name(layer.getLayerName()).build();
    }

    static final String NO_OP_LAYER = "DL4J's ActivationLayer(IDENTITY)";
    private static final String KERAS_PLACEHOLDERS = "DL4J's Keras import writes Dropout(p=1.0) on every layer that"
            + " had none";
    private static final String KERAS_LOST_RATE = "if the network was imported from Keras, DL4J's import loses"
            + " Keras 1 and 2 Dropout rates (it stores p = 1): give the swap the Keras model's JSON with"
            + " DropoutSwap.options().kerasModelJson(...) to get them back";
    static final String FROZEN = "frozen: DL4J runs frozen layers in inference mode, so this dropout never"
            + " acts, before or after the swap";
    static final String FROZEN_WITH_BACKPROP = "DL4J's FrozenLayerWithBackprop runs its layer in inference"
            + " mode (no dropout) in the forward pass but recomputes it in training mode, dropout included, to"
            + " back-propagate, so the gradient it passes on is that of a dropped-out layer the forward pass never ran"
            + " (DL4J's dropout and Dropkit's alike): remove dropout from layers inside it";

    /** The non-empty parts, separated by "; ": the notes of a report entry. */
    static String join(String... parts) {
        StringBuilder s = new StringBuilder();
        for (String p : parts) {
            if (p != null && !p.isEmpty()) {
                s.append(s.length() == 0 ? "" : "; ").append(p);
            }
        }
        return s.toString();
    }

    // ---- layouts at each layer's input ---------------------------------------------------------------------------

    /** Per layer: the layout of its input after its preprocessor, or null where unknown. */
    static List<Layout> inputLayouts(MultiLayerConfiguration conf, InputType inputType) {
        int n = conf.getConfs().size();
        List<Layout> result = new ArrayList<>(n);
        if (inputType != null) {
            List<InputType> outputs;
            try {
                outputs = LayerCopies.deep(conf).getLayerActivationTypes(inputType);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the input type " + inputType + " does not fit this network: "
                        + e.getMessage() + ". Give the type of the arrays fed to the network.", e);
            }
            for (int i = 0; i < n; i++) {
                InputType in = i == 0 ? inputType : outputs.get(i - 1);
                InputPreProcessor pre = conf.getInputPreProcess(i);
                result.add(Layout.of(pre == null ? in : pre.getOutputType(in)));
            }
            return result;
        }
        Layout previous = null;
        for (int i = 0; i < n; i++) {
            Layer layer = conf.getConf(i).getLayer();
            Layout in = Layouts.afterPreprocessor(conf.getInputPreProcess(i), previous);
            if (in == null) {
                in = Layouts.declaredInput(layer);
            }
            result.add(in);
            previous = Layouts.output(layer, in);
        }
        return result;
    }

    /** Per layer vertex: the layout of its input after its preprocessor, or null where unknown. */
    static Map<String, Layout> inputLayouts(ComputationGraphConfiguration conf, InputType[] inputTypes) {
        Map<String, Layout> result = new HashMap<>();
        List<String> order = topologicalOrder(conf);
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        if (inputTypes != null) {
            Map<String, InputType> outputs;
            try {
                outputs = LayerCopies.deep(conf).getLayerActivationTypes(true, false, inputTypes);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the input types do not fit this graph: " + e.getMessage()
                        + ". Give one type per network input, in the order of its configuration.", e);
            }
            for (String name : order) {
                LayerVertex vertex = LayerCopies.layerVertex(conf.getVertices().get(name));
                if (vertex != null) {
                    InputType in = outputs.get(vertexInputs.get(name).get(0));
                    InputPreProcessor pre = vertex.getPreProcessor();
                    result.put(name, Layout.of(pre == null ? in : pre.getOutputType(in)));
                }
            }
            return result;
        }
        Map<String, Layout> outputs = new HashMap<>();
        for (String name : order) {
            GraphVertex vertex = conf.getVertices().get(name);
            if (vertex == null) {
                continue; // a network input: layout unknown without input types
            }
            List<String> in = vertexInputs.get(name);
            LayerVertex layerVertex = LayerCopies.layerVertex(vertex);
            if (layerVertex != null) {
                Layer layer = layerVertex.getLayerConf().getLayer();
                Layout input = in.size() == 1 ? outputs.get(in.get(0)) : null;
                input = Layouts.afterPreprocessor(layerVertex.getPreProcessor(), input);
                if (input == null) {
                    input = Layouts.declaredInput(layer);
                }
                result.put(name, input);
                outputs.put(name, Layouts.output(layer, input));
            } else if (vertex instanceof PreprocessorVertex) {
                Layout input = in.size() == 1 ? outputs.get(in.get(0)) : null;
                outputs.put(name, Layouts.afterPreprocessor(((PreprocessorVertex) vertex).getPreProcessor(), input));
            } else if (vertex instanceof MergeVertex || vertex instanceof ElementWiseVertex
                    || vertex instanceof ScaleVertex || vertex instanceof ShiftVertex
                    || vertex instanceof L2NormalizeVertex) {
                outputs.put(name, common(outputs, in));
            }
        }
        return result;
    }

    /** The layout all inputs share, or null. */
    private static Layout common(Map<String, Layout> outputs, List<String> inputs) {
        Layout shared = null;
        for (String input : inputs) {
            Layout l = outputs.get(input);
            if (l == null || (shared != null && (l.rank != shared.rank || l.channelAxis != shared.channelAxis))) {
                return null;
            }
            shared = l;
        }
        return shared;
    }

    /** Vertex names, inputs first, each after all its inputs (Kahn's algorithm, stable in configuration order). */
    static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputsOf = new LinkedHashMap<>();
        for (String input : conf.getNetworkInputs()) {
            inputsOf.put(input, List.of());
        }
        for (String name : conf.getVertices().keySet()) {
            List<String> in = conf.getVertexInputs().get(name);
            inputsOf.put(name, in == null ? List.of() : in);
        }
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (Map.Entry<String, List<String>> e : inputsOf.entrySet()) {
            pending.put(e.getKey(), e.getValue().size());
            for (String in : e.getValue()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(e.getKey());
            }
            if (e.getValue().isEmpty()) {
                ready.add(e.getKey());
            }
        }
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String v = ready.poll();
            order.add(v);
            for (String c : consumers.getOrDefault(v, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        if (order.size() != inputsOf.size()) {
            throw new IllegalArgumentException("the graph configuration has a cycle or an input that is not a vertex;"
                    + " DL4J could not build it either");
        }
        return order;
    }
}

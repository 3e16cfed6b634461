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
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;

/** One swap of one configuration: walks it in network order, converts in place (on a clone), records entries. */
final class Swapper {

    /** The Keras model the network was imported from, or null. */
    private final KerasDropouts keras;
    private final Set<String> kerasLayersFound = new HashSet<>();
    private final List<SwapResult.Entry> replaced = new ArrayList<>();
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
        return new SwapResult<>(value, replaced, left);
    }

    /** A converted clone of the configuration. */
    MultiLayerConfiguration swap(MultiLayerConfiguration original, InputType inputType) {
        MultiLayerConfiguration conf = original.clone();
        List<Layout> inputs = inputLayouts(conf, inputType);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration nnc = conf.getConf(i);
            Layer layer = nnc.getLayer();
            String name = layer.getLayerName() != null ? layer.getLayerName() : "layer" + i;
            Layer swapped = swapLayer(layer, inputs.get(i), name, "", null);
            if (swapped != layer) {
                nnc.setLayer(swapped);
            }
        }
        return conf;
    }

    /** A converted clone of the configuration. */
    ComputationGraphConfiguration swap(ComputationGraphConfiguration original, InputType[] inputTypes) {
        ComputationGraphConfiguration conf = original.clone();
        // DL4J 1.0.0-M2.1's clone() drops the counts (schedules and Adam's bias correction read them).
        conf.setIterationCount(original.getIterationCount());
        conf.setEpochCount(original.getEpochCount());
        Map<String, Layout> inputs = inputLayouts(conf, inputTypes);
        for (String name : topologicalOrder(conf)) {
            GraphVertex vertex = conf.getVertices().get(name);
            if (vertex instanceof LayerVertex) {
                NeuralNetConfiguration nnc = ((LayerVertex) vertex).getLayerConf();
                Layer layer = nnc.getLayer();
                Layer swapped = swapLayer(layer, inputs.get(name), name, "", null);
                if (swapped != layer) {
                    nnc.setLayer(swapped);
                }
            }
        }
        return conf;
    }

    /**
     * Swaps one layer configuration: in place where it keeps its class, else returns the replacement.
     *
     * @param input   layout of the layer's input after its preprocessor, or null if unknown
     * @param context "" at the top level, else " inside Wrapper"
     */
    private Layer swapLayer(Layer layer, Layout input, String name, String context, String frozen) {
        String kind = layer.getClass().getSimpleName();
        if (layer instanceof FrozenLayer) {
            FrozenLayer f = (FrozenLayer) layer;
            swapOwnDropout(f, input, name, context, FROZEN);
            Layer inner = f.getLayer();
            Layer swapped = swapLayer(inner, input, name, " inside FrozenLayer" + context, FROZEN);
            if (swapped == inner) {
                return f;
            }
            FrozenLayer copy = new FrozenLayer(swapped);
            copy.setLayerName(f.getLayerName());
            copy.setIDropout(f.getIDropout());
            copy.setConstraints(f.getConstraints());
            return copy;
        }
        if (layer instanceof BaseWrapperLayer) {
            BaseWrapperLayer w = (BaseWrapperLayer) layer;
            swapOwnDropout(w, input, name, context, frozen);
            Layer inner = w.getUnderlying();
            // TimeDistributed hands its layer [batch * time, features]; the other wrappers pass their input on.
            Layout innerInput = layer instanceof TimeDistributed ? null : input;
            Layer swapped = swapLayer(inner, innerInput, name, " inside " + kind + context,
                    layer instanceof FrozenLayerWithBackprop ? FROZEN_WITH_BACKPROP : frozen);
            if (swapped != inner) {
                w.setUnderlying(swapped);
            }
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
            left.add(new SwapResult.Entry(name, SwapResult.Site.WEIGHT_NOISE, "weight noise of " + kind + context,
                    String.valueOf(((BaseLayer) layer).getWeightNoise()), null,
                    "weight noise acts on the parameters, not on activations; Dropkit has no equivalent"));
        }
        return layer;
    }

    private void swapOwnDropout(Layer layer, Layout input, String name, String context, String frozen) {
        IDropout dropout = layer.getIDropout();
        if (dropout == null || dropout instanceof MaskDropout) {
            return;
        }
        String where = ".dropOut of " + layer.getClass().getSimpleName() + context;
        DropoutConversion c = DropoutConversion.of(dropout, Layouts.seenByDropout(layer, input), null);
        boolean dropsNothing = c.replacement != null && c.replacement.getPSchedule() == null
                && c.replacement.getP() == 1.0;
        String note = join(c.note, dropsNothing ? null : Layouts.dl4jQuirk(layer), frozen);
        SwapResult.Entry entry = new SwapResult.Entry(name, SwapResult.Site.DROPOUT, where,
                DropoutConversion.describe(dropout), c.replacement, note);
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
            left.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT_LAYER, where, "no dropout", null,
                    "a DropoutLayer without dropout passes its input through; nothing to convert"));
            return layer;
        }
        KerasDropouts.Layer source = keras == null ? null : keras.get(layer.getLayerName());
        if (source != null) {
            kerasLayersFound.add(layer.getLayerName());
        }
        DropoutConversion c = DropoutConversion.of(dropout, input, source);
        String note = join(c.note, frozen);
        if (c.replacement == null) {
            left.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT_LAYER, where,
                    DropoutConversion.describe(dropout), null, note));
            return layer;
        }
        MaskDropoutLayer swapped = new MaskDropoutLayer.Builder(c.replacement).name(layer.getLayerName()).build();
        if (input != null && input.rank == 3) {
            swapped.setRnnDataFormat(input.channelsFirst() ? RNNFormat.NCW : RNNFormat.NWC);
        }
        replaced.add(new SwapResult.Entry(name, SwapResult.Site.DROPOUT_LAYER, where,
                DropoutConversion.describe(dropout), c.replacement, note));
        return swapped;
    }

    private static final String FROZEN = "frozen: DL4J runs frozen layers in inference mode, so this dropout never"
            + " acts, before or after the swap";
    private static final String FROZEN_WITH_BACKPROP = "DL4J's FrozenLayerWithBackprop runs its layer in inference mode"
            + " but back-propagates through its dropout, which fails for any dropout (built-in or Dropkit): remove"
            + " dropout from such layers";

    private static String join(String... parts) {
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
    private static List<Layout> inputLayouts(MultiLayerConfiguration conf, InputType inputType) {
        int n = conf.getConfs().size();
        List<Layout> result = new ArrayList<>(n);
        if (inputType != null) {
            List<InputType> outputs;
            try {
                outputs = conf.clone().getLayerActivationTypes(inputType);
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
    private static Map<String, Layout> inputLayouts(ComputationGraphConfiguration conf, InputType[] inputTypes) {
        Map<String, Layout> result = new HashMap<>();
        List<String> order = topologicalOrder(conf);
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        if (inputTypes != null) {
            Map<String, InputType> outputs;
            try {
                outputs = conf.clone().getLayerActivationTypes(true, false, inputTypes);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the input types do not fit this graph: " + e.getMessage()
                        + ". Give one type per network input, in the order of its configuration.", e);
            }
            for (String name : order) {
                GraphVertex vertex = conf.getVertices().get(name);
                if (vertex instanceof LayerVertex) {
                    InputType in = outputs.get(vertexInputs.get(name).get(0));
                    InputPreProcessor pre = ((LayerVertex) vertex).getPreProcessor();
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
            if (vertex instanceof LayerVertex) {
                Layer layer = ((LayerVertex) vertex).getLayerConf().getLayer();
                Layout input = in.size() == 1 ? outputs.get(in.get(0)) : null;
                input = Layouts.afterPreprocessor(((LayerVertex) vertex).getPreProcessor(), input);
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

package org.dropkit.migrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
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
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.util.GraphIndices;
import org.dropkit.MaskDropConnect;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.Scaling;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.Dl4jDropoutDefects;
import org.nd4j.linalg.activations.Activation;

/**
 * One export of one configuration: walks a deep copy of it in network order, converts Dropkit's settings to DL4J's
 * built-ins in place, records entries. The original configuration (and so a running network built from it) is never
 * touched.
 */
final class Exporter {

    private final List<ExportResult.Entry> converted = new ArrayList<>();
    private final List<ExportResult.Entry> left = new ArrayList<>();
    /** In a graph: why DL4J would let a layer vertex modify its input in place (by vertex name); empty otherwise. */
    private Map<String, String> inPlace = Map.of();

    /** The result, after a final check that the configuration's JSON names no Dropkit class unreported. */
    <T> ExportResult<T> result(T value, Object conf, boolean refuseLeftovers) {
        String dropkit = left.isEmpty() ? BuiltInConversion.dropkitClass(conf) : null;
        if (dropkit != null) {
            left.add(new ExportResult.Entry("(configuration)", ExportResult.Site.OTHER, "configuration", dropkit, null,
                    null, "the configuration names this Dropkit class outside its layers' dropout; not changed"));
        }
        if (refuseLeftovers && !left.isEmpty()) {
            StringBuilder s = new StringBuilder("DropoutExport cannot free this network of Dropkit: ")
                    .append(left.size()).append(" setting(s) have no DL4J built-in of the same meaning there:");
            for (ExportResult.Entry e : left) {
                s.append("\n  ").append(e);
            }
            s.append("\nChange or remove them, or export without refuseLeftovers() to keep them and get the report");
            throw new IllegalArgumentException(s.toString());
        }
        return new ExportResult<>(value, converted, left);
    }

    /** A converted deep copy of the configuration. */
    MultiLayerConfiguration export(MultiLayerConfiguration original, InputType inputType) {
        MultiLayerConfiguration conf = LayerCopies.deep(original);
        List<Layout> inputs = Swapper.inputLayouts(conf, inputType);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration nnc = conf.getConf(i);
            Layer layer = nnc.getLayer();
            String name = layer.getLayerName() != null ? layer.getLayerName() : "layer" + i;
            nnc.setLayer(exportLayer(layer, inputs.get(i), name, "", null));
        }
        return conf;
    }

    /** A converted deep copy of the configuration, iteration and epoch counts kept. */
    ComputationGraphConfiguration export(ComputationGraphConfiguration original, InputType[] inputTypes) {
        ComputationGraphConfiguration conf = LayerCopies.deep(original);
        Map<String, Layout> inputs = Swapper.inputLayouts(conf, inputTypes);
        inPlace = inPlaceLayers(conf);
        for (String name : Swapper.topologicalOrder(conf)) {
            GraphVertex vertex = conf.getVertices().get(name);
            LayerVertex layerVertex = LayerCopies.layerVertex(vertex);
            if (layerVertex != null) {
                String context = vertex instanceof FrozenVertex ? " inside FrozenVertex" : "";
                NeuralNetConfiguration nnc = layerVertex.getLayerConf();
                nnc.setLayer(exportLayer(nnc.getLayer(), inputs.get(name), name, context, null));
            }
        }
        return conf;
    }

    /**
     * The layer vertices DL4J 1.0.0-M2.1's {@code ComputationGraph.init()} lets modify their input in place although
     * another vertex reads that input too: those last in DL4J's topological order among the readers of a shared
     * activation. DL4J's dropout writes the dropped-out values into that array there, which the other readers keep
     * for their backward pass; Dropkit's writes a new array inside a graph.
     */
    private static Map<String, String> inPlaceLayers(ComputationGraphConfiguration conf) {
        Map<String, List<String>> readers = new HashMap<>();
        conf.getVertexInputs().forEach((vertex, inputs) -> {
            for (String in : inputs) {
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(vertex);
            }
        });
        // DL4J's own order (it is stored in a configuration once computed, so a network built from it uses the same)
        GraphIndices indices = new ComputationGraph(conf).calculateIndices();
        Map<String, Integer> position = new HashMap<>();
        int[] order = indices.getTopologicalSortOrder();
        for (int i = 0; i < order.length; i++) {
            position.put(indices.getIdxToName().get(order[i]), i);
        }
        Map<String, String> result = new HashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            List<String> inputs = conf.getVertexInputs().get(e.getKey());
            if (LayerCopies.layerVertex(e.getValue()) == null || inputs == null || inputs.isEmpty()
                    || conf.getNetworkInputs().contains(inputs.get(0))) {
                continue;
            }
            String in = inputs.get(0);
            List<String> all = readers.get(in);
            if (all.size() < 2) {
                continue;
            }
            int last = -1;
            for (String r : all) {
                last = Math.max(last, position.get(r));
            }
            List<String> affected = new ArrayList<>();
            for (String r : all) {
                if (!r.equals(e.getKey()) && keepsInputValues(conf.getVertices().get(r))) {
                    affected.add(r);
                }
            }
            if (position.get(e.getKey()) == last && !affected.isEmpty()) {
                result.put(e.getKey(), "in this ComputationGraph DL4J lets this vertex, the last in its order of the"
                        + " readers of \"" + in + "\", modify that activation in place, so DL4J's dropout would write"
                        + " the dropped-out values into the array " + affected + " keep for their backward pass and"
                        + " corrupt their gradients; Dropkit's writes a new array in a graph. Left");
            }
        }
        return result;
    }

    /**
     * Whether a vertex reads its input's values again after its forward pass (layers: for their weight gradient, and
     * output layers run their forward pass again in backprop). DL4J's MergeVertex, ScaleVertex, ShiftVertex and the
     * Add, Subtract and Average ElementWiseVertex copy their input in the forward pass and use only its shape in
     * backward; every other vertex is taken to keep it.
     */
    private static boolean keepsInputValues(GraphVertex vertex) {
        if (vertex instanceof MergeVertex || vertex instanceof ScaleVertex || vertex instanceof ShiftVertex) {
            return false;
        }
        if (vertex instanceof ElementWiseVertex) {
            ElementWiseVertex.Op op = ((ElementWiseVertex) vertex).getOp();
            return !(op == ElementWiseVertex.Op.Add || op == ElementWiseVertex.Op.Subtract
                    || op == ElementWiseVertex.Op.Average);
        }
        return true;
    }

    /**
     * Exports one layer configuration of the deep copy: in place where it keeps its class, else returns the
     * replacement.
     *
     * @param input   layout of the layer's input after its preprocessor, or null if unknown
     * @param context "" at the top level, else " inside Wrapper"
     * @param frozen  why the layer's dropout does not act as usual (a frozen wrapper), or null
     */
    private Layer exportLayer(Layer layer, Layout input, String name, String context, String frozen) {
        String kind = layer.getClass().getSimpleName();
        if (layer instanceof FrozenLayer) {
            FrozenLayer f = (FrozenLayer) layer;
            exportOwnDropout(f, input, name, context, null);
            Layer inner = f.getLayer();
            Layer exported = exportLayer(inner, input, name, " inside FrozenLayer" + context, Swapper.FROZEN);
            if (exported == inner) {
                return f;
            }
            // FrozenLayer has no setter for its layer; its setConstraints also sets the inner layer's.
            FrozenLayer copy = new FrozenLayer(exported);
            List<LayerConstraint> innerConstraints = exported.getConstraints();
            copy.setLayerName(f.getLayerName());
            copy.setIDropout(f.getIDropout());
            copy.setConstraints(f.getConstraints());
            exported.setConstraints(innerConstraints);
            return copy;
        }
        if (layer instanceof BaseWrapperLayer) {
            BaseWrapperLayer w = (BaseWrapperLayer) layer;
            exportOwnDropout(w, input, name, context, frozen);
            Layout innerInput = layer instanceof TimeDistributed ? null : input;
            w.setUnderlying(exportLayer(w.getUnderlying(), innerInput, name, " inside " + kind + context,
                    layer instanceof FrozenLayerWithBackprop ? Swapper.FROZEN_WITH_BACKPROP : frozen));
            return w;
        }
        if (layer instanceof Bidirectional) {
            Bidirectional b = (Bidirectional) layer;
            exportOwnDropout(b, input, name, context, frozen);
            b.setFwd(exportLayer(b.getFwd(), input, name, " (forward) inside Bidirectional" + context, frozen));
            b.setBwd(exportLayer(b.getBwd(), input, name, " (backward) inside Bidirectional" + context, frozen));
            return b;
        }
        if (layer instanceof MaskDropoutLayer) {
            return exportDropoutLayer((MaskDropoutLayer) layer, input, name, context, frozen);
        }
        exportOwnDropout(layer, input, name, context, frozen);
        if (layer instanceof BaseLayer && ((BaseLayer) layer).getWeightNoise() instanceof MaskDropConnect) {
            left.add(new ExportResult.Entry(name, ExportResult.Site.OTHER, ".weightNoise of " + kind + context,
                    String.valueOf(((BaseLayer) layer).getWeightNoise()), null, null, "DL4J's DropConnect and"
                    + " WeightNoise would train differently (kept weights unscaled, weight gradient dL/dW'); at"
                    + " inference the layer uses its weights either way, so to deploy without Dropkit remove the"
                    + " weight noise (setWeightNoise(null)): the outputs at inference do not change; not changed"));
        }
        String dropkit = BuiltInConversion.dropkitClass(layer);
        if (dropkit != null && !leftHere(name)) {
            left.add(new ExportResult.Entry(name, ExportResult.Site.OTHER, kind + context, dropkit, null, null,
                    "the layer's configuration names this Dropkit class outside its dropout; not changed"));
        }
        return layer;
    }

    private boolean leftHere(String name) {
        for (ExportResult.Entry e : left) {
            if (e.layerName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private void exportOwnDropout(Layer layer, Layout input, String name, String context, String frozen) {
        IDropout dropout = layer.getIDropout();
        if (!(dropout instanceof MaskDropout)) {
            return; // DL4J's own (or none); a Dropkit class inside it is reported with the layer
        }
        MaskDropout d = (MaskDropout) dropout;
        String where = ".dropOut of " + layer.getClass().getSimpleName() + context;
        String before = d.toString();
        String defect = Dl4jDropoutDefects.describe(layer);
        String quirk = Layouts.dl4jQuirk(layer);
        String why = null;
        if (Dl4jDropoutDefects.passesNoWorkspaceToDropout(layer)) {
            why = defect;
        } else if (quirk != null && !quirk.equals(Layouts.LSTM_NWC) && d.getKind() != MaskKind.GAUSSIAN_NOISE) {
            why = "DL4J applies this layer's dropout to its channels-last input but hands its backward pass a"
                    + " channels-first gradient, so DL4J's Dropout, GaussianDropout, SpatialDropout and AlphaDropout"
                    + " fail or misplace the mask there (only GaussianNoise, dx = dy, is unaffected); Dropkit's puts"
                    + " the mask where it belongs. For a network without Dropkit, move the dropout into a"
                    + " MaskDropoutLayer before the layer: that one exports to DL4J's DropoutLayer, which is exact";
        } else if (inPlace.containsKey(name) && frozen == null && !Dl4jDropoutDefects.neverAppliesDropout(layer)) {
            why = inPlace.get(name);
        }
        if (why != null) {
            left.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT, where, before, null, null,
                    Swapper.join(why, frozen)));
            return;
        }
        BuiltInConversion c = BuiltInConversion.of(d, Layouts.seenByDropout(layer, input), layer);
        if (c.replacement == null) {
            left.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT, where, before, null, null,
                    Swapper.join(c.note, defect, frozen)));
            return;
        }
        layer.setIDropout(c.replacement);
        converted.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT, where, before, c.replacement,
                DropoutConversion.describe(c.replacement), Swapper.join(c.note, quirk, defect, frozen)));
    }

    private Layer exportDropoutLayer(MaskDropoutLayer layer, Layout input, String name, String context,
            String frozen) {
        String where = "MaskDropoutLayer" + context;
        MaskDropout d = layer.getDropout();
        String before = d == null ? "no dropout" : d.toString();
        String why = null;
        if (layer.isMonteCarlo()) {
            why = "Monte Carlo dropout acts at inference; DL4J's dropout acts only in training";
        } else if (layer.getScaling() == Scaling.VANILLA) {
            why = "vanilla scaling multiplies by p at inference; DL4J's DropoutLayer is the identity there";
        } else if (d != null && inPlace.containsKey(name) && frozen == null) {
            why = inPlace.get(name);
        }
        if (why != null) {
            left.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT_LAYER, where, before, null, null,
                    Swapper.join(why, frozen)));
            return layer;
        }
        if (d == null) {
            converted.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT_LAYER, where, before, null,
                    Swapper.NO_OP_LAYER, Swapper.join("the identity, as the MaskDropoutLayer without dropout", frozen)));
            return new ActivationLayer.Builder().activation(Activation.IDENTITY).name(layer.getLayerName()).build();
        }
        BuiltInConversion c = BuiltInConversion.of(d, input, null);
        if (c.replacement == null) {
            left.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT_LAYER, where, before, null, null,
                    Swapper.join(c.note, frozen)));
            return layer;
        }
        DropoutLayer exported = LayerCopies.dropoutLayer(c.replacement, layer.getLayerName(), layer.getSwappedFrom());
        String masks = input != null && input.rank == 3 ? "at inference, DL4J's DropoutLayer given a feature mask"
                + " multiplies the array it was given by the mask in place, where the MaskDropoutLayer wrote a new"
                + " array" : null;
        converted.add(new ExportResult.Entry(name, ExportResult.Site.DROPOUT_LAYER, where, before, c.replacement,
                "DropoutLayer with " + DropoutConversion.describe(c.replacement), Swapper.join(c.note, masks,
                        frozen)));
        return exported;
    }
}

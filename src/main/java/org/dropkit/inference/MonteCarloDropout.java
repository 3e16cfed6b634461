package org.dropkit.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.conf.MaskDropoutLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Monte Carlo dropout: keeps chosen {@link MaskDropoutLayer}s stochastic at inference, runs T passes over the same
 * input and returns the predictive mean and standard deviation of the outputs (Gal and Ghahramani 2016, "Dropout as
 * a Bayesian approximation: representing model uncertainty in deep learning", ICML). The spread is a cheap estimate
 * of the model's uncertainty: it tends to be larger on inputs unlike the training data.
 *
 * <pre>{@code
 * MonteCarloPrediction pred = MonteCarloDropout.of(net)   // a MultiLayerNetwork or a ComputationGraph
 *         .layers("mc-dropout")                          // by name or index; default: every MaskDropoutLayer
 *         .samples(50)                                   // T >= 2; default 30
 *         .predict(features);
 * INDArray mean = pred.mean(), std = pred.std();         // both shaped like net.output(features)
 * }</pre>
 *
 * <h2>What is stochastic</h2>
 * During the T passes exactly the chosen layers are in Monte Carlo mode (see
 * {@link MaskDropoutLayer#setMonteCarlo(boolean)}): each draws a fresh mask with its own retain probability p, and
 * every other {@code MaskDropoutLayer} is deterministic. Afterwards every layer's flag is what it was before, also
 * when a pass throws. Only a {@code MaskDropoutLayer} can be chosen: DL4J calls the {@code IDropout} given to
 * {@code .dropOut(...)} only while training, so it cannot act at inference without also switching batch
 * normalization and other layers to training mode.
 *
 * <h2>Randomness</h2>
 * Each pass takes its mask seeds from {@code Nd4j.getRandom()}: call {@code Nd4j.getRandom().setSeed(s)} first to
 * reproduce a prediction bit for bit. Threads that nothing seeded apart (ND4J seeds a new thread's generator with the
 * clock, so threads started together start alike) still draw independent samples: see the README, "Parallel
 * training".
 *
 * <h2>Numbers</h2>
 * The mean and the standard deviation (divisor T - 1) are accumulated in double precision with Welford's update and
 * returned in the output's data type. Where every pass gives the same value (for example p = 1) the standard
 * deviation is exactly zero. NaN or infinite outputs make that element's mean and spread NaN.
 *
 * <p>Instances are immutable settings; {@link #layers}, {@link #samples} return changed copies. {@code predict}
 * changes the network's layer configurations for its duration, so do not use the network from another thread
 * meanwhile.
 */
public final class MonteCarloDropout {

    /** T when {@link #samples(int)} is not called. */
    public static final int DEFAULT_SAMPLES = 30;

    private final MultiLayerNetwork network;
    private final ComputationGraph graph;
    /** Chosen layer names, or null. At most one of names and indices is set; neither means every MaskDropoutLayer. */
    private final String[] names;
    private final int[] indices;
    private final int samples;

    private MonteCarloDropout(MultiLayerNetwork network, ComputationGraph graph, String[] names, int[] indices,
            int samples) {
        this.network = network;
        this.graph = graph;
        this.names = names;
        this.indices = indices;
        this.samples = samples;
    }

    /**
     * Monte Carlo dropout over an initialized {@link MultiLayerNetwork}.
     *
     * @param network the network; its configuration and parameters are not changed
     * @return every {@link MaskDropoutLayer} stochastic, {@value #DEFAULT_SAMPLES} samples; refine with
     *         {@link #layers(String...)} and {@link #samples(int)}
     */
    public static MonteCarloDropout of(MultiLayerNetwork network) {
        return new MonteCarloDropout(Objects.requireNonNull(network, "network"), null, null, null, DEFAULT_SAMPLES);
    }

    /**
     * Monte Carlo dropout over an initialized {@link ComputationGraph}.
     *
     * @param graph the graph; its configuration and parameters are not changed
     * @return every {@link MaskDropoutLayer} stochastic, {@value #DEFAULT_SAMPLES} samples; refine with
     *         {@link #layers(String...)} and {@link #samples(int)}
     */
    public static MonteCarloDropout of(ComputationGraph graph) {
        return new MonteCarloDropout(null, Objects.requireNonNull(graph, "graph"), null, null, DEFAULT_SAMPLES);
    }

    /**
     * Keeps only the {@link MaskDropoutLayer}s with these names stochastic.
     *
     * @param layerNames the layer (or vertex) names, at least one
     * @return a copy with those layers chosen
     * @throws IllegalArgumentException if no name is given, a name is unknown, or names a layer that is not a
     *                                  {@code MaskDropoutLayer}
     */
    public MonteCarloDropout layers(String... layerNames) {
        Objects.requireNonNull(layerNames, "layerNames");
        if (layerNames.length == 0) {
            throw new IllegalArgumentException("layers(String...) was given no layer name: name at least one"
                    + " MaskDropoutLayer, or do not call layers(...) to keep every MaskDropoutLayer stochastic");
        }
        MonteCarloDropout copy = new MonteCarloDropout(network, graph, layerNames.clone(), null, samples);
        copy.chosenLayers();
        return copy;
    }

    /**
     * Keeps only the {@link MaskDropoutLayer}s at these positions of {@code getLayers()} stochastic.
     *
     * @param layerIndices indices into the network's {@code getLayers()}, at least one
     * @return a copy with those layers chosen
     * @throws IllegalArgumentException if no index is given, an index is out of range, or points at a layer that is
     *                                  not a {@code MaskDropoutLayer}
     */
    public MonteCarloDropout layers(int... layerIndices) {
        Objects.requireNonNull(layerIndices, "layerIndices");
        if (layerIndices.length == 0) {
            throw new IllegalArgumentException("layers(int...) was given no layer index: give at least one index of"
                    + " a MaskDropoutLayer, or do not call layers(...) to keep every MaskDropoutLayer stochastic");
        }
        MonteCarloDropout copy = new MonteCarloDropout(network, graph, null, layerIndices.clone(), samples);
        copy.chosenLayers();
        return copy;
    }

    /**
     * Sets T, the number of stochastic passes.
     *
     * @param t at least 2; 30 to 100 is typical, and the error of the mean falls as 1/sqrt(T)
     * @return a copy with T = t
     * @throws IllegalArgumentException if t is less than 2
     */
    public MonteCarloDropout samples(int t) {
        if (t < 2) {
            throw new IllegalArgumentException("number of Monte Carlo samples T (" + t + ") must be at least 2:"
                    + " a spread needs two passes or more. 30 to 100 passes are typical, e.g. samples(30).");
        }
        return new MonteCarloDropout(network, graph, names, indices, t);
    }

    /**
     * T, the number of stochastic passes.
     *
     * @return T, at least 2
     */
    public int getSamples() {
        return samples;
    }

    /**
     * The names of the layers that will be stochastic, in network order.
     *
     * @return the names, in network order
     * @throws IllegalArgumentException as {@link #layers}, or if the network has no {@code MaskDropoutLayer}
     * @throws IllegalStateException    if the network is not initialized
     */
    public List<String> layerNames() {
        List<String> result = new ArrayList<>();
        for (Layer layer : chosenLayers()) {
            result.add(name(layer));
        }
        return result;
    }

    /**
     * T passes over a network with one input and one output.
     *
     * @param input the features, as for {@code output(input, false)}
     * @return the predictive mean and standard deviation, shaped like the network's output
     * @throws IllegalArgumentException if the network is a graph with several inputs or outputs (use
     *                                  {@link #predictAll}), or as {@link #layerNames()}
     */
    public MonteCarloPrediction predict(INDArray input) {
        Objects.requireNonNull(input, "input");
        if (graph != null && (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1)) {
            throw new IllegalArgumentException("predict(INDArray) needs a graph with one input and one output; this"
                    + " graph has " + graph.getNumInputArrays() + " inputs and " + graph.getNumOutputArrays()
                    + " outputs: use predictAll(inputs...), which returns one prediction per output");
        }
        return predictAll(input).get(0);
    }

    /**
     * T passes over a network with any number of inputs and outputs.
     *
     * @param inputs one array per network input, in the graph's input order
     * @return one prediction per network output, in the graph's output order
     * @throws IllegalArgumentException if the number of inputs is wrong, or as {@link #layerNames()}
     */
    public List<MonteCarloPrediction> predictAll(INDArray... inputs) {
        Objects.requireNonNull(inputs, "inputs");
        int expected = graph != null ? graph.getNumInputArrays() : 1;
        if (inputs.length != expected) {
            throw new IllegalArgumentException("the network takes " + expected + " input array(s), got "
                    + inputs.length + ": pass one array per network input, in the order of its configuration");
        }
        for (int i = 0; i < inputs.length; i++) {
            Objects.requireNonNull(inputs[i], "inputs[" + i + "]");
        }
        List<Layer> chosen = chosenLayers();
        List<MaskDropoutLayer> all = new ArrayList<>();
        for (Layer layer : layers()) {
            if (layer.conf().getLayer() instanceof MaskDropoutLayer) {
                all.add((MaskDropoutLayer) layer.conf().getLayer());
            }
        }
        boolean[] before = new boolean[all.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = all.get(i).isMonteCarlo();
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (MaskDropoutLayer layer : all) {
                layer.setMonteCarlo(false);
            }
            for (Layer layer : chosen) {
                ((MaskDropoutLayer) layer.conf().getLayer()).setMonteCarlo(true);
            }
            Moments[] moments = null;
            for (int t = 0; t < samples; t++) {
                INDArray[] outputs = graph != null ? graph.output(false, inputs)
                        : new INDArray[] {network.output(inputs[0], false)};
                if (moments == null) {
                    moments = new Moments[outputs.length];
                    for (int j = 0; j < outputs.length; j++) {
                        moments[j] = new Moments();
                    }
                }
                for (int j = 0; j < outputs.length; j++) {
                    moments[j].add(outputs[j]);
                }
            }
            List<MonteCarloPrediction> result = new ArrayList<>(moments.length);
            for (Moments m : moments) {
                result.add(m.prediction());
            }
            return result;
        } finally {
            for (int i = 0; i < before.length; i++) {
                all.get(i).setMonteCarlo(before[i]);
            }
        }
    }

    private Layer[] layers() {
        Layer[] layers = graph != null ? graph.getLayers() : network.getLayers();
        if (layers == null) {
            throw new IllegalStateException("the network is not initialized: call init() on it before Monte Carlo"
                    + " dropout");
        }
        return layers;
    }

    /** The chosen layers in network order, each checked to be a MaskDropoutLayer with a dropout. */
    private List<Layer> chosenLayers() {
        Layer[] layers = layers();
        Set<Integer> positions = new LinkedHashSet<>();
        if (names != null) {
            for (String wanted : names) {
                positions.add(positionOf(layers, wanted));
            }
        } else if (indices != null) {
            for (int index : indices) {
                if (index < 0 || index >= layers.length) {
                    throw new IllegalArgumentException("layer index (" + index + ") must be in [0, "
                            + (layers.length - 1) + "], the positions of getLayers() in this network; its"
                            + " MaskDropoutLayers are " + maskDropoutLayers(layers));
                }
                positions.add(index);
            }
        } else {
            for (int i = 0; i < layers.length; i++) {
                if (layers[i].conf().getLayer() instanceof MaskDropoutLayer) {
                    positions.add(i);
                }
            }
            if (positions.isEmpty()) {
                throw new IllegalArgumentException("this network has no MaskDropoutLayer, so nothing can stay"
                        + " stochastic at inference: add one after each layer whose activations should be sampled,"
                        + " e.g. .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.8)).build()), and"
                        + " train with it. DL4J's .dropOut(...) acts only in training.");
            }
        }
        List<Layer> chosen = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            if (positions.contains(i)) {
                chosen.add(checked(layers, i));
            }
        }
        return chosen;
    }

    private static int positionOf(Layer[] layers, String wanted) {
        Objects.requireNonNull(wanted, "layer name");
        for (int i = 0; i < layers.length; i++) {
            if (wanted.equals(name(layers[i]))) {
                return i;
            }
        }
        List<String> all = new ArrayList<>();
        for (Layer layer : layers) {
            all.add(name(layer));
        }
        throw new IllegalArgumentException("no layer named \"" + wanted + "\" in this network: its layers are " + all
                + ", of which MaskDropoutLayers are " + maskDropoutLayers(layers) + ". Name the layer with"
                + " .name(\"...\") on its builder, or choose it by index.");
    }

    private static Layer checked(Layer[] layers, int i) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layers[i].conf().getLayer();
        if (!(conf instanceof MaskDropoutLayer)) {
            throw new IllegalArgumentException("layer \"" + name(layers[i]) + "\" (index " + i + ") is a "
                    + conf.getClass().getSimpleName() + ", not a MaskDropoutLayer: Monte Carlo dropout needs a layer"
                    + " that applies dropout at inference (DL4J's .dropOut(...) acts only in training). Insert"
                    + " new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p)).build() after it and choose that layer;"
                    + " this network's MaskDropoutLayers are " + maskDropoutLayers(layers));
        }
        if (((MaskDropoutLayer) conf).getDropout() == null) {
            throw new IllegalArgumentException("MaskDropoutLayer \"" + name(layers[i]) + "\" (index " + i + ") has"
                    + " no dropout (it was removed, e.g. by a fine-tune configuration), so it cannot sample: give it"
                    + " a MaskDropout with setIDropout(MaskDropout.bernoulli(p)) or choose another layer");
        }
        return layers[i];
    }

    private static String name(Layer layer) {
        return layer.conf().getLayer().getLayerName();
    }

    private static String maskDropoutLayers(Layer[] layers) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i].conf().getLayer() instanceof MaskDropoutLayer) {
                found.add("\"" + name(layers[i]) + "\" (index " + i + ")");
            }
        }
        return found.isEmpty() ? "none" : found.toString();
    }

    /** Welford's running mean and sum of squared deviations, in double precision. */
    private static final class Moments {
        private INDArray mean;
        private INDArray m2;
        private DataType outputType;
        private int n;

        void add(INDArray output) {
            INDArray x = output.dataType() == DataType.DOUBLE ? output.dup('c') : output.castTo(DataType.DOUBLE);
            n++;
            if (n == 1) {
                outputType = output.dataType();
                mean = x;
                m2 = Nd4j.zeros(DataType.DOUBLE, x.shape());
                return;
            }
            if (!Arrays.equals(mean.shape(), x.shape())) {
                throw new IllegalStateException("pass " + n + " gave an output of shape " + Arrays.toString(x.shape())
                        + ", the first pass " + Arrays.toString(mean.shape()) + ": the network's output shape must"
                        + " not depend on the pass");
            }
            INDArray delta = x.sub(mean);
            mean.addi(delta.div(n));
            m2.addi(delta.muli(x.subi(mean)));
        }

        MonteCarloPrediction prediction() {
            INDArray std = Transforms.sqrt(m2.divi(n - 1), false);
            return new MonteCarloPrediction(mean.castTo(outputType).dup(), std.castTo(outputType).dup(), n);
        }
    }
}

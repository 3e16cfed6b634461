package org.dropkit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.Dl4jDropoutDefects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * A gradient check for networks with Dropkit dropout, for your own tests and CI. It runs, on a copy of the network:
 * <ol>
 *   <li>a reproducibility check: two training passes with the same seed must give the same score, or no numerical
 *       check can pass (something draws random numbers outside {@code Nd4j.getRandom()});</li>
 *   <li>DL4J's numerical gradient check ({@code GradientCheckUtil}) with {@code Nd4j.getRandom()} reseeded before
 *       every pass, so every pass sees the same masks (weight masks of {@link org.dropkit.MaskDropConnect} too; a
 *       failure with DL4J's own {@code DropConnect} is explained: its weight gradient ignores the mask);</li>
 *   <li>for every Dropkit dropout in the network ({@code .dropOut(MaskDropout...)} and {@link MaskDropoutLayer}),
 *       the exact check: on the array it acts on in this network, forward gives {@code y = x * m} and backward
 *       {@code dx = dy * m} with the same mask m, bit for bit (alpha dropout: {@code y = (x - alpha') * m + c} with
 *       m = a or 0; Gaussian noise: {@code y = x + n}, {@code dx = dy}).</li>
 * </ol>
 *
 * <pre>{@code
 * @Test
 * void gradientsOfMyNetworkAreRight() {
 *     MultiLayerNetwork net = myNetwork(DataType.DOUBLE, new NoOp());   // double precision, NoOp updater
 *     DropoutGradientCheck.of(net).run(features, labels).assertPassed();
 * }
 * }</pre>
 *
 * <h2>What it needs</h2>
 * A numerical check compares the gradient with finite differences of the score, so the network must be built in
 * double precision ({@code .dataType(DataType.DOUBLE)}) and its updater must pass gradients through unchanged
 * ({@code .updater(new NoOp())}, or {@code Sgd} with learning rate 1.0); {@link #run} says which layers do not. Use
 * smooth activations (tanh, sigmoid, softmax): ReLU's kink causes spurious failures. Inputs are cast to double, and
 * ND4J's default data types are DOUBLE for the duration of the check and restored afterwards. Keep networks small:
 * the numerical check runs two forward passes per parameter (see {@link #maxPerParameter}).
 *
 * <p>The network given is not changed: the checks run on a copy (made through JSON, so it must survive a JSON round
 * trip, as every network that is saved does). Instances are immutable settings.
 */
public final class DropoutGradientCheck {

    /** The seed the generator is reset to before every pass, unless {@link #seed} says otherwise. */
    public static final long DEFAULT_SEED = 12345L;

    private final MultiLayerNetwork network;
    private final ComputationGraph graph;
    private final INDArray[] inputMasks;
    private final INDArray[] labelMasks;
    private final long seed;
    private final double epsilon;
    private final double maxRelativeError;
    private final double minAbsoluteError;
    private final int maxPerParameter;

    private DropoutGradientCheck(MultiLayerNetwork network, ComputationGraph graph, INDArray[] inputMasks,
            INDArray[] labelMasks, long seed, double epsilon, double maxRelativeError, double minAbsoluteError,
            int maxPerParameter) {
        this.network = network;
        this.graph = graph;
        this.inputMasks = inputMasks;
        this.labelMasks = labelMasks;
        this.seed = seed;
        this.epsilon = epsilon;
        this.maxRelativeError = maxRelativeError;
        this.minAbsoluteError = minAbsoluteError;
        this.maxPerParameter = maxPerParameter;
    }

    /**
     * A check of an initialized MultiLayerNetwork, with DL4J's default tolerances. The network is not modified: the
     * checks run on a copy.
     *
     * @param net the network, in double precision and with an updater that passes gradients through unchanged
     * @return the check, to refine and {@link #run(INDArray, INDArray)}
     */
    public static DropoutGradientCheck of(MultiLayerNetwork net) {
        return new DropoutGradientCheck(Objects.requireNonNull(net, "net"), null, null, null, DEFAULT_SEED, 1e-6,
                1e-3, 1e-8, 0);
    }

    /**
     * A check of an initialized ComputationGraph, with DL4J's default tolerances. The graph is not modified: the
     * checks run on a copy.
     *
     * @param net the graph, in double precision and with an updater that passes gradients through unchanged
     * @return the check, to refine and {@link #run(INDArray[], INDArray[])}
     */
    public static DropoutGradientCheck of(ComputationGraph net) {
        return new DropoutGradientCheck(null, Objects.requireNonNull(net, "net"), null, null, DEFAULT_SEED, 1e-6,
                1e-3, 1e-8, 0);
    }

    /**
     * Feature and label masks (either may be null), e.g. for variable-length time series.
     *
     * @param inputMask the features mask, or null
     * @param labelMask the labels mask, or null
     * @return a copy of this check with the masks
     */
    public DropoutGradientCheck masks(INDArray inputMask, INDArray labelMask) {
        return masks(inputMask == null ? null : new INDArray[] {inputMask},
                labelMask == null ? null : new INDArray[] {labelMask});
    }

    /**
     * Feature and label masks of a graph, one per input and per output (either array may be null).
     *
     * @param inputMasks the features masks, one per network input, or null
     * @param labelMasks the labels masks, one per network output, or null
     * @return a copy of this check with the masks
     */
    public DropoutGradientCheck masks(INDArray[] inputMasks, INDArray[] labelMasks) {
        return new DropoutGradientCheck(network, graph, inputMasks == null ? null : inputMasks.clone(),
                labelMasks == null ? null : labelMasks.clone(), seed, epsilon, maxRelativeError, minAbsoluteError,
                maxPerParameter);
    }

    /**
     * The seed {@code Nd4j.getRandom()} is reset to before every pass; default {@value #DEFAULT_SEED}.
     *
     * @param seed any value
     * @return a copy of this check with the seed
     */
    public DropoutGradientCheck seed(long seed) {
        return new DropoutGradientCheck(network, graph, inputMasks, labelMasks, seed, epsilon, maxRelativeError,
                minAbsoluteError, maxPerParameter);
    }

    /**
     * The tolerances of the numerical check, as DL4J's {@code GradientCheckUtil} takes them.
     *
     * @param epsilon          the finite-difference step, in (0, 0.1]; default 1e-6
     * @param maxRelativeError largest relative error |a - n| / (|a| + |n|) that passes, in (0, 0.25]; default 1e-3
     * @param minAbsoluteError an absolute error below this passes whatever the relative error; default 1e-8
     * @return a copy of this check with the tolerances
     * @throws IllegalArgumentException if a tolerance is outside its range (the message names it and the default)
     */
    public DropoutGradientCheck tolerances(double epsilon, double maxRelativeError, double minAbsoluteError) {
        if (!(epsilon > 0 && epsilon <= 0.1)) {
            throw new IllegalArgumentException("epsilon (" + epsilon + ") must be in (0, 0.1]; 1e-6 is DL4J's default");
        }
        if (!(maxRelativeError > 0 && maxRelativeError <= 0.25)) {
            throw new IllegalArgumentException("maxRelativeError (" + maxRelativeError + ") must be in (0, 0.25];"
                    + " 1e-3 is DL4J's default");
        }
        if (!(minAbsoluteError >= 0)) {
            throw new IllegalArgumentException("minAbsoluteError (" + minAbsoluteError + ") must be >= 0; 1e-8 is"
                    + " DL4J's default");
        }
        return new DropoutGradientCheck(network, graph, inputMasks, labelMasks, seed, epsilon, maxRelativeError,
                minAbsoluteError, maxPerParameter);
    }

    /**
     * Checks at most n evenly spaced values of each parameter array instead of all of them, for larger networks.
     *
     * @param n at least 1; 0 (the default) checks every parameter
     * @return a copy of this check with that limit
     * @throws IllegalArgumentException if n is negative
     */
    public DropoutGradientCheck maxPerParameter(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxPerParameter (" + n + ") must be >= 1, or 0 to check every"
                    + " parameter");
        }
        return new DropoutGradientCheck(network, graph, inputMasks, labelMasks, seed, epsilon, maxRelativeError,
                minAbsoluteError, n);
    }

    /**
     * Runs the checks on a network with one input and one output.
     *
     * @param input  the features, converted to double if they are not
     * @param labels the labels, converted to double if they are not
     * @return what was checked, what passed and what failed
     * @throws IllegalStateException if the network is not initialized, not in double precision, or has a layer
     *                               whose updater changes gradients (the message lists them and the fix)
     */
    public GradientCheckResult run(INDArray input, INDArray labels) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(labels, "labels");
        return run(new INDArray[] {input}, new INDArray[] {labels});
    }

    /**
     * Runs the checks on a network with any number of inputs and outputs (a graph), arrays in the order of its
     * configuration.
     *
     * @param inputs the features, one array per network input, converted to double if they are not
     * @param labels the labels, one array per network output, converted to double if they are not
     * @return what was checked, what passed and what failed
     * @throws IllegalArgumentException if a MultiLayerNetwork gets more than one input or label array
     * @throws IllegalStateException as {@link #run(INDArray, INDArray)}
     */
    public GradientCheckResult run(INDArray[] inputs, INDArray[] labels) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(labels, "labels");
        if (network != null && (inputs.length != 1 || labels.length != 1)) {
            throw new IllegalArgumentException("a MultiLayerNetwork takes one input and one label array, got "
                    + inputs.length + " and " + labels.length);
        }
        Requirements.check(network, graph);
        DataType before = Nd4j.dataType();
        DataType beforeFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return new Run(toDouble(inputs), toDouble(labels), toDouble(inputMasks), toDouble(labelMasks)).result();
        } finally {
            Nd4j.setDefaultDataTypes(before, beforeFloating);
        }
    }

    private static INDArray[] toDouble(INDArray[] arrays) {
        if (arrays == null) {
            return null;
        }
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            INDArray a = arrays[i];
            out[i] = a == null || !a.dataType().isFPType() || a.dataType() == DataType.DOUBLE ? a
                    : a.castTo(DataType.DOUBLE);
        }
        return out;
    }

    private static INDArray first(INDArray[] arrays) {
        return arrays == null ? null : arrays[0];
    }

    /** One run of the checks, on a copy of the network. */
    private final class Run {
        private final INDArray[] inputs;
        private final INDArray[] labels;
        private final INDArray[] fMasks;
        private final INDArray[] lMasks;
        private final MultiLayerNetwork mln;
        private final ComputationGraph cg;
        private final List<String> checked = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        Run(INDArray[] inputs, INDArray[] labels, INDArray[] fMasks, INDArray[] lMasks) {
            this.inputs = inputs;
            this.labels = labels;
            this.fMasks = fMasks;
            this.lMasks = lMasks;
            this.mln = network == null ? null : copy(network);
            this.cg = graph == null ? null : copy(graph);
        }

        GradientCheckResult result() {
            boolean numerical = false;
            if (reproducible()) {
                numerical = numericalCheck();
            }
            exactChecks();
            return new GradientCheckResult(numerical, checked, failures, notes);
        }

        private double trainingScore() {
            Nd4j.getRandom().setSeed(seed);
            if (mln != null) {
                return mln.score(new DataSet(inputs[0], labels[0], first(fMasks), first(lMasks)), true);
            }
            return cg.score(new MultiDataSet(inputs, labels, fMasks, lMasks), true);
        }

        private boolean reproducible() {
            double a = trainingScore();
            double b = trainingScore();
            if (Double.doubleToLongBits(a) != Double.doubleToLongBits(b)) {
                failures.add("two training passes with the generator reset to the same seed gave different scores ("
                        + a + " and " + b + "), so the masks are not reproducible and no numerical check can pass:"
                        + " something draws random numbers outside Nd4j.getRandom() or keeps state between passes."
                        + " Dropout that is not Dropkit's or DL4J's: " + foreignDropout()
                        + ". The numerical check was skipped.");
                return false;
            }
            checked.add("reproducibility: two training passes with seed " + seed + " give the same score (" + a + ")");
            Nd4j.getRandom().setSeed(seed);
            INDArray[] train = outputs(true);
            INDArray[] test = outputs(false);
            boolean differs = false;
            for (int i = 0; i < train.length; i++) {
                differs |= !train[i].equals(test[i]);
            }
            if (!differs) {
                notes.add("training and inference outputs are equal: no dropout acts in training (none, or p = 1),"
                        + " so the numerical check says nothing about dropout");
            }
            return true;
        }

        private INDArray[] outputs(boolean train) {
            if (mln != null) {
                return new INDArray[] {mln.output(inputs[0], train, first(fMasks), first(lMasks))};
            }
            return cg.output(train, inputs, fMasks, lMasks);
        }

        private boolean numericalCheck() {
            String what = "DL4J's numerical gradient check (epsilon " + epsilon + ", max relative error "
                    + maxRelativeError + ", min absolute error " + minAbsoluteError
                    + (maxPerParameter > 0 ? ", at most " + maxPerParameter + " values per parameter array" : "")
                    + ", generator reset to seed " + seed + " before every pass)";
            boolean ok;
            try {
                if (mln != null) {
                    GradientCheckUtil.MLNConfig c = new GradientCheckUtil.MLNConfig().net(mln).input(inputs[0])
                            .labels(labels[0]).inputMask(first(fMasks)).labelMask(first(lMasks)).epsilon(epsilon)
                            .maxRelError(maxRelativeError).minAbsoluteError(minAbsoluteError)
                            .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                            .callEachIter(n -> Nd4j.getRandom().setSeed(seed));
                    if (maxPerParameter > 0) {
                        c.subset(true).maxPerParam(maxPerParameter);
                    }
                    ok = GradientCheckUtil.checkGradients(c);
                } else {
                    GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(cg).inputs(inputs)
                            .labels(labels).inputMask(fMasks).labelMask(lMasks).epsilon(epsilon)
                            .maxRelError(maxRelativeError).minAbsoluteError(minAbsoluteError)
                            .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                            .callEachIter(n -> Nd4j.getRandom().setSeed(seed));
                    if (maxPerParameter > 0) {
                        c.subset(true).maxPerParam(maxPerParameter);
                    }
                    ok = GradientCheckUtil.checkGradients(c);
                }
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().contains("NaN")) {
                    throw e;
                }
                failures.add(what + " failed: " + e.getMessage() + ". A NaN score usually means an overflow in the"
                        + " network (check the inputs' scale and the activations).");
                return false;
            }
            if (ok) {
                checked.add(what + ": passed");
            } else {
                failures.add(what + " failed: analytic and numerical gradients differ for some parameters. DL4J logs"
                        + " each one at INFO as \"Param i (name) FAILED: grad=..., numericalGrad=...\" under the logger"
                        + " org.deeplearning4j.gradientcheck.GradientCheckUtil. " + knownCauses());
            }
            return ok;
        }

        /** Known DL4J 1.0.0-M2.1 defects in this network that make gradients wrong, or where to look otherwise. */
        private String knownCauses() {
            List<String> found = new ArrayList<>();
            for (String lstm : LstmInputs.nwcLstmsWithDropoutOnUnmodifiableInput(mln, cg)) {
                found.add(lstm + " is an LSTM with NWC data and a dropout that does not write into its input ("
                        + (mln != null ? "the first layer of a MultiLayerNetwork" : "DL4J allows it neither on a"
                        + " network input nor on an activation another layer reads later")
                        + "): DL4J 1.0.0-M2.1 then computes its gradients from the input before dropout,"
                        + " for any dropout; put a MaskDropoutLayer before the LSTM instead, or use NCW");
            }
            for (Map.Entry<String, Layer> e : Sites.layers(mln, cg).entrySet()) {
                Layer l = e.getValue();
                String channelsLast = ChannelsLastSites.unplacedMask(l);
                if (channelsLast != null) {
                    found.add(e.getKey() + " " + channelsLast);
                }
                if (l instanceof BaseLayer && isInexactWeightNoise(((BaseLayer) l).getWeightNoise())) {
                    found.add(e.getKey() + " has DL4J's " + ((BaseLayer) l).getWeightNoise().getClass().getSimpleName()
                            + ", whose weight gradient is dL/dW' (the gradient at the noisy weights), not dL/dW' * m:"
                            + " use org.dropkit.MaskDropConnect");
                }
                if (l instanceof FrozenLayerWithBackprop && Sites.hasDropkit(((FrozenLayerWithBackprop) l)
                        .getUnderlying())) {
                    found.add(e.getKey() + " is a FrozenLayerWithBackprop around a layer with dropout: DL4J runs it"
                            + " in inference mode but back-propagates through its dropout; remove that dropout");
                }
            }
            if (!found.isEmpty()) {
                return "Known DL4J defects in this network: " + String.join("; ", found) + ".";
            }
            return "If only dropout is new in this network, see the exact checks; otherwise look at non-smooth"
                    + " activations (ReLU) and custom layers.";
        }

        /** DL4J's DropConnect, and its multiplicative WeightNoise: their gradient ignores the mask. */
        private boolean isInexactWeightNoise(IWeightNoise noise) {
            return noise instanceof DropConnect || noise instanceof WeightNoise && !((WeightNoise) noise).isAdditive();
        }

        private String foreignDropout() {
            List<String> found = new ArrayList<>();
            for (Map.Entry<String, Layer> e : Sites.layers(mln, cg).entrySet()) {
                IDropout d = e.getValue().getIDropout();
                if (d != null && !(d instanceof MaskDropout)
                        && !d.getClass().getName().startsWith("org.deeplearning4j.nn.conf.dropout.")) {
                    found.add(e.getKey() + ": " + d.getClass().getName());
                }
            }
            return found.isEmpty() ? "none found (look at custom layers)" : found.toString();
        }

        private void exactChecks() {
            int sites = 0;
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            if (mln != null) {
                List<INDArray> acts = mln.feedForward(inputs[0], false);
                for (int i = 0; i < mln.getnLayers(); i++) {
                    NeuralNetConfiguration nnc = mln.getLayerWiseConfigurations().getConf(i);
                    INDArray in = acts.get(i);
                    InputPreProcessor pre = mln.getLayerWiseConfigurations().getInputPreProcess(i);
                    if (pre != null) {
                        in = pre.preProcess(in.dup(), (int) in.size(0), mgr);
                    }
                    sites += site(nnc, in, "\"" + nnc.getLayer().getLayerName() + "\" (index " + i + ")",
                            mln.getIterationCount(), mln.getEpochCount());
                }
            } else {
                Map<String, INDArray> acts = cg.feedForward(inputs, false);
                for (Map.Entry<String, GraphVertex> e : cg.getConfiguration().getVertices().entrySet()) {
                    if (!(e.getValue() instanceof LayerVertex)) {
                        continue;
                    }
                    LayerVertex lv = (LayerVertex) e.getValue();
                    List<String> in = cg.getConfiguration().getVertexInputs().get(e.getKey());
                    INDArray x = in.size() == 1 ? acts.get(in.get(0)) : null;
                    String where = "\"" + e.getKey() + "\"";
                    if (x == null) {
                        if (Sites.hasDropkit(lv.getLayerConf().getLayer())) {
                            notes.add(where + ": its input is not a single activation array, so its Dropkit dropout"
                                    + " is covered by the numerical check only");
                        }
                        continue;
                    }
                    if (lv.getPreProcessor() != null) {
                        x = lv.getPreProcessor().preProcess(x.dup(), (int) x.size(0), mgr);
                    }
                    sites += site(lv.getLayerConf(), x, where, cg.getConfiguration().getIterationCount(),
                            cg.getConfiguration().getEpochCount());
                }
            }
            if (sites == 0) {
                notes.add("no Dropkit dropout at the top level of this network: no exact check ran");
            }
        }

        /** Exact checks of one layer's Dropkit dropout, if any; returns the number of checks. */
        private int site(NeuralNetConfiguration nnc, INDArray x, String where, int iteration, int epoch) {
            Layer layer = nnc.getLayer();
            if (layer instanceof MaskDropoutLayer) {
                MaskDropoutLayer m = (MaskDropoutLayer) layer;
                if (m.getDropout() == null) {
                    notes.add("MaskDropoutLayer " + where + " has no dropout: nothing to check");
                    return 0;
                }
                record(ExactCheck.layer(m, nnc, x, seed, iteration, epoch), "MaskDropoutLayer " + where + " with "
                        + m.getDropout(), m.getDropout().getKind());
                return 1;
            }
            if (layer instanceof FrozenLayer || layer instanceof BaseWrapperLayer || layer instanceof Bidirectional) {
                if (Sites.hasDropkit(layer)) {
                    notes.add(where + " wraps a layer with Dropkit dropout (" + layer.getClass().getSimpleName()
                            + "): covered by the numerical check only");
                }
                return 0;
            }
            if (layer.getIDropout() instanceof MaskDropout && Dl4jDropoutDefects.neverAppliesDropout(layer)) {
                notes.add(".dropOut(" + layer.getIDropout() + ") of " + layer.getClass().getSimpleName() + " " + where
                        + " is never applied: " + Dl4jDropoutDefects.describe(layer));
                return 0;
            }
            if (layer.getIDropout() instanceof MaskDropout) {
                MaskDropout d = (MaskDropout) layer.getIDropout();
                record(ExactCheck.dropout(d, seenByDropout(layer, x), seed, iteration, epoch),
                        ".dropOut(" + d + ") of " + layer.getClass().getSimpleName() + " " + where, d.getKind());
                return 1;
            }
            return 0;
        }

        private void record(String failure, String what, MaskKind kind) {
            if (failure == null) {
                checked.add(what + ": forward " + ExactCheck.formula(kind) + " and backward dx = dy * m, bit for bit");
            } else {
                failures.add(what + ": " + failure);
            }
        }
    }

    /**
     * A copy through JSON: DL4J 1.0.0-M2.1's clone() shares loss functions between copies (GradientCheckUtil sets
     * softmax clipping to 0 on them) and, for graphs, drops the iteration and epoch counts that schedules read.
     */
    private static MultiLayerNetwork copy(MultiLayerNetwork net) {
        MultiLayerNetwork copy = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                net.getLayerWiseConfigurations().toJson()));
        copy.init(net.params() == null ? null : net.params().dup(), false);
        return copy;
    }

    private static ComputationGraph copy(ComputationGraph net) {
        ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(
                net.getConfiguration().toJson()));
        copy.init(net.params() == null ? null : net.params().dup(), false);
        return copy;
    }

    /** The array a layer hands its IDropout: LSTM permutes NWC input to NCW, RnnOutputLayer flattens time. */
    private static INDArray seenByDropout(Layer layer, INDArray x) {
        if (layer instanceof LSTM && x.rank() == 3 && ((LSTM) layer).getRnnDataFormat() == RNNFormat.NWC) {
            return x.permute(0, 2, 1).dup('c');
        }
        if (layer instanceof RnnOutputLayer && x.rank() == 3) {
            INDArray ncw = ((RnnOutputLayer) layer).getRnnDataFormat() == RNNFormat.NWC ? x.permute(0, 2, 1) : x;
            return ncw.permute(0, 2, 1).dup('c').reshape('c', x.size(0) * ncw.size(2), ncw.size(1));
        }
        return x;
    }
}

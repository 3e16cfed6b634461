package org.dropkit.migrate;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;

/**
 * Replaces DL4J's built-in dropout with Dropkit's of the same meaning, in a configuration or in a trained network
 * (parameters, updater state, iteration and epoch counts kept).
 *
 * <pre>{@code
 * SwapResult<MultiLayerNetwork> swapped = DropoutSwap.swap(trainedNet);
 * System.out.println(swapped);                  // what was replaced, what was left, and why
 * MultiLayerNetwork net = swapped.get();        // train on: same parameters, same updater state
 * }</pre>
 *
 * <h2>What becomes what</h2>
 * <table>
 *   <caption>conversions</caption>
 *   <tr><th>DL4J</th><th>Dropkit</th></tr>
 *   <tr><td>{@code Dropout(p)}</td><td>{@code MaskDropout.bernoulli(p)}</td></tr>
 *   <tr><td>{@code GaussianDropout(rate)}</td><td>{@code MaskDropout.gaussian(1 - rate)}: sigma =
 *       sqrt(rate / (1 - rate)), as DL4J's</td></tr>
 *   <tr><td>{@code SpatialDropout(p)}</td><td>{@code MaskDropout.bernoulli(p)} shared over every axis but examples
 *       and channels of the array it acts on, e.g. axes 2, 3 of NCHW, 1, 2 of NHWC, 2 of NCW</td></tr>
 *   <tr><td>{@code DropoutLayer}</td><td>{@link org.dropkit.conf.MaskDropoutLayer} with the converted dropout and
 *       the same name</td></tr>
 *   <tr><td>{@code AlphaDropout(p)}</td><td>{@code MaskDropout.alpha(p)}: the same formula, a and b (SELU's alpha
 *       and lambda only)</td></tr>
 *   <tr><td>{@code GaussianNoise(stddev)}</td><td>{@code MaskDropout.gaussianNoise(stddev)}</td></tr>
 *   <tr><td>{@code DropConnect(p)} (weight noise)</td><td>{@code MaskDropConnect.bernoulli(p)}, schedule and
 *       applyToBiases kept; the report notes what differs: DL4J keeps kept weights unscaled (Dropkit scales them by
 *       1/p), its weight gradient is dL/dW' (Dropkit's dL/dW' * m), and with applyToBiases it also drops biases at
 *       inference</td></tr>
 *   <tr><td>{@code WeightNoise} of a {@code NormalDistribution}</td><td>added N(0, s): {@code
 *       MaskDropConnect.gaussianNoise(s)}; multiplied N(1, s): {@code MaskDropConnect.gaussian(1 / (1 + s^2))}</td></tr>
 *   <tr><td>schedules</td><td>kept ({@link OneMinusSchedule} for a GaussianDropout rate schedule)</td></tr>
 *   <tr><td>dropout that drops nothing (p = 1, a Gaussian rate of 0)</td><td>removed; a {@code DropoutLayer}
 *       becomes DL4J's {@code ActivationLayer(IDENTITY)} of the same name, so indices, names and vertex inputs stay
 *       as they were</td></tr>
 * </table>
 * Everything else is left as it was and reported: other weight noise (other distributions, p outside (0, 1], and
 * multiplicative noise on a layer where Dropkit's gradient cannot be exact: only {@code DenseLayer},
 * {@code OutputLayer}, {@code RnnOutputLayer}, {@code ConvolutionLayer} and {@code LSTM} take it), unknown
 * {@code IDropout} classes, values Dropkit rejects (p outside (0, 1], a non-finite stddev, an {@code AlphaDropout}
 * whose schedule DL4J lost in JSON), spatial dropout where the layout of the layer's input cannot be told, and any
 * dropout on a layer where DL4J never back-propagates or never applies it ({@code Convolution3D},
 * {@code GravesBidirectionalLSTM}, ...: see {@link org.dropkit.internal.Dl4jDropoutDefects}), with the fix: a
 * {@code MaskDropoutLayer} before the layer.
 *
 * <p>The swap works on a deep copy: the configuration given, and a network running on it, are never changed, wrapped
 * layers ({@code Bidirectional}, {@code LastTimeStep}, {@code TimeDistributed}, {@code MaskZeroLayer}, frozen layers
 * and vertices) included.
 *
 * <h2>Same meaning</h2>
 * All these dropouts are the identity at inference, and weight noise uses the weights themselves, so a swapped
 * network's outputs at inference are bit for bit those of the original (except where DL4J's weight noise with
 * applyToBiases made them random). In training the masks are Dropkit's: same distribution, different random numbers.
 *
 * <p>Spatial dropout means one mask value per example and channel (DL4J's documentation). DL4J's implementation
 * takes axis 1 as the channel axis; on channels-last arrays (NHWC convolutions, NWC recurrent layers, Keras-imported
 * networks) it drops rows or time steps instead. The swap finds the channel axis from the layer's data format, the
 * layers before it, or the input types given in {@link Options#inputTypes}, keeps the documented meaning, and says
 * so in the report. {@code LSTM} hands its dropout NCW whatever its format, and {@code RnnOutputLayer} a 2-D array.
 *
 * <h2>Keras import</h2>
 * DL4J 1.0.0-M2.1's Keras import gets dropout wrong: Keras' {@code Dropout(rate)} (Keras 2's "rate", Keras 1's "p")
 * becomes a {@code DropoutLayer} with p = 1 (no dropout: the import looks for the rate under the name "dropout"), its
 * {@code noise_shape} is ignored, every other layer gets a {@code Dropout(1.0)} placeholder, and
 * {@code GaussianDropout(rate)} becomes DL4J's {@code GaussianDropout(1 - rate)}, though that class takes the rate
 * itself, so it trains with sigma = sqrt((1 - rate) / rate) instead of sqrt(rate / (1 - rate)). Give the swap the
 * Keras model's JSON with {@link Options#kerasModelJson(String)}: it then takes every dropout layer's rate and noise
 * shape from there (by layer name), and Dropkit trains with Keras' p = 1 - rate, sigma and shared axes.
 */
public final class DropoutSwap {

    private DropoutSwap() {
    }

    /**
     * The Dropkit dropout with the meaning of one DL4J dropout, as {@link #swap} converts it where the layout of the
     * array it acts on does not matter; empty where the swap would leave it (unknown classes, values Dropkit rejects,
     * an AlphaDropout whose schedule DL4J lost) or where the layout decides (SpatialDropout's channel axis: swap the
     * network, or use {@code MaskDropout.bernoulli(p).spatial(format)}). A MaskDropout gives a copy of itself.
     *
     * @param dropout a DL4J (or Dropkit) dropout
     * @return the equivalent Dropkit dropout, or empty
     */
    public static Optional<MaskDropout> equivalent(IDropout dropout) {
        Objects.requireNonNull(dropout, "dropout");
        if (dropout instanceof MaskDropout) {
            return Optional.of(((MaskDropout) dropout).clone());
        }
        if (dropout instanceof SpatialDropout) {
            return Optional.empty();
        }
        return Optional.ofNullable(DropoutConversion.of(dropout, null, null).replacement);
    }

    /**
     * Default options: layouts from the configuration alone, no Keras model.
     *
     * @return options to refine with {@link Options#inputTypes} and {@link Options#kerasModelJson}
     */
    public static Options options() {
        return new Options(null, null);
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf the configuration
     * @return the converted copy and the report: what was replaced, removed and left, and why
     */
    public static SwapResult<MultiLayerConfiguration> swap(MultiLayerConfiguration conf) {
        return swap(conf, options());
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf    the configuration
     * @param options input types and the Keras model, see {@link #options()}
     * @return the converted copy and the report: what was replaced, removed and left, and why
     * @throws IllegalArgumentException if the options give more than one input type
     */
    public static SwapResult<MultiLayerConfiguration> swap(MultiLayerConfiguration conf, Options options) {
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(options, "options");
        Swapper swapper = new Swapper(options.keras);
        return swapper.result(swapper.swap(conf, options.singleInputType()));
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf the configuration
     * @return the converted copy and the report: what was replaced, removed and left, and why
     */
    public static SwapResult<ComputationGraphConfiguration> swap(ComputationGraphConfiguration conf) {
        return swap(conf, options());
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf    the configuration
     * @param options input types (one per network input) and the Keras model, see {@link #options()}
     * @return the converted copy and the report: what was replaced, removed and left, and why
     * @throws IllegalArgumentException if the options give input types but not one per network input
     */
    public static SwapResult<ComputationGraphConfiguration> swap(ComputationGraphConfiguration conf,
            Options options) {
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(options, "options");
        if (options.inputTypes != null && options.inputTypes.length != conf.getNetworkInputs().size()) {
            throw new IllegalArgumentException("got " + options.inputTypes.length + " input type(s) for a graph with "
                    + conf.getNetworkInputs().size() + " input(s) " + conf.getNetworkInputs()
                    + ": give one per network input, in that order");
        }
        Swapper swapper = new Swapper(options.keras);
        return swapper.result(swapper.swap(conf, options.inputTypes));
    }

    /**
     * A new network with the converted configuration and a copy of this network's parameters, updater state,
     * iteration and epoch counts and listeners; the original is unchanged.
     *
     * @param net an initialized network
     * @return the new network and the report: what was replaced, removed and left, and why
     * @throws IllegalStateException if the network is not initialized
     */
    public static SwapResult<MultiLayerNetwork> swap(MultiLayerNetwork net) {
        return swap(net, options());
    }

    /**
     * As {@link #swap(MultiLayerNetwork)}, with options.
     *
     * @param net     an initialized network
     * @param options input types and the Keras model, see {@link #options()}
     * @return the new network and the report: what was replaced, removed and left, and why
     * @throws IllegalStateException if the network is not initialized
     */
    public static SwapResult<MultiLayerNetwork> swap(MultiLayerNetwork net, Options options) {
        Objects.requireNonNull(net, "net");
        if (!net.isInitCalled()) {
            throw new IllegalStateException("the MultiLayerNetwork is not initialized: call net.init() first, or swap"
                    + " its configuration with DropoutSwap.swap(net.getLayerWiseConfigurations())");
        }
        SwapResult<MultiLayerConfiguration> conf = swap(net.getLayerWiseConfigurations(), options);
        MultiLayerNetwork swapped = NetworkCopies.rebuild(net, conf.get());
        return new SwapResult<>(swapped, conf.replaced(), conf.removed(), conf.left());
    }

    /**
     * As {@link #swap(MultiLayerNetwork)}, for a ComputationGraph.
     *
     * @param net an initialized graph
     * @return the new graph and the report: what was replaced, removed and left, and why
     * @throws IllegalStateException if the graph is not initialized
     */
    public static SwapResult<ComputationGraph> swap(ComputationGraph net) {
        return swap(net, options());
    }

    /**
     * As {@link #swap(MultiLayerNetwork)}, for a ComputationGraph, with options.
     *
     * @param net     an initialized graph
     * @param options input types (one per network input) and the Keras model, see {@link #options()}
     * @return the new graph and the report: what was replaced, removed and left, and why
     * @throws IllegalStateException if the graph is not initialized
     */
    public static SwapResult<ComputationGraph> swap(ComputationGraph net, Options options) {
        Objects.requireNonNull(net, "net");
        if (net.getVertices() == null) {
            throw new IllegalStateException("the ComputationGraph is not initialized: call net.init() first, or swap"
                    + " its configuration with DropoutSwap.swap(net.getConfiguration())");
        }
        SwapResult<ComputationGraphConfiguration> conf = swap(net.getConfiguration(), options);
        ComputationGraph swapped = NetworkCopies.rebuild(net, conf.get());
        return new SwapResult<>(swapped, conf.replaced(), conf.removed(), conf.left());
    }

    /** Settings of a swap; immutable, each setter returns a changed copy. */
    public static final class Options {
        private final InputType[] inputTypes;
        private final KerasDropouts keras;

        private Options(InputType[] inputTypes, KerasDropouts keras) {
            this.inputTypes = inputTypes;
            this.keras = keras;
        }

        /**
         * The types of the network's inputs (one for a MultiLayerNetwork; one per input, in order, for a graph), as
         * given to {@code setInputType(s)}. With them the layout at every layer is exact; without them it comes from
         * the layers' data formats and the layers before them, and spatial dropout is left where that is not enough.
         *
         * @param types the input types, as given to {@code setInputType(s)}
         * @return a copy of these options with the input types
         */
        public Options inputTypes(InputType... types) {
            Objects.requireNonNull(types, "types");
            for (int i = 0; i < types.length; i++) {
                Objects.requireNonNull(types[i], "types[" + i + "]");
            }
            return new Options(types.clone(), keras);
        }

        /**
         * The Keras model the network was imported from, as the JSON text of Keras' {@code model.to_json()} (for an
         * .h5 file, its {@code model_config} attribute, e.g. DL4J's
         * {@code new Hdf5Archive(path).readAttributeAsJson("model_config")}). Every DL4J {@code DropoutLayer} named
         * like a Keras {@code Dropout}, {@code SpatialDropout1D/2D/3D} or {@code GaussianDropout} layer gets Dropkit
         * dropout with that layer's rate, p = 1 - rate, whatever DL4J's import stored (see the class comment), and
         * a {@code Dropout}'s {@code noise_shape} as shared axes of the array the layer sees; Keras 1 models (rate
         * under "p") too.
         *
         * @param json the Keras model's JSON
         * @return a copy of these options with the Keras model
         * @throws IllegalArgumentException if the text is not the JSON of a Keras model
         */
        public Options kerasModelJson(String json) {
            return new Options(inputTypes, KerasDropouts.parse(Objects.requireNonNull(json, "json")));
        }

        private InputType singleInputType() {
            if (inputTypes == null) {
                return null;
            }
            if (inputTypes.length != 1) {
                throw new IllegalArgumentException("a MultiLayerNetwork has one input, got " + inputTypes.length
                        + " input types " + Arrays.toString(inputTypes) + ": give exactly one");
            }
            return inputTypes[0];
        }

        @Override
        public String toString() {
            return "DropoutSwap.Options(inputTypes=" + Arrays.toString(inputTypes) + ", kerasModel="
                    + (keras == null ? "none" : keras.names() + "") + ")";
        }
    }
}

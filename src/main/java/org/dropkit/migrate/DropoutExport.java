package org.dropkit.migrate;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The way back from {@link DropoutSwap}: replaces Dropkit's dropout with DL4J's built-in of the same meaning, in a
 * configuration or a trained network (parameters, updater state, iteration and epoch counts kept), so that the
 * network can be saved and loaded where Dropkit is not on the classpath.
 *
 * <pre>{@code
 * ExportResult<MultiLayerNetwork> exported = DropoutExport.export(trainedNet);
 * System.out.println(exported);                 // what was converted, what was left, and why
 * ModelSerializer.writeModel(exported.get(), file, true);   // loads with DL4J alone if exported.isDropkitFree()
 * }</pre>
 *
 * <h2>What becomes what</h2>
 * <table>
 *   <caption>conversions</caption>
 *   <tr><th>Dropkit</th><th>DL4J</th></tr>
 *   <tr><td>{@code MaskDropout.bernoulli(p)} (a fixed p or a schedule), element-wise</td><td>{@code Dropout(p)}
 *       (both take the retain probability)</td></tr>
 *   <tr><td>{@code bernoulli(p)} shared over axes 2 to rank - 1 of the array it acts on: {@code spatial(NCHW)} on
 *       rank 4, {@code spatial(NCDHW)} on rank 5, {@code sharedAxes(2)} or {@code timeLocked(NCW)} on NCW, and
 *       {@code timeLocked(NWC)} on an {@code LSTM}, which hands its dropout NCW</td><td>{@code SpatialDropout(p)},
 *       whose mask is [batch, size(1)], broadcast over every later axis</td></tr>
 *   <tr><td>{@code gaussian(p)}</td><td>{@code GaussianDropout(1 - p)}: DL4J's takes the drop rate; sigma =
 *       sqrt(rate / (1 - rate)) = sqrt((1 - p) / p) in both. A schedule of p becomes one of the rate:
 *       {@link OneMinusSchedule}{@code (s)} gives s back, a {@code MapSchedule} or {@code FixedSchedule} its
 *       complement</td></tr>
 *   <tr><td>{@code alpha(p)}</td><td>{@code AlphaDropout(p)}, SELU's constants, the same formula</td></tr>
 *   <tr><td>{@code gaussianNoise(sigma)} (fixed or scheduled)</td><td>{@code GaussianNoise(sigma)}</td></tr>
 *   <tr><td>{@code MaskDropoutLayer} with inverted scaling, not Monte Carlo</td><td>DL4J's {@code DropoutLayer}
 *       with the converted dropout and the same name; without dropout, {@code ActivationLayer(IDENTITY)}</td></tr>
 * </table>
 * Everything else is left as it was and reported with the reason: DropBlock, drop path ({@code perExample()}), masks
 * shared over other axes (time-locked NWC outside an {@code LSTM}, {@code spatial(NHWC)}, Gaussian or alpha masks
 * with shared axes), an {@code alpha} schedule (DL4J's {@code AlphaDropout} loses its schedule in JSON), a
 * {@code gaussian} schedule DL4J cannot complement, vanilla scaling and Monte Carlo layers, which act at inference,
 * spatial dropout where the rank of its input cannot be told (give {@link Options#inputTypes}), and places where
 * DL4J's dropout would train differently from Dropkit's: the {@code .dropOut(...)} of a layer that back-propagates
 * channels-first ({@code ConvolutionLayer} with NHWC, {@code SimpleRnn} and {@code GravesLSTM} with NWC; Gaussian
 * noise excepted), of {@code SpaceToBatchLayer}, and, in a {@code ComputationGraph}, of a layer DL4J lets modify a
 * shared activation in place while another reader keeps it for its backward pass. {@link Options#refuseLeftovers()} throws instead, naming each.
 *
 * <h2>Same meaning</h2>
 * All these dropouts are the identity at inference, so an exported network's outputs at inference are bit for bit
 * those of the original; in training the masks are DL4J's: the same distribution, other random numbers, and DL4J's
 * speed and memory (a full mask kept between forward and backward). Where DL4J's layer gets a dropout wrong whatever
 * its class (see {@link org.dropkit.internal.Dl4jDropoutDefects}), the conversion keeps that and the report says so.
 * The export works on a deep copy: the configuration given, and a network running on it, are never changed.
 */
public final class DropoutExport {

    private DropoutExport() {
    }

    /**
     * Default options: layouts from the configuration alone, leftovers reported, not refused.
     *
     * @return options to refine with {@link Options#inputTypes} and {@link Options#refuseLeftovers()}
     */
    public static Options options() {
        return new Options(null, false);
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf the configuration
     * @return the converted copy and the report: what was converted and left, and why
     */
    public static ExportResult<MultiLayerConfiguration> export(MultiLayerConfiguration conf) {
        return export(conf, options());
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf    the configuration
     * @param options input types and whether to refuse leftovers, see {@link #options()}
     * @return the converted copy and the report: what was converted and left, and why
     * @throws IllegalArgumentException if the options give more than one input type, or refuse leftovers and
     *                                  something is left (the message names each)
     */
    public static ExportResult<MultiLayerConfiguration> export(MultiLayerConfiguration conf, Options options) {
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(options, "options");
        Exporter exporter = new Exporter();
        MultiLayerConfiguration exported = exporter.export(conf, options.singleInputType());
        return exporter.result(exported, exported, options.refuse);
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf the configuration
     * @return the converted copy and the report: what was converted and left, and why
     */
    public static ExportResult<ComputationGraphConfiguration> export(ComputationGraphConfiguration conf) {
        return export(conf, options());
    }

    /**
     * A converted copy of the configuration; the original is unchanged.
     *
     * @param conf    the configuration
     * @param options input types (one per network input) and whether to refuse leftovers, see {@link #options()}
     * @return the converted copy and the report: what was converted and left, and why
     * @throws IllegalArgumentException if the options give input types but not one per network input, or refuse
     *                                  leftovers and something is left (the message names each)
     */
    public static ExportResult<ComputationGraphConfiguration> export(ComputationGraphConfiguration conf,
            Options options) {
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(options, "options");
        if (options.inputTypes != null && options.inputTypes.length != conf.getNetworkInputs().size()) {
            throw new IllegalArgumentException("got " + options.inputTypes.length + " input type(s) for a graph with "
                    + conf.getNetworkInputs().size() + " input(s) " + conf.getNetworkInputs()
                    + ": give one per network input, in that order");
        }
        Exporter exporter = new Exporter();
        ComputationGraphConfiguration exported = exporter.export(conf, options.inputTypes);
        return exporter.result(exported, exported, options.refuse);
    }

    /**
     * A new network with the converted configuration and a copy of this network's parameters, updater state,
     * iteration and epoch counts and listeners; the original is unchanged.
     *
     * @param net an initialized network
     * @return the new network and the report: what was converted and left, and why
     * @throws IllegalStateException if the network is not initialized
     */
    public static ExportResult<MultiLayerNetwork> export(MultiLayerNetwork net) {
        return export(net, options());
    }

    /**
     * As {@link #export(MultiLayerNetwork)}, with options.
     *
     * @param net     an initialized network
     * @param options input types and whether to refuse leftovers, see {@link #options()}
     * @return the new network and the report: what was converted and left, and why
     * @throws IllegalStateException    if the network is not initialized
     * @throws IllegalArgumentException if the options refuse leftovers and something is left (the message names each)
     */
    public static ExportResult<MultiLayerNetwork> export(MultiLayerNetwork net, Options options) {
        Objects.requireNonNull(net, "net");
        if (!net.isInitCalled()) {
            throw new IllegalStateException("the MultiLayerNetwork is not initialized: call net.init() first, or"
                    + " export its configuration with DropoutExport.export(net.getLayerWiseConfigurations())");
        }
        ExportResult<MultiLayerConfiguration> conf = export(net.getLayerWiseConfigurations(), options);
        MultiLayerNetwork exported = NetworkCopies.rebuild(net, conf.get());
        return new ExportResult<>(exported, conf.converted(), conf.left());
    }

    /**
     * As {@link #export(MultiLayerNetwork)}, for a ComputationGraph.
     *
     * @param net an initialized graph
     * @return the new graph and the report: what was converted and left, and why
     * @throws IllegalStateException if the graph is not initialized
     */
    public static ExportResult<ComputationGraph> export(ComputationGraph net) {
        return export(net, options());
    }

    /**
     * As {@link #export(MultiLayerNetwork)}, for a ComputationGraph, with options.
     *
     * @param net     an initialized graph
     * @param options input types (one per network input) and whether to refuse leftovers, see {@link #options()}
     * @return the new graph and the report: what was converted and left, and why
     * @throws IllegalStateException    if the graph is not initialized
     * @throws IllegalArgumentException if the options refuse leftovers and something is left (the message names each)
     */
    public static ExportResult<ComputationGraph> export(ComputationGraph net, Options options) {
        Objects.requireNonNull(net, "net");
        if (net.getVertices() == null) {
            throw new IllegalStateException("the ComputationGraph is not initialized: call net.init() first, or"
                    + " export its configuration with DropoutExport.export(net.getConfiguration())");
        }
        ExportResult<ComputationGraphConfiguration> conf = export(net.getConfiguration(), options);
        ComputationGraph exported = NetworkCopies.rebuild(net, conf.get());
        return new ExportResult<>(exported, conf.converted(), conf.left());
    }

    /** Settings of an export; immutable, each setter returns a changed copy. */
    public static final class Options {
        private final InputType[] inputTypes;
        private final boolean refuse;

        private Options(InputType[] inputTypes, boolean refuse) {
            this.inputTypes = inputTypes;
            this.refuse = refuse;
        }

        /**
         * The types of the network's inputs (one for a MultiLayerNetwork; one per input, in order, for a graph), as
         * given to {@code setInputType(s)}. With them the rank of every layer's input is exact; without them it comes
         * from the layers' data formats and the layers before them, and shared-axes dropout is left where that is not
         * enough.
         *
         * @param types the input types, as given to {@code setInputType(s)}
         * @return a copy of these options with the input types
         */
        public Options inputTypes(InputType... types) {
            Objects.requireNonNull(types, "types");
            for (int i = 0; i < types.length; i++) {
                Objects.requireNonNull(types[i], "types[" + i + "]");
            }
            return new Options(types.clone(), refuse);
        }

        /**
         * Throw instead of leaving anything of Dropkit in the result: for a network that must load without Dropkit.
         * The exception's message lists every setting that has no built-in equivalent, by layer, with the reason.
         *
         * @return a copy of these options that refuses leftovers
         */
        public Options refuseLeftovers() {
            return new Options(inputTypes, true);
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
            return "DropoutExport.Options(inputTypes=" + Arrays.toString(inputTypes) + ", refuseLeftovers=" + refuse
                    + ")";
        }
    }
}

package org.dropkit.conf;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.params.EmptyParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.Scaling;
import org.dropkit.internal.Checks;
import org.dropkit.migrate.DropoutSwap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * A layer that applies a {@link MaskDropout} to the activations of the layer before it. Where {@code .dropOut(...)}
 * acts on a layer's input only while training, this layer can also act at inference: {@link Scaling#VANILLA}
 * (multiply by p at inference) and Monte Carlo dropout (a fresh mask on every inference pass).
 *
 * <pre>{@code
 * .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
 * .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.8)).build())
 * }</pre>
 *
 * <p>No parameters; the output type is the input type (feed-forward, recurrent, convolutional 2-D and 3-D). With a
 * feature mask, masked positions are zero in the output and in the gradient, as in DL4J's other layers, and the mask
 * is passed on unchanged; the caller's arrays are never modified.
 */
public final class MaskDropoutLayer extends NoParamLayer {

    private static final long serialVersionUID = 1L;

    /** Inverted (identity at inference) or vanilla (x p at inference) scaling. */
    private Scaling scaling = Scaling.INVERTED;
    /** Whether dropout stays on at inference. */
    private boolean monteCarlo;
    /** Format of recurrent input, known when the network has an input type; used to place [batch, time] masks. */
    private RNNFormat rnnDataFormat;
    /** The settings of the DL4J DropoutLayer this layer replaced, where not DL4J's defaults; see getSwappedFrom. */
    private DropoutLayer swappedFrom;

    /** For JSON and Java deserialization; use the {@link Builder}. */
    public MaskDropoutLayer() {
    }

    private MaskDropoutLayer(Builder builder) {
        super(builder);
        this.scaling = builder.scaling;
        this.monteCarlo = builder.monteCarlo;
        if (iDropout == null) {
            throw new IllegalArgumentException("MaskDropoutLayer needs a MaskDropout: "
                    + "new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.8)).build()");
        }
        Checks.scalingFitsKind(scaling, getDropout().getKind());
    }

    /**
     * The dropout this layer applies; null only if it was removed (e.g. by a fine-tune configuration).
     *
     * @return the dropout, or null
     */
    @JsonIgnore
    public MaskDropout getDropout() {
        return (MaskDropout) iDropout;
    }

    /**
     * Sets this layer's dropout. Only a {@link MaskDropout} (or null, for no dropout) is accepted: DL4J's global
     * {@code .dropOut(...)} and fine-tune configurations reach every layer through this setter.
     *
     * @throws IllegalArgumentException for any other {@link IDropout}
     */
    @Override
    public void setIDropout(IDropout dropout) {
        if (dropout != null && !(dropout instanceof MaskDropout)) {
            throw notAMaskDropout(dropout);
        }
        if (dropout != null && scaling != null) {
            Checks.scalingFitsKind(scaling, ((MaskDropout) dropout).getKind());
        }
        this.iDropout = dropout;
    }

    /**
     * How kept units are scaled.
     *
     * @return INVERTED (the default: 1/p in training, identity at inference) or VANILLA (mask in {0, 1} in training,
     *         output times p at inference)
     */
    public Scaling getScaling() {
        return scaling;
    }

    /**
     * Sets how kept units are scaled; the running layer reads it, so this also changes a built network.
     *
     * @param scaling INVERTED, or VANILLA with a Bernoulli mask
     * @throws IllegalArgumentException if VANILLA is set with a Gaussian mask
     */
    public void setScaling(Scaling scaling) {
        Objects.requireNonNull(scaling, "scaling");
        if (iDropout != null) {
            Checks.scalingFitsKind(scaling, getDropout().getKind());
        }
        this.scaling = scaling;
    }

    /**
     * True when dropout stays on at inference (Monte Carlo dropout): each inference pass draws a fresh mask.
     *
     * @return whether inference passes draw masks
     */
    public boolean isMonteCarlo() {
        return monteCarlo;
    }

    /**
     * Keeps dropout on at inference (Monte Carlo dropout), or switches it off there.
     *
     * @param monteCarlo true for a fresh mask on every inference pass
     */
    public void setMonteCarlo(boolean monteCarlo) {
        this.monteCarlo = monteCarlo;
    }

    /**
     * The format of recurrent input, set when the network is built with an input type; it places feature masks of
     * shape [batch, time].
     *
     * @return NCW or NWC, or null when the input is not recurrent or its type is unknown
     */
    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    /**
     * Sets the format of recurrent input; DL4J calls it when the network is built with an input type.
     *
     * @param rnnDataFormat NCW or NWC, or null when unknown
     */
    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    /**
     * The DL4J {@code DropoutLayer} that {@link DropoutSwap} replaced with this layer, without its name and dropout,
     * kept only where its other settings are not those of a {@code DropoutLayer} built with DL4J's defaults: a
     * network builder that sets the activation, weight init or updater of every layer sets them on its
     * {@code DropoutLayer}s too, though a {@code DropoutLayer} reads none of them. {@code DropoutExport} gives them
     * back, so that exporting a swapped configuration gives the one the swap started from, JSON included. It changes
     * nothing this layer computes, and {@link #equals} ignores it.
     *
     * @return those settings, or null for a layer built directly or swapped from a {@code DropoutLayer} with DL4J's
     *         defaults
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public DropoutLayer getSwappedFrom() {
        return swappedFrom;
    }

    /**
     * Sets the settings {@link #getSwappedFrom} returns; {@code DropoutSwap} and JSON call it.
     *
     * @param swappedFrom a DL4J {@code DropoutLayer}, or null
     */
    public void setSwappedFrom(DropoutLayer swappedFrom) {
        this.swappedFrom = swappedFrom;
    }

    /** Keeps this layer's dropout: unlike other layers', it is the layer's function, not a training default. */
    @Override
    public void resetLayerDefaultConfig() {
        this.constraints = null;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        org.dropkit.layers.MaskDropoutLayer layer = new org.dropkit.layers.MaskDropoutLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(paramTable);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return EmptyParamInitializer.getInstance();
    }

    /**
     * @return the input type
     * @throws IllegalArgumentException if a shared axis does not exist in inputs of this type, or a DropBlock does not
     *                                  suit it (not 2-D convolutional, another format, a map smaller than the block)
     */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("MaskDropoutLayer \"" + getLayerName() + "\" (index " + layerIndex
                    + ") got a null input type");
        }
        if (iDropout != null) {
            long[] shape = inputType.getShape(true);
            try {
                Checks.sharedAxesFitShape(getDropout().getSharedAxes(), shape);
                if (getDropout().getKind() == MaskKind.DROP_BLOCK) {
                    Checks.dropBlockInputType(getDropout().getBlockSize(),
                            getDropout().getBlockFormat() == CNN2DFormat.NHWC, inputType);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("MaskDropoutLayer \"" + getLayerName() + "\" (index " + layerIndex
                        + ", input type " + inputType + "): " + e.getMessage(), e);
            }
        }
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeRecurrent && (override || rnnDataFormat == null)) {
            rnnDataFormat = ((InputType.InputTypeRecurrent) inputType).getFormat();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long maskPerExample = 0;
        if (iDropout != null && getDropout().getStorage() == MaskStorage.STORED
                && getDropout().getKind() != MaskKind.GAUSSIAN_NOISE) {
            long[] shape = inputType.getShape(true);
            for (int axis : getDropout().getSharedAxes()) {
                shape[axis] = 1;
            }
            maskPerExample = 1;
            for (int i = 1; i < shape.length && !getDropout().isPerExample(); i++) {
                maskPerExample *= shape[i];
            }
        }
        return new LayerMemoryReport.Builder(layerName, MaskDropoutLayer.class, inputType, inputType)
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, maskPerExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /** A deep copy: the clone has its own {@link MaskDropout}, so two networks never share mask state. */
    @Override
    public MaskDropoutLayer clone() {
        MaskDropoutLayer clone = (MaskDropoutLayer) super.clone();
        if (iDropout != null) {
            clone.iDropout = iDropout.clone();
        }
        if (swappedFrom != null) {
            clone.swappedFrom = (DropoutLayer) swappedFrom.clone();
        }
        return clone;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MaskDropoutLayer)) {
            return false;
        }
        MaskDropoutLayer that = (MaskDropoutLayer) o;
        return super.equals(o) && monteCarlo == that.monteCarlo && scaling == that.scaling
                && rnnDataFormat == that.rnnDataFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), scaling, monteCarlo, rnnDataFormat);
    }

    @Override
    public String toString() {
        return "MaskDropoutLayer(name=" + layerName + ", dropout=" + iDropout + ", scaling=" + scaling
                + ", monteCarlo=" + monteCarlo + ")";
    }

    /** The error for a dropout that is not a MaskDropout, naming its Dropkit equivalent as code, if it has one. */
    private static IllegalArgumentException notAMaskDropout(IDropout dropout) {
        String what = dropout == null ? "null" : (dropout.getClass().getName().startsWith("org.deeplearning4j.")
                ? "DL4J's " : "") + dropout.getClass().getSimpleName();
        Optional<MaskDropout> equivalent = dropout == null ? Optional.empty() : DropoutSwap.equivalent(dropout);
        return new IllegalArgumentException("MaskDropoutLayer takes a MaskDropout, got " + what + equivalent
                .map(d -> ": the Dropkit dropout of the same meaning is " + asCode(d) + ", as in new"
                        + " MaskDropoutLayer.Builder(" + asCode(d) + ").build()")
                .orElse(": Dropkit has no dropout of the same meaning here (SpatialDropout: use"
                        + " MaskDropout.bernoulli(p).spatial(format) for your data format); to keep DL4J's, use DL4J's"
                        + " DropoutLayer.") + ".");
    }

    /** The factory call that builds {@code d}, as a user would write it. */
    private static String asCode(MaskDropout d) {
        StringBuilder code = new StringBuilder("MaskDropout.");
        if (d.getKind() == MaskKind.GAUSSIAN_NOISE) {
            code.append("gaussianNoise(").append(d.getSigmaSchedule() != null ? d.getSigmaSchedule().toString()
                    : Double.toString(d.getSigma()));
        } else {
            code.append(d.getKind() == MaskKind.BERNOULLI ? "bernoulli(" : d.getKind() == MaskKind.ALPHA ? "alpha("
                    : "gaussian(").append(d.getPSchedule() != null ? d.getPSchedule().toString()
                            : Double.toString(d.getP()));
        }
        code.append(')');
        int[] axes = d.getSharedAxes();
        if (d.isPerExample()) {
            code.append(".perExample()");
        }
        if (axes.length > 0) {
            code.append(".sharedAxes(").append(java.util.Arrays.toString(axes), 1,
                    java.util.Arrays.toString(axes).length() - 1).append(')');
        }
        if (d.getStorage() != MaskStorage.RECOMPUTE) {
            code.append(".storage(MaskStorage.").append(d.getStorage()).append(')');
        }
        return code.toString();
    }

    /** Builds a {@link MaskDropoutLayer}, in the manner of DL4J's {@code DropoutLayer.Builder}. */
    // DL4J's Layer.Builder declares <E extends Layer> E build(); a concrete return type, as DL4J's own builders have,
    // is an unchecked override, which javac reports on the class, not the method
    @SuppressWarnings("unchecked")
    public static final class Builder extends NoParamLayer.Builder<Builder> {

        private Scaling scaling = Scaling.INVERTED;
        private boolean monteCarlo;

        /** @param dropout the dropout the layer applies */
        public Builder(MaskDropout dropout) {
            dropOut(Objects.requireNonNull(dropout, "dropout"));
        }

        /** @param p retain probability in (0, 1] of a Bernoulli mask, as DL4J's {@code DropoutLayer.Builder(p)} */
        public Builder(double p) {
            this(MaskDropout.bernoulli(p));
        }

        /** Sets the dropout; only a {@link MaskDropout} is accepted. */
        @Override
        public Builder dropOut(IDropout dropout) {
            if (!(dropout instanceof MaskDropout)) {
                throw notAMaskDropout(dropout);
            }
            return super.dropOut(dropout);
        }

        /** Sets a Bernoulli dropout with retain probability p in (0, 1]. */
        @Override
        public Builder dropOut(double p) {
            return dropOut(MaskDropout.bernoulli(p));
        }

        /**
         * Inverted (default) or vanilla scaling; vanilla needs a Bernoulli mask.
         *
         * @param scaling INVERTED or VANILLA
         * @return this builder
         */
        public Builder scaling(Scaling scaling) {
            this.scaling = Objects.requireNonNull(scaling, "scaling");
            return this;
        }

        /**
         * Keeps dropout on at inference, drawing a fresh mask on every pass (Monte Carlo dropout).
         *
         * @param monteCarlo true for Monte Carlo dropout; default false
         * @return this builder
         */
        public Builder monteCarlo(boolean monteCarlo) {
            this.monteCarlo = monteCarlo;
            return this;
        }

        @Override
        public MaskDropoutLayer build() {
            return new MaskDropoutLayer(this);
        }
    }
}

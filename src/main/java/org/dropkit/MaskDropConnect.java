package org.dropkit;

import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.internal.Checks;
import org.dropkit.internal.LayerWeightMasks;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DropConnect for DL4J with the exact gradient (Wan, Zeiler, Zhang, LeCun and Fergus 2013, "Regularization of neural
 * networks using DropConnect", ICML): each weight of a layer is dropped instead of each activation. While training
 * the layer computes with {@code W' = W * m}, m = 1/p with probability p, else 0 (inverted scaling, so the expected
 * weight is W), and its weight gradient is {@code dL/dW = dL/dW' * m} with the very same m: a dropped weight gets
 * exactly zero gradient from the loss (regularization, added by DL4J's updater, still applies to it). At inference
 * the layer uses W. Use it wherever DL4J takes an {@code IWeightNoise}:
 * {@code .weightNoise(MaskDropConnect.bernoulli(0.8))} on a layer builder or on the
 * {@code NeuralNetConfiguration.Builder}.
 *
 * <p>p is the probability of <b>retaining</b> a weight, as in DL4J's {@code DropConnect(p)}; p = 1 costs nothing.
 * By default weights only are dropped ({@link #applyToBiases(boolean)} adds biases). {@link #gaussian(double)}
 * multiplies the weights by N(1, (1-p)/p) noise instead, with the same exact gradient; {@link #gaussianNoise(double)}
 * adds N(0, sigma^2) noise, whose gradient {@code dL/dW = dL/dW'} DL4J already computes.
 *
 * <h2>Where the gradient is exact</h2>
 * DL4J computes a layer's weight gradient with the noisy weights and applies it to W, with no hook for weight noise
 * after the backward pass; Dropkit masks the gradient at the point where DL4J's layer releases its noisy weights (see
 * {@code org.dropkit.internal.LayerWeightMasks}). That point has been verified for {@code DenseLayer},
 * {@code OutputLayer}, {@code RnnOutputLayer}, {@code ConvolutionLayer} (DL4J's own implementation: the
 * oneDNN/cuDNN helper is turned off on that layer) and {@code LSTM} (input and recurrent weights). On any other layer
 * the first training pass throws {@link IllegalStateException} instead of computing an inexact gradient; additive
 * {@link #gaussianNoise(double)} is exact on every layer. The mask is a function of a seed drawn from
 * {@code Nd4j.getRandom()} and each weight's position in DL4J's parameter order (the order of {@code net.params()},
 * whatever the array's memory order), so a network's {@code .seed(...)} reproduces training and
 * DL4J's gradient check, which reseeds before every pass, sees one mask; {@link MaskStorage#RECOMPUTE} keeps only
 * that seed until the gradient, {@link MaskStorage#STORED} keeps the mask.
 *
 * <p>Instances are values (JSON, {@link #equals}); run-time state lives with each layer.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class MaskDropConnect implements IWeightNoise {

    private static final long serialVersionUID = 1L;

    /** BERNOULLI, GAUSSIAN (multiplicative) or GAUSSIAN_NOISE (additive). */
    @JsonProperty("kind")
    private final MaskKind kind;
    /** The fixed weight retain probability, or null (a schedule, or additive noise). */
    @JsonProperty("p")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final Double p;
    /** The schedule for the weight retain probability, or null. */
    @JsonProperty("pSchedule")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final ISchedule pSchedule;
    /** The standard deviation of additive noise, or null for the other kinds. */
    @JsonProperty("sigma")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final Double sigma;
    /** Whether the mask is kept or regenerated between the forward pass and the gradient. */
    @JsonProperty("storage")
    private final MaskStorage storage;
    /** Whether biases are dropped too. */
    @JsonProperty("applyToBiases")
    private final boolean applyToBiases;

    @JsonCreator
    private MaskDropConnect(@JsonProperty("kind") MaskKind kind, @JsonProperty("p") Double p,
            @JsonProperty("pSchedule") ISchedule pSchedule, @JsonProperty("sigma") Double sigma,
            @JsonProperty("storage") MaskStorage storage, @JsonProperty("applyToBiases") Boolean applyToBiases) {
        if (!(kind == MaskKind.BERNOULLI || kind == MaskKind.GAUSSIAN || kind == MaskKind.GAUSSIAN_NOISE)) {
            throw new IllegalArgumentException("MaskDropConnect takes kind BERNOULLI, GAUSSIAN or GAUSSIAN_NOISE, got "
                    + kind + ": build it with MaskDropConnect.bernoulli(p), gaussian(p) or gaussianNoise(sigma)");
        }
        boolean additive = kind == MaskKind.GAUSSIAN_NOISE;
        if (additive ? sigma == null || p != null || pSchedule != null
                : sigma != null || (p == null) == (pSchedule == null)) {
            throw new IllegalArgumentException("MaskDropConnect of kind " + kind + " needs "
                    + (additive ? "a noise sigma and no retain probability" : "exactly one of p and pSchedule, and"
                            + " no sigma") + "; got p=" + p + ", pSchedule=" + pSchedule + ", sigma=" + sigma);
        }
        this.kind = kind;
        this.p = p == null ? null : Checks.weightRetainProbability(p, "MaskDropConnect");
        this.pSchedule = pSchedule;
        this.sigma = sigma == null ? null : Checks.noiseSigma(sigma, "MaskDropConnect.gaussianNoise(sigma)");
        this.storage = storage == null ? MaskStorage.RECOMPUTE : storage;
        this.applyToBiases = applyToBiases != null && applyToBiases;
    }

    /**
     * DropConnect: each weight kept with probability p and scaled by 1/p, else 0, while training.
     *
     * @param p weight retain probability in (0, 1]; 1 disables DropConnect
     * @return the weight noise, weights only, RECOMPUTE storage
     * @throws IllegalArgumentException if p is NaN or outside (0, 1]
     */
    public static MaskDropConnect bernoulli(double p) {
        return new MaskDropConnect(MaskKind.BERNOULLI, Checks.weightRetainProbability(p,
                "MaskDropConnect.bernoulli(p)"), null, null, null, null);
    }

    /**
     * DropConnect with a retain probability that follows a schedule (by iteration or epoch, as DL4J's
     * {@code ISchedule}); each value is checked to be in (0, 1] when used.
     *
     * @param pSchedule the schedule of the weight retain probability
     * @return the weight noise, weights only, RECOMPUTE storage
     */
    public static MaskDropConnect bernoulli(ISchedule pSchedule) {
        return new MaskDropConnect(MaskKind.BERNOULLI, null, Objects.requireNonNull(pSchedule, "pSchedule"), null,
                null, null);
    }

    /**
     * DropConnect from a drop rate, as Keras and PyTorch users write it: {@code ofDropRate(0.3)} keeps a weight with
     * probability 0.7.
     *
     * @param rate the probability of dropping a weight, in [0, 1)
     * @return {@code bernoulli(1 - rate)}
     * @throws IllegalArgumentException if rate is NaN or outside [0, 1)
     */
    public static MaskDropConnect ofDropRate(double rate) {
        if (!(rate >= 0.0 && rate < 1.0)) {
            throw new IllegalArgumentException("weight drop rate (" + rate + ") given to MaskDropConnect.ofDropRate"
                    + " must be in [0, 1): it is the probability of DROPPING a weight, and 1 would drop them all. To"
                    + " pass DL4J's retain probability instead, use MaskDropConnect.bernoulli(p).");
        }
        return bernoulli(Checks.complement(rate));
    }

    /**
     * Multiplicative Gaussian weight noise: {@code W' = W * m}, m ~ N(1, (1-p)/p) per weight (the variance of a
     * Bernoulli mask of retain probability p), with the exact gradient {@code dL/dW = dL/dW' * m}.
     *
     * @param p the retain probability that sets the variance, in (0, 1]; 1 disables the noise
     * @return the weight noise, weights only, RECOMPUTE storage
     * @throws IllegalArgumentException if p is NaN or outside (0, 1]
     */
    public static MaskDropConnect gaussian(double p) {
        return new MaskDropConnect(MaskKind.GAUSSIAN, Checks.weightRetainProbability(p,
                "MaskDropConnect.gaussian(p)"), null, null, null, null);
    }

    /**
     * Additive Gaussian weight noise: {@code W' = W + n}, n ~ N(0, sigma^2) per weight while training; the gradient
     * {@code dL/dW = dL/dW'} is exact on every layer DL4J applies weight noise to.
     *
     * @param sigma the noise standard deviation, finite and &gt;= 0; 0 disables the noise
     * @return the weight noise, weights only
     * @throws IllegalArgumentException if sigma is NaN, infinite or negative
     */
    public static MaskDropConnect gaussianNoise(double sigma) {
        return new MaskDropConnect(MaskKind.GAUSSIAN_NOISE, null, null, Checks.noiseSigma(sigma,
                "MaskDropConnect.gaussianNoise(sigma)"), null, null);
    }

    /**
     * @param storage RECOMPUTE (keep the seed, regenerate the mask for the gradient) or STORED (keep the mask)
     * @return a copy with that storage
     */
    public MaskDropConnect storage(MaskStorage storage) {
        return new MaskDropConnect(kind, p, cloneOf(pSchedule), sigma, Objects.requireNonNull(storage, "storage"),
                applyToBiases);
    }

    /**
     * @param applyToBiases true to drop (or perturb) biases as well as weights
     * @return a copy with that setting
     */
    public MaskDropConnect applyToBiases(boolean applyToBiases) {
        return new MaskDropConnect(kind, p, cloneOf(pSchedule), sigma, storage, applyToBiases);
    }

    /** @return BERNOULLI, GAUSSIAN or GAUSSIAN_NOISE */
    public MaskKind getKind() {
        return kind;
    }

    /** @return the fixed weight retain probability, or NaN when a schedule gives it or the noise is additive */
    public double getP() {
        return p == null ? Double.NaN : p;
    }

    /** @return the schedule of the weight retain probability, or null */
    public ISchedule getPSchedule() {
        return pSchedule;
    }

    /** @return the standard deviation of additive noise, or NaN for the other kinds */
    public double getSigma() {
        return sigma == null ? Double.NaN : sigma;
    }

    /** @return what is kept between the forward pass and the gradient */
    public MaskStorage getStorage() {
        return storage;
    }

    /** @return whether biases are dropped too */
    public boolean isApplyToBiases() {
        return applyToBiases;
    }

    /**
     * The parameter for this pass: {@code W * m} (or {@code W + n}) while training, for weights and, with
     * {@link #applyToBiases(boolean)}, biases; the parameter itself otherwise. DL4J caches the result for the
     * layer's backward pass; the mask is then applied to the parameter's gradient (see the class comment).
     *
     * @throws IllegalStateException if the layer is one where the gradient of a multiplicative mask cannot be exact
     */
    @Override
    public INDArray getParameter(Layer layer, String paramKey, int iteration, int epoch, boolean train,
            LayerWorkspaceMgr workspaceMgr) {
        INDArray param = layer.getParam(paramKey);
        if (!train) {
            return param;
        }
        if (!appliesTo(layer, paramKey)) {
            return param;
        }
        MaskSpec spec = spec(iteration, epoch);
        LayerWeightMasks masks = spec.isAdditive() ? null : LayerWeightMasks.of(layer, this);
        if (spec.isIdentity() || param.isEmpty()) {
            if (masks != null) {
                masks.forget(paramKey); // no mask this pass (a schedule reached p = 1): none for the gradient
            }
            return param;
        }
        DataType type = param.dataType();
        Checks.keptScaleFits(spec, type);
        Checks.noiseFits(spec, type);
        long seed = MaskEngine.drawSeed();
        INDArray noisy = createIn(workspaceMgr, type, param.shape(), param.ordering());
        // The mask is indexed by each weight's position in the parameter's buffer (see LayerWeightMasks.flat).
        INDArray w = LayerWeightMasks.flat(param, layer, paramKey);
        INDArray out = LayerWeightMasks.flat(noisy, layer, paramKey);
        if (masks == null) {
            MaskEngine.forward(spec, seed, type, w, out);
            return noisy;
        }
        INDArray stored = null;
        if (storage == MaskStorage.STORED) {
            stored = MaskEngine.fill(spec, seed, createIn(workspaceMgr, type, new long[] {param.length()}, 'c'));
            MaskEngine.forwardStored(spec, w, stored, out);
        } else {
            MaskEngine.forward(spec, seed, type, w, out);
        }
        masks.drawn(paramKey, spec, seed, type, stored, noisy);
        return noisy;
    }

    /**
     * The retain probability at a given iteration and epoch, checked to be in (0, 1]; 1 for additive noise.
     *
     * @param iteration the network's iteration count, for a schedule
     * @param epoch     the network's epoch count, for a schedule
     * @return the fixed p, or the schedule's value there
     */
    public double retainProbability(int iteration, int epoch) {
        if (p != null) {
            return p;
        }
        if (pSchedule == null) {
            return 1.0;
        }
        return Checks.scheduledRetainProbability(pSchedule.valueAt(iteration, epoch), "MaskDropConnect", pSchedule,
                iteration, epoch);
    }

    private MaskSpec spec(int iteration, int epoch) {
        if (kind == MaskKind.GAUSSIAN_NOISE) {
            return MaskSpec.noise(sigma, new int[0]);
        }
        return MaskSpec.of(kind, retainProbability(iteration, epoch), Scaling.INVERTED, new int[0]);
    }

    private boolean appliesTo(Layer layer, String paramKey) {
        ParamInitializer init = layer.conf().getLayer().initializer();
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        return init.isWeightParam(conf, paramKey) || (applyToBiases && init.isBiasParam(conf, paramKey));
    }

    /**
     * A new array in DL4J's INPUT workspace, where DL4J's own weight noise puts the noisy parameter, which lives
     * until the layer's backward pass; detached where that workspace is not open.
     */
    private static INDArray createIn(LayerWorkspaceMgr mgr, DataType type, long[] shape, char order) {
        if (mgr != null && mgr.isWorkspaceOpen(ArrayType.INPUT)) {
            return mgr.createUninitialized(ArrayType.INPUT, type, shape, order);
        }
        return Nd4j.createUninitializedDetached(type, order, shape);
    }

    private static ISchedule cloneOf(ISchedule schedule) {
        return schedule == null ? null : schedule.clone();
    }

    /** @return an equal, independent copy */
    @Override
    public MaskDropConnect clone() {
        return new MaskDropConnect(kind, p, cloneOf(pSchedule), sigma, storage, applyToBiases);
    }

    /**
     * Java deserialization goes through the constructor too.
     *
     * @return an equal instance built through the constructor's checks
     */
    private Object readResolve() {
        return clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MaskDropConnect)) {
            return false;
        }
        MaskDropConnect that = (MaskDropConnect) o;
        return kind == that.kind && Objects.equals(p, that.p) && Objects.equals(pSchedule, that.pSchedule)
                && Objects.equals(sigma, that.sigma) && storage == that.storage
                && applyToBiases == that.applyToBiases;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, p, pSchedule, sigma, storage, applyToBiases);
    }

    @Override
    public String toString() {
        String amount = p != null ? "p=" + p : pSchedule != null ? "pSchedule=" + pSchedule : "sigma=" + sigma;
        return "MaskDropConnect(" + kind + ", " + amount + ", " + storage + (applyToBiases ? ", applyToBiases" : "")
                + ")";
    }
}

package org.dropkit;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.internal.Checks;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mask dropout for DL4J: {@code y = x * m} in training, with the very same m in backward ({@code dx = dy * m}).
 * Use it wherever DL4J takes an {@link IDropout}: {@code .dropOut(MaskDropout.bernoulli(0.8))} on a layer builder
 * or on the {@code NeuralNetConfiguration.Builder}, or inside {@link org.dropkit.conf.MaskDropoutLayer}.
 *
 * <h2>Probability convention</h2>
 * {@code p} is the probability of <b>retaining</b> a unit, as in DL4J's own {@code Dropout(p)}; p = 1 is no dropout
 * and costs nothing. Keras and PyTorch take a drop rate: use {@link #ofDropRate(double)} and
 * {@link #gaussianOfDropRate(double)} for those.
 *
 * <h2>Masks</h2>
 * <ul>
 *   <li>{@link MaskKind#BERNOULLI}: m = 1/p with probability p, else 0.</li>
 *   <li>{@link MaskKind#GAUSSIAN}: m ~ N(1, (1-p)/p) (Srivastava et al. 2014, "Dropout: a simple way to prevent
 *       neural networks from overfitting", JMLR 15, section 10).</li>
 *   <li>{@link MaskKind#ALPHA}: alpha dropout for SELU networks, {@link #alpha(double)}.</li>
 *   <li>{@link MaskKind#GAUSSIAN_NOISE}: additive noise {@code y = x + n}, {@link #gaussianNoise(double)}.</li>
 *   <li>{@link MaskKind#DROP_BLOCK}: whole squares of CNN feature maps dropped, {@link #dropBlock(double, int,
 *       CNN2DFormat)}.</li>
 * </ul>
 * Each keeps the expected output of its input (masks of mean 1; alpha dropout's affine correction; noise of mean
 * 0), so inference is the identity and DL4J, which calls an {@code IDropout} only while training, needs nothing
 * more. Vanilla scaling and Monte Carlo dropout act at inference and therefore live on
 * {@link org.dropkit.conf.MaskDropoutLayer}.
 *
 * <h2>Shared axes</h2>
 * A mask may hold one value per slice and be broadcast along chosen axes of the input:
 * {@link #spatial(CNN2DFormat)} (one value per example and channel) and {@link #timeLocked(RNNFormat)} (one value
 * per example and feature for every time step, Gal and Ghahramani 2016), and {@link #perExample()} (one value per
 * example, shared over every other axis whatever the rank: drop path, {@link #dropPath(double)}). The axes refer to
 * the array the IDropout receives; DL4J hands {@code LSTM} its input already permuted to NCW, other layers ({@code GravesLSTM}
 * included) in their own format. {@code timeLocked(format)} takes the layer's format and finds the time axis of
 * what the layer hands over. Axes that do not exist in a layer's input are an error at its first training pass,
 * naming the layer's class: DL4J shows an {@code IDropout} neither its layer nor its input type before that.
 *
 * <h2>Randomness</h2>
 * Each training forward pass takes one seed from {@code Nd4j.getRandom()}, so a network's {@code .seed(...)}
 * reproduces training, and DL4J's gradient check (which reseeds before every pass) sees the same masks. The mask is
 * a function of that seed and each element's logical index only: the same for c- and f-order input, for views, and
 * for any number of threads.
 *
 * <h2>Non-finite input</h2>
 * A dropped unit is {@code x * 0}: NaN and infinite inputs stay NaN there, as in every multiplicative dropout (alpha
 * dropout too: {@code (x - alpha') * 0 + c}). Gaussian noise keeps a non-finite input non-finite.
 *
 * <p>Instances are values as configuration ({@link #equals}, JSON, Java serialization) and hold the state of one
 * forward/backward pair at run time, so one instance serves one layer of one network on one thread. DL4J clones the
 * configuration for each network it copies; {@link #clone()} never shares that state.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class MaskDropout implements IDropout {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(MaskDropout.class);

    /** Bernoulli or Gaussian. */
    @JsonProperty("kind")
    private final MaskKind kind;
    /** The fixed retain probability, or null when {@link #pSchedule} gives it. */
    @JsonProperty("p")
    private final Double p;
    /** The schedule for the retain probability, or null when {@link #p} is fixed. */
    @JsonProperty("pSchedule")
    private final ISchedule pSchedule;
    /** Whether the mask is kept or regenerated between forward and backward. */
    @JsonProperty("storage")
    private final MaskStorage storage;
    /** Sorted, distinct axes; empty for an element-wise mask. */
    @JsonProperty("sharedAxes")
    private final int[] sharedAxes;
    /**
     * The data format of the layer a {@link #timeLocked(RNNFormat)} dropout is for, or null. DL4J's LSTM hands its
     * dropout NCW input whatever its format, so its time axis depends on the layer, not only on the axes.
     */
    @JsonProperty("timeLocked")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final RNNFormat timeLocked;
    /** The fixed noise standard deviation of GAUSSIAN_NOISE, or null (other kinds, or {@link #sigmaSchedule}). */
    @JsonProperty("sigma")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final Double sigma;
    /** The schedule for the noise standard deviation of GAUSSIAN_NOISE, or null. */
    @JsonProperty("sigmaSchedule")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final ISchedule sigmaSchedule;
    /** One mask value per example, shared over every other axis of any rank; never with {@link #sharedAxes}. */
    @JsonProperty("perExample")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    private final boolean perExample;
    /** Block size, data format and normalization of a DROP_BLOCK mask; null (and not written) for other kinds. */
    @JsonProperty("block")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private final BlockSettings block;

    /**
     * What the calling thread's last training forward pass did, for its backward pass; empty when none is pending.
     * Per thread, because DL4J's no-parameter layers do not clone their dropout when a network is cloned, so one
     * instance can serve the copies of a network that parallel workers train.
     */
    private transient ThreadLocal<Pass> pending = new ThreadLocal<>();
    /** The layer that runs {@link #applyDropout}, found at its first training forward pass; null before. */
    private transient volatile HostLayer host;

    @JsonCreator
    private MaskDropout(@JsonProperty("kind") MaskKind kind, @JsonProperty("p") Double p,
            @JsonProperty("pSchedule") ISchedule pSchedule, @JsonProperty("storage") MaskStorage storage,
            @JsonProperty("sharedAxes") int[] sharedAxes, @JsonProperty("timeLocked") RNNFormat timeLocked,
            @JsonProperty("sigma") Double sigma, @JsonProperty("sigmaSchedule") ISchedule sigmaSchedule,
            @JsonProperty("perExample") Boolean perExample, @JsonProperty("block") BlockSettings block) {
        if (kind == null) {
            throw new IllegalArgumentException("mask kind is null: choose one of " + Arrays.toString(MaskKind.values()));
        }
        Checks.parametersFitKind(kind, p, pSchedule, sigma, sigmaSchedule);
        this.kind = kind;
        this.p = p == null ? null : Checks.retainProbability(p, "MaskDropout");
        this.pSchedule = pSchedule;
        this.storage = storage == null ? MaskStorage.RECOMPUTE : storage;
        this.sharedAxes = Checks.sharedAxes(sharedAxes);
        if (timeLocked != null && !Arrays.equals(this.sharedAxes, timeAxis(timeLocked))) {
            throw new IllegalArgumentException("a time-locked dropout for " + timeLocked + " shares axis "
                    + Arrays.toString(timeAxis(timeLocked)) + ", not " + Arrays.toString(this.sharedAxes)
                    + ": build it with timeLocked(RNNFormat." + timeLocked + "), or use sharedAxes(...) alone");
        }
        this.timeLocked = timeLocked;
        this.sigma = sigma == null ? null : Checks.noiseSigma(sigma, "MaskDropout");
        this.sigmaSchedule = sigmaSchedule;
        this.perExample = perExample != null && perExample;
        if (this.perExample && this.sharedAxes.length > 0) {
            throw new IllegalArgumentException("a per-example mask already shares every axis but the example axis 0;"
                    + " it takes no shared axes (got " + Arrays.toString(this.sharedAxes) + "): use perExample() or"
                    + " sharedAxes(...), not both");
        }
        if ((kind == MaskKind.DROP_BLOCK) != (block != null)) {
            throw new IllegalArgumentException(kind + " with block settings " + block + ": DROP_BLOCK needs them and"
                    + " other kinds take none; build DropBlock with MaskDropout.dropBlock(keepProb, blockSize,"
                    + " format)");
        }
        if (block != null && this.perExample) {
            throw new IllegalArgumentException("DropBlock drops squares of each feature map and cannot share one mask"
                    + " value per example: use sharedAxes(0) or sharedAxes(channel axis) to share block patterns, or"
                    + " MaskDropout.dropPath(p) for one value per example");
        }
        if (block != null) {
            block.checkSharedAxes(this.sharedAxes);
        }
        this.block = block;
    }

    private MaskDropout(MaskKind kind, Double p, ISchedule pSchedule) {
        this(kind, p, pSchedule, null, null, null, null, null, null, null);
    }

    private MaskDropout(MaskKind kind, Double p, ISchedule pSchedule, BlockSettings block) {
        this(kind, p, pSchedule, null, null, null, null, null, null, block);
    }

    private MaskDropout with(MaskStorage storage, int[] sharedAxes, RNNFormat timeLocked, boolean perExample) {
        return with(storage, sharedAxes, timeLocked, perExample, block);
    }

    private MaskDropout with(MaskStorage storage, int[] sharedAxes, RNNFormat timeLocked, boolean perExample,
            BlockSettings block) {
        return new MaskDropout(kind, p, pSchedule == null ? null : pSchedule.clone(), storage, sharedAxes,
                timeLocked, sigma, sigmaSchedule == null ? null : sigmaSchedule.clone(), perExample, block);
    }

    private static int[] timeAxis(RNNFormat format) {
        return format == RNNFormat.NCW ? new int[] {2} : new int[] {1};
    }

    /**
     * Bernoulli dropout that keeps each unit with probability p and scales kept units by 1/p.
     *
     * @param p retain probability in (0, 1]; 1 disables dropout
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws IllegalArgumentException if p is NaN or outside (0, 1]
     */
    public static MaskDropout bernoulli(double p) {
        hintIfDropRate(p, "bernoulli", "ofDropRate");
        return new MaskDropout(MaskKind.BERNOULLI, Checks.retainProbability(p, "MaskDropout.bernoulli(p)"), null);
    }

    /**
     * One INFO line for each dropout built with p below 0.5, which keeps fewer units than it drops: the usual slip is
     * a Keras or PyTorch drop rate passed as DL4J's retain probability. Only the factories a person calls log it, not
     * clones, JSON or the drop-rate factories.
     */
    private static void hintIfDropRate(double p, String factory, String dropRateFactory) {
        if (p > 0 && p < 0.5) {
            log.info("MaskDropout.{}({}) keeps each unit with probability {} and drops {}%: p is the retain"
                    + " probability (DL4J's convention). If {} is meant as a drop rate (Keras rate, PyTorch p), use"
                    + " MaskDropout.{}({}) instead.", factory, p, p, Math.round((1 - p) * 1000) / 10.0, p,
                    dropRateFactory, p);
        }
    }

    /**
     * Bernoulli dropout whose retain probability follows a schedule over iterations or epochs. Each value the
     * schedule gives must be in (0, 1]; it is checked on every forward pass.
     *
     * @param p the schedule for the retain probability
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws NullPointerException if the schedule is null
     */
    public static MaskDropout bernoulli(ISchedule p) {
        return new MaskDropout(MaskKind.BERNOULLI, null, Objects.requireNonNull(p, "schedule for p"));
    }

    /**
     * Bernoulli dropout given a drop rate, as Keras {@code Dropout(rate)} and PyTorch {@code Dropout(p)} take it.
     *
     * @param rate probability of dropping a unit, in [0, 1); the retain probability is 1 - rate
     * @return the Bernoulli dropout with retain probability 1 - rate
     * @throws IllegalArgumentException if rate is NaN or outside [0, 1)
     */
    public static MaskDropout ofDropRate(double rate) {
        return new MaskDropout(MaskKind.BERNOULLI, Checks.dropRateToRetain(rate, "MaskDropout.ofDropRate(rate)"),
                null);
    }

    /**
     * Gaussian dropout: m ~ N(1, (1 - p) / p), the same mean and variance as a Bernoulli mask of retain
     * probability p.
     *
     * @param p retain probability in (0, 1]; 1 disables dropout
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws IllegalArgumentException if p is NaN or outside (0, 1]
     */
    public static MaskDropout gaussian(double p) {
        hintIfDropRate(p, "gaussian", "gaussianOfDropRate");
        return new MaskDropout(MaskKind.GAUSSIAN, Checks.retainProbability(p, "MaskDropout.gaussian(p)"), null);
    }

    /**
     * Gaussian dropout whose retain probability follows a schedule; see {@link #gaussian(double)}. Each value the
     * schedule gives must be in (0, 1]; it is checked on every forward pass.
     *
     * @param p the schedule for the retain probability
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws NullPointerException if the schedule is null
     */
    public static MaskDropout gaussian(ISchedule p) {
        return new MaskDropout(MaskKind.GAUSSIAN, null, Objects.requireNonNull(p, "schedule for p"));
    }

    /**
     * Gaussian dropout given a drop rate, as Keras {@code GaussianDropout(rate)} takes it: sigma =
     * sqrt(rate / (1 - rate)).
     *
     * @param rate in [0, 1); the retain probability is 1 - rate
     * @return the Gaussian dropout with retain probability 1 - rate
     * @throws IllegalArgumentException if rate is NaN or outside [0, 1)
     */
    public static MaskDropout gaussianOfDropRate(double rate) {
        return new MaskDropout(MaskKind.GAUSSIAN, Checks.dropRateToRetain(rate,
                "MaskDropout.gaussianOfDropRate(rate)"), null);
    }

    /**
     * Alpha dropout for self-normalizing (SELU) networks (Klambauer et al. 2017, "Self-normalizing neural networks",
     * NeurIPS, section "New dropout technique"): each unit is kept with probability p and otherwise set to SELU's
     * negative saturation alpha' = -lambda * alpha (about -1.7581), then an affine correction restores mean 0 and
     * variance 1 of normalized input:
     * <pre>{@code y = a * (x * m + alpha' * (1 - m)) + b,   m in {0, 1}, P(m = 1) = p,
     * a = (p + alpha'^2 p (1 - p))^(-1/2),   b = -a alpha' (1 - p)}</pre>
     * computed as {@code (x - alpha') * (a m) + a alpha' p}. Backward: {@code dx = a * m * dy}, with the same m.
     * Inference is the identity. Use it after SELU activations, with LeCun-normal weights
     * ({@code WeightInit.NORMAL}). Shared axes give feature alpha dropout (PyTorch's {@code FeatureAlphaDropout}):
     * {@code alpha(p).spatial(CNN2DFormat.NCHW)}.
     *
     * @param p retain probability in (0, 1]; 1 disables dropout. PyTorch's {@code AlphaDropout(p)} takes the drop
     *          rate: use {@link #alphaOfDropRate(double)}
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws IllegalArgumentException if p is outside (0, 1] or NaN
     */
    public static MaskDropout alpha(double p) {
        hintIfDropRate(p, "alpha", "alphaOfDropRate");
        return new MaskDropout(MaskKind.ALPHA, Checks.retainProbability(p, "MaskDropout.alpha(p)"), null);
    }

    /**
     * Alpha dropout whose retain probability follows a schedule; see {@link #alpha(double)}. Each value the schedule
     * gives must be in (0, 1]; it is checked on every forward pass, and a and b follow it.
     *
     * @param p the schedule for the retain probability
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws NullPointerException if the schedule is null
     */
    public static MaskDropout alpha(ISchedule p) {
        return new MaskDropout(MaskKind.ALPHA, null, Objects.requireNonNull(p, "schedule for p"));
    }

    /**
     * Alpha dropout given a drop rate, as PyTorch's {@code AlphaDropout(p)} and Keras's {@code AlphaDropout(rate)}
     * take it; see {@link #alpha(double)}.
     *
     * @param rate probability of dropping a unit, in [0, 1); the retain probability is 1 - rate
     * @return the dropout, with RECOMPUTE storage and an element-wise mask
     * @throws IllegalArgumentException if the rate is outside [0, 1) or NaN
     */
    public static MaskDropout alphaOfDropRate(double rate) {
        return new MaskDropout(MaskKind.ALPHA, Checks.dropRateToRetain(rate, "MaskDropout.alphaOfDropRate(rate)"),
                null);
    }

    /**
     * Additive Gaussian noise, {@code y = x + n} with n ~ N(0, sigma^2) drawn afresh for every training pass, as
     * DL4J's and Keras's {@code GaussianNoise(stddev)}. Backward: {@code dx = dy}, exactly. Inference is the
     * identity. Nothing is kept between forward and backward, whatever the {@link MaskStorage}. With shared axes the
     * noise is one value per slice, broadcast along them. Non-finite input stays non-finite.
     *
     * @param sigma standard deviation, finite and &gt;= 0; 0 disables the noise
     * @return the noise, with an element-wise draw
     * @throws IllegalArgumentException if sigma is negative, infinite or NaN
     */
    public static MaskDropout gaussianNoise(double sigma) {
        return new MaskDropout(MaskKind.GAUSSIAN_NOISE, null, null, null, null, null,
                Checks.noiseSigma(sigma, "MaskDropout.gaussianNoise(sigma)"), null, null, null);
    }

    /**
     * Additive Gaussian noise whose standard deviation follows a schedule; each value must be finite and &gt;= 0 and
     * is checked on every forward pass. See {@link #gaussianNoise(double)}.
     *
     * @param sigma the schedule for the standard deviation
     * @return the noise, with an element-wise draw
     * @throws NullPointerException if the schedule is null
     */
    public static MaskDropout gaussianNoise(ISchedule sigma) {
        return new MaskDropout(MaskKind.GAUSSIAN_NOISE, null, null, null, null, null, null,
                Objects.requireNonNull(sigma, "schedule for sigma"), null, null);
    }

    /**
     * Drop path (stochastic depth, Huang et al. 2016, "Deep networks with stochastic depth", ECCV): a Bernoulli mask
     * with one value per example, shared over every other axis, {@code 1/p} or 0, so that each example keeps or loses
     * the whole activation. Put it in a {@link org.dropkit.conf.MaskDropoutLayer} at the end of a residual branch,
     * before the branch is added to the shortcut ({@code ElementWiseVertex.Op.Add}): the block then computes
     * {@code x + m * f(x) / p} per example in training and {@code x + f(x)} at inference. This is
     * {@code bernoulli(p).perExample()}; the paper's linear decay over depth is p = 1 - (l / L) (1 - p_L) for block
     * l of L.
     *
     * @param p retain probability of the branch in (0, 1]; torchvision's {@code StochasticDepth(p)} and timm's
     *          {@code drop_path(drop_prob)} take 1 - p
     * @return the dropout, with RECOMPUTE storage and a per-example mask
     * @throws IllegalArgumentException if p is outside (0, 1] or NaN
     */
    public static MaskDropout dropPath(double p) {
        return new MaskDropout(MaskKind.BERNOULLI, Checks.retainProbability(p, "MaskDropout.dropPath(p)"), null)
                .perExample();
    }

    /**
     * DropBlock for 2-D CNN feature maps (Ghiasi, Lin and Le 2018, "DropBlock: a regularization method for
     * convolutional networks", NeurIPS): instead of single units, whole {@code blockSize x blockSize} squares of each
     * feature map are dropped, so that a convolution cannot recover a dropped unit from its neighbours.
     * <ul>
     *   <li>Block seeds are drawn with probability {@code gamma = (1 - keepProb) / blockSize^2 * (H W) /
     *       ((H - blockSize + 1) (W - blockSize + 1))} (the paper's equation (1) for H x W maps) at the positions
     *       where a block lies wholly inside the map, one map per example and channel; each seed drops its block.
     *       Overlapping blocks make the expected kept fraction slightly above keepProb.</li>
     *   <li>Kept units are multiplied by {@code count / count_kept}, counted over the whole batch (the paper's and
     *       torchvision's {@code DropBlock2d}); {@link #blockNormalization} counts per example instead. The mask has
     *       mean 1 over those units, so inference is the identity.</li>
     *   <li>Backward: {@code dx = dy * m} with the same mask and the same scale, regenerated from the seed
     *       ({@link MaskStorage#RECOMPUTE}, keeping the seed and the scale) or kept ({@link MaskStorage#STORED}).</li>
     *   <li>{@code sharedAxes(1)} (NCHW) or {@code sharedAxes(3)} (NHWC) shares one block pattern over all channels
     *       of an example (the paper's other variant); axis 0 shares it over the examples. Spatial axes cannot be
     *       shared.</li>
     * </ul>
     * Use it as {@code .dropOut(...)} on a 2-D {@code ConvolutionLayer} (it acts on that layer's input) or in a
     * {@link org.dropkit.conf.MaskDropoutLayer} after a convolution or pooling layer. The input must be 4-D in the
     * given format, with height and width at least blockSize: checked when the network is built for the layer, at
     * the first forward pass for {@code .dropOut(...)}. A dropped unit is {@code x * 0}: NaN and infinite input stay
     * NaN there.
     *
     * @param keepProb  the paper's keep_prob in (0, 1]: the fraction of units to keep (DL4J's p); 1 disables it
     * @param blockSize the side of the dropped squares, at least 1 (the paper uses 7; 1 is dropout of single
     *                  units, rescaled by the kept count); even sizes work too
     * @param format    the layout of the array this dropout receives: the convolution layer's format
     * @return the dropout, with RECOMPUTE storage, one block pattern per example and channel, and
     *         {@link BlockNormalization#BATCH}
     * @throws IllegalArgumentException if keepProb is NaN or outside (0, 1], or blockSize is below 1
     * @throws NullPointerException     if format is null
     */
    public static MaskDropout dropBlock(double keepProb, int blockSize, CNN2DFormat format) {
        hintIfDropRate(keepProb, "dropBlock", "dropBlockOfDropRate");
        return new MaskDropout(MaskKind.DROP_BLOCK, Checks.keepProbability(keepProb,
                "MaskDropout.dropBlock(keepProb, blockSize, format)"), null,
                new BlockSettings(blockSize, format, null));
    }

    /**
     * DropBlock whose keep probability follows a schedule, as the paper's linear decrease from 1 to the target over
     * training; each value must be in (0, 1] and is checked on every forward pass. See
     * {@link #dropBlock(double, int, CNN2DFormat)}.
     *
     * @param keepProb  the schedule for the keep probability
     * @param blockSize the side of the dropped squares, at least 1
     * @param format    the layout of the array this dropout receives
     * @return the dropout, with RECOMPUTE storage and {@link BlockNormalization#BATCH}
     * @throws IllegalArgumentException if blockSize is below 1
     * @throws NullPointerException     if the schedule or the format is null
     */
    public static MaskDropout dropBlock(ISchedule keepProb, int blockSize, CNN2DFormat format) {
        return new MaskDropout(MaskKind.DROP_BLOCK, null, Objects.requireNonNull(keepProb, "schedule for keepProb"),
                new BlockSettings(blockSize, format, null));
    }

    /**
     * DropBlock given its drop probability, as torchvision's {@code DropBlock2d(p, block_size)} takes it; see
     * {@link #dropBlock(double, int, CNN2DFormat)}.
     *
     * @param dropRate  in [0, 1); the keep probability is 1 - dropRate
     * @param blockSize the side of the dropped squares, at least 1
     * @param format    the layout of the array this dropout receives
     * @return the dropout with keep probability 1 - dropRate
     * @throws IllegalArgumentException if dropRate is NaN or outside [0, 1), or blockSize is below 1
     * @throws NullPointerException     if format is null
     */
    public static MaskDropout dropBlockOfDropRate(double dropRate, int blockSize, CNN2DFormat format) {
        return new MaskDropout(MaskKind.DROP_BLOCK, Checks.dropRateToRetain(dropRate,
                "MaskDropout.dropBlockOfDropRate(dropRate, blockSize, format)"), null,
                new BlockSettings(blockSize, format, null));
    }

    /**
     * A copy of this DropBlock that counts kept units for its scale {@code count / count_kept} over the given units.
     *
     * @param normalization {@link BlockNormalization#BATCH} (the default) or {@link BlockNormalization#EXAMPLE}
     * @return a copy with that normalization; this instance is unchanged
     * @throws IllegalStateException if this is not a DROP_BLOCK dropout
     * @throws NullPointerException  if normalization is null
     */
    public MaskDropout blockNormalization(BlockNormalization normalization) {
        if (block == null) {
            throw new IllegalStateException(this + " is not DropBlock: only MaskDropout.dropBlock(...) has a block"
                    + " normalization");
        }
        return with(storage, sharedAxes, timeLocked, perExample, block.withNormalization(normalization));
    }

    /**
     * A copy that keeps its mask between forward and backward as given; the default is RECOMPUTE.
     *
     * @param storage RECOMPUTE (keep a seed, regenerate the mask in backward) or STORED (keep the mask)
     * @return a copy with that storage; this instance is unchanged
     */
    public MaskDropout storage(MaskStorage storage) {
        return with(Objects.requireNonNull(storage, "storage"), sharedAxes, timeLocked, perExample);
    }

    /**
     * A copy whose mask is shared (broadcast) along the given 0-based axes of the input, e.g. {@code (2, 3)} for
     * one value per example and channel of NCHW input. No axes means one mask value per element.
     *
     * @param axes distinct, non-negative axes; each must be below the rank of the input the dropout receives, which
     *             is checked when the network is built (layer) or at the first forward pass ({@code .dropOut})
     * @return a copy with those shared axes; this instance is unchanged
     * @throws IllegalArgumentException if an axis is negative or repeated
     */
    public MaskDropout sharedAxes(int... axes) {
        return with(storage, axes, null, false);
    }

    /**
     * A copy with one mask value per example, shared over every other axis of an input of any rank (axis 0 is the
     * example axis of every DL4J activation): for {@code [n, f]} input the axes {1}, for NCHW {1, 2, 3}. Replaces any
     * shared axes. {@link #dropPath(double)} is {@code bernoulli(p).perExample()}.
     *
     * @return a copy with a per-example mask; this instance is unchanged
     */
    public MaskDropout perExample() {
        return with(storage, null, null, true);
    }

    /**
     * Spatial dropout for 2-D convolutions: one mask value per (example, channel), shared over height and width.
     *
     * @param format the layout of the array this dropout receives: NCHW shares axes 2 and 3, NHWC axes 1 and 2
     * @return a copy with those shared axes; this instance is unchanged
     */
    public MaskDropout spatial(CNN2DFormat format) {
        return sharedAxes(Objects.requireNonNull(format, "format") == CNN2DFormat.NCHW
                ? new int[] {2, 3} : new int[] {1, 2});
    }

    /**
     * Spatial dropout for 3-D convolutions: one mask value per (example, channel), shared over D, H and W.
     *
     * @param format the layout of the array this dropout receives: NCDHW shares axes 2 to 4, NDHWC axes 1 to 3
     * @return a copy with those shared axes; this instance is unchanged
     */
    public MaskDropout spatial(Convolution3D.DataFormat format) {
        return sharedAxes(Objects.requireNonNull(format, "format") == Convolution3D.DataFormat.NCDHW
                ? new int[] {2, 3, 4} : new int[] {1, 2, 3});
    }

    /**
     * Time-locked (variational) dropout for recurrent input: one mask value per (example, feature), the same at
     * every time step (Gal and Ghahramani 2016, "A theoretically grounded application of dropout in recurrent
     * neural networks"). Give the data format of the layer it is set on (with {@code .dropOut(...)}), or of the
     * activations a {@link org.dropkit.conf.MaskDropoutLayer} receives: it shares axis 2 for NCW and axis 1 for NWC,
     * except with {@code .dropOut(...)} on an {@code LSTM}, which permutes its input to NCW before dropout, where it
     * shares axis 2 whatever the format.
     *
     * @param format the data format of the layer (or of the activations a MaskDropoutLayer receives)
     * @return a copy with the time axis shared; this instance is unchanged
     */
    public MaskDropout timeLocked(RNNFormat format) {
        return with(storage, timeAxis(Objects.requireNonNull(format, "format")), format, false);
    }

    /**
     * The kind of mask.
     *
     * @return the kind this dropout was built as (BERNOULLI for drop path, as {@code bernoulli(p).perExample()})
     */
    public MaskKind getKind() {
        return kind;
    }

    /**
     * The fixed retain probability.
     *
     * @return p in (0, 1], or NaN when a schedule gives it
     */
    public double getP() {
        return p == null ? Double.NaN : p;
    }

    /**
     * The schedule for the retain probability.
     *
     * @return the schedule, or null when p is fixed
     */
    public ISchedule getPSchedule() {
        return pSchedule;
    }

    /**
     * What is kept between forward and backward.
     *
     * @return RECOMPUTE (the default) or STORED
     */
    public MaskStorage getStorage() {
        return storage;
    }

    /**
     * The data format given to {@link #timeLocked(RNNFormat)}.
     *
     * @return the format, or null when the mask is not time-locked that way
     */
    public RNNFormat getTimeLocked() {
        return timeLocked;
    }

    /**
     * DropBlock's block size.
     *
     * @return the side of the dropped squares; 0 for other kinds
     */
    public int getBlockSize() {
        return block == null ? 0 : block.size();
    }

    /**
     * The data format DropBlock expects its input in.
     *
     * @return NCHW or NHWC; null for other kinds
     */
    public CNN2DFormat getBlockFormat() {
        return block == null ? null : block.format();
    }

    /**
     * Over which units DropBlock counts kept units for its scale.
     *
     * @return BATCH or EXAMPLE; null for other kinds
     */
    public BlockNormalization getBlockNormalization() {
        return block == null ? null : block.normalization();
    }

    /**
     * The axes the mask is shared (broadcast) along.
     *
     * @return a copy of the axes, sorted; empty for an element-wise mask (and for a per-example one, see
     *     {@link #perExample()})
     */
    public int[] getSharedAxes() {
        return sharedAxes.clone();
    }

    /**
     * Whether the mask has one value per example, shared over every other axis ({@link #perExample()}).
     *
     * @return true for a per-example (drop path) mask
     */
    public boolean isPerExample() {
        return perExample;
    }

    /**
     * The fixed noise standard deviation of {@link MaskKind#GAUSSIAN_NOISE}.
     *
     * @return sigma, or NaN for other kinds and when a schedule gives it
     */
    public double getSigma() {
        return sigma == null ? Double.NaN : sigma;
    }

    /**
     * The schedule for the noise standard deviation of {@link MaskKind#GAUSSIAN_NOISE}.
     *
     * @return the schedule, or null when sigma is fixed or the kind is not noise
     */
    public ISchedule getSigmaSchedule() {
        return sigmaSchedule;
    }

    /**
     * The noise standard deviation of {@link MaskKind#GAUSSIAN_NOISE} at a given iteration and epoch, checked to be
     * finite and &gt;= 0.
     *
     * @param iteration the network's iteration count, for a schedule
     * @param epoch     the network's epoch count, for a schedule
     * @return the fixed sigma, or the schedule's value there
     * @throws IllegalStateException    for other kinds, which have a retain probability instead
     * @throws IllegalArgumentException if a schedule gives a value that is negative, NaN or infinite
     */
    public double noiseSigma(int iteration, int epoch) {
        if (kind != MaskKind.GAUSSIAN_NOISE) {
            throw new IllegalStateException(this + " is not Gaussian noise and has no noise sigma: use"
                    + " retainProbability(iteration, epoch)");
        }
        if (sigma != null) {
            return sigma;
        }
        return Checks.scheduledNoiseSigma(sigmaSchedule.valueAt(iteration, epoch), sigmaSchedule, iteration, epoch);
    }

    /**
     * The retain probability at a given iteration and epoch, checked to be in (0, 1]; 1 for
     * {@link MaskKind#GAUSSIAN_NOISE}, which drops no unit.
     *
     * @param iteration the network's iteration count, for a schedule
     * @param epoch     the network's epoch count, for a schedule
     * @return the fixed p, or the schedule's value there
     * @throws IllegalArgumentException if a schedule gives a value outside (0, 1]
     */
    public double retainProbability(int iteration, int epoch) {
        if (p != null) {
            return p;
        }
        if (pSchedule == null) {
            return 1.0;
        }
        return Checks.scheduledRetainProbability(pSchedule.valueAt(iteration, epoch), "MaskDropout", pSchedule,
                iteration, epoch);
    }

    /**
     * Alpha dropout's multiplier {@code a = (p + alpha'^2 p (1 - p))^(-1/2)} at retain probability p: a kept unit
     * becomes {@code a x + b}. The same value, and the same call, as DL4J's {@code AlphaDropout.a(p)}; with a schedule,
     * pass {@code retainProbability(iteration, epoch)}.
     *
     * @param p retain probability in (0, 1]
     * @return a, in double precision (a FLOAT pass rounds it to float)
     * @throws IllegalStateException    if this is not alpha dropout ({@link MaskKind#ALPHA})
     * @throws IllegalArgumentException if p is outside (0, 1] or NaN
     */
    public double a(double p) {
        return MaskSpec.alphaScale(alphaRetainProbability(p, "a"));
    }

    /**
     * Alpha dropout's shift {@code b = -a alpha' (1 - p)} at retain probability p, added to every unit after scaling
     * (a dropped unit becomes {@code a alpha' + b}). The same value, and the same call, as DL4J's
     * {@code AlphaDropout.b(p)}.
     *
     * @param p retain probability in (0, 1]
     * @return b, in double precision
     * @throws IllegalStateException    if this is not alpha dropout ({@link MaskKind#ALPHA})
     * @throws IllegalArgumentException if p is outside (0, 1] or NaN
     */
    public double b(double p) {
        return MaskSpec.alphaShift(alphaRetainProbability(p, "b"));
    }

    private double alphaRetainProbability(double p, String constant) {
        if (kind != MaskKind.ALPHA) {
            throw new IllegalStateException(constant + "(p) is a constant of alpha dropout, and " + this
                    + " is not alpha dropout: build that with MaskDropout.alpha(p)");
        }
        return Checks.retainProbability(p, "MaskDropout." + constant + "(p)");
    }

    /**
     * Training forward pass with inverted scaling: writes {@code x * m} into {@code output} and returns it.
     * {@code output} may be the input: DL4J passes the input itself when it allows in-place modification, and the
     * pass then runs in place, except inside a {@code ComputationGraph}, where DL4J also allows it for the last of
     * several layers reading one activation and the others' gradients would see the modified array; there the
     * output goes to a new array in DL4J's INPUT workspace. The exception is an {@code LSTM}: with NWC data it
     * restores its input after the forward pass and computes its gradients from it, so its dropout must write there
     * wherever DL4J allows it, as DL4J's does (its format is not visible from here). When the retain probability is
     * 1 nothing is drawn and the output is the input, copied only where it must be a new array.
     */
    @Override
    public INDArray applyDropout(INDArray inputActivations, INDArray output, int iteration, int epoch,
            LayerWorkspaceMgr workspaceMgr) {
        Objects.requireNonNull(inputActivations, "input");
        HostLayer h = host;
        boolean newHost = h == null || h.rank != inputActivations.rank();
        if (newHost) {
            h = HostLayer.find(inputActivations.rank());
            host = h;
        }
        if (output == inputActivations && h.inGraph && h.kind != HostLayer.Kind.LSTM) {
            output = null;
        }
        if (newHost) {
            HostChecks.warnOnce(this, h, inputActivations, output == inputActivations, timeLocked);
        }
        int[] axes = ChannelsLastGradient.axesAsHanded(sharedAxes, timeLocked, h);
        HostChecks.axesFit(this, h, axes, inputActivations.shape());
        return run(inputActivations, output, iteration, epoch, workspaceMgr, Scaling.INVERTED, true, axes);
    }

    /**
     * The training forward pass with a chosen scaling, for layers that handle inference themselves (see
     * {@link org.dropkit.conf.MaskDropoutLayer}): with {@link Scaling#VANILLA} the caller must multiply by p at
     * inference. Writes into {@code output}, which may be the input, and returns it; the caller decides whether
     * writing in place is safe.
     *
     * @param input        the layer input x
     * @param output       where to write {@code x * m}: the input itself, an array of its shape, or null for a new
     *                     array in DL4J's INPUT workspace
     * @param iteration    the network's iteration count, for a schedule of p
     * @param epoch        the network's epoch count, for a schedule of p
     * @param workspaceMgr the layer's workspace manager
     * @param scaling      INVERTED (kept units scaled by 1/p) or VANILLA (mask in {0, 1}; Bernoulli only)
     * @return the output array
     */
    public INDArray forward(INDArray input, INDArray output, int iteration, int epoch,
            LayerWorkspaceMgr workspaceMgr, Scaling scaling) {
        return run(input, output, iteration, epoch, workspaceMgr, scaling, true, sharedAxes);
    }

    /**
     * One stochastic pass outside training (Monte Carlo dropout): writes {@code input * m} with a fresh mask into
     * {@code output} (which may be the input) and returns it. Keeps nothing for a backward pass and leaves a pending
     * training pass untouched. When the retain probability is 1 the input is copied into {@code output}.
     *
     * @param input     the layer input x
     * @param output    where to write {@code x * m}: the input itself, an array of its shape, or null for a new array
     * @param iteration the network's iteration count, for a schedule of p
     * @param epoch     the network's epoch count, for a schedule of p
     * @param scaling   INVERTED (kept units scaled by 1/p) or VANILLA (mask in {0, 1}; Bernoulli only)
     * @return the output array
     */
    public INDArray sample(INDArray input, INDArray output, int iteration, int epoch, Scaling scaling) {
        return run(input, output, iteration, epoch, null, scaling, false, sharedAxes);
    }

    /**
     * One forward pass into {@code output}, or into a new array when it is null (DL4J's INPUT workspace in training).
     * The result is always {@code output}: an identity pass (p = 1, or an empty array) copies the input there unless
     * they are the same array, so a caller that asked for a new array never gets back one it does not own.
     *
     * @param axes the shared axes of the array as given (see {@link ChannelsLastGradient#axesAsHanded})
     */
    private INDArray run(INDArray input, INDArray output, int iteration, int epoch, LayerWorkspaceMgr workspaceMgr,
            Scaling scaling, boolean training, int[] axes) {
        Objects.requireNonNull(input, "input");
        Checks.floatingPoint(input, "dropout input");
        if (perExample) {
            axes = allButExampleAxis(input.rank());
        }
        Checks.sharedAxesFitShape(axes, input.shape());
        if (output != null && output != input) {
            Checks.sameShape(input.shape(), output, "dropout output array", "its input");
        }
        MaskSpec spec = spec(iteration, epoch, scaling, axes, input.shape());
        if (output == null) {
            output = training ? createIn(workspaceMgr, ArrayType.INPUT, input, input.shape())
                    : Nd4j.createUninitialized(input.dataType(), input.shape(), 'c');
        }
        DataType maskType = output.dataType();
        if (spec.isIdentity() || input.isEmpty()) {
            if (training) {
                pending.set(new Pass(spec, 0L, input.shape(), maskType, null));
            }
            return MaskEngine.copy(input, output);
        }
        Checks.keptScaleFits(spec, maskType);
        Checks.noiseFits(spec, maskType);
        long seed = MaskEngine.drawSeed();
        INDArray stored = null;
        if (training && storage == MaskStorage.STORED && !spec.isAdditive()) {
            stored = MaskEngine.fill(spec, seed, createIn(workspaceMgr, ArrayType.INPUT, output,
                    MaskEngine.maskShape(input.shape(), spec)));
            MaskEngine.forwardStored(spec, input, stored, output);
        } else {
            MaskEngine.forward(spec, seed, maskType, input, output);
        }
        if (training) {
            pending.set(new Pass(spec, seed, input.shape(), maskType, stored));
        }
        return output;
    }

    /** The mask of this pass: noise sigma or retain probability for (iteration, epoch), scaling, shared axes. */
    private MaskSpec spec(int iteration, int epoch, Scaling scaling, int[] axes, long[] shape) {
        if (kind == MaskKind.GAUSSIAN_NOISE) {
            Checks.scalingFitsKind(scaling, kind);
            return MaskSpec.noise(noiseSigma(iteration, epoch), axes);
        }
        if (block != null) {
            return block.spec(retainProbability(iteration, epoch), scaling, axes, shape);
        }
        return MaskSpec.of(kind, retainProbability(iteration, epoch), scaling, axes);
    }

    /** Axes 1 .. rank - 1: every axis but the example axis. */
    private static int[] allButExampleAxis(int rank) {
        int[] axes = new int[Math.max(0, rank - 1)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        return axes;
    }

    /**
     * Backward pass: writes {@code gradAtOutput * m} into {@code gradAtInput} (which may be {@code gradAtOutput})
     * with the mask of the matching forward pass, and returns it. Each training forward pass allows one backward
     * pass.
     *
     * @throws IllegalStateException    if no forward pass is pending (backward before forward, or twice)
     * @throws IllegalArgumentException if the gradient's shape is not the forward input's shape
     */
    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        Pass pass = pending.get();
        if (pass == null) {
            throw new IllegalStateException("MaskDropout.backprop was called with no training forward pass pending:"
                    + " backward must follow applyDropout, once per forward pass (it was called before any forward"
                    + " pass, twice, or after clear()). Run the forward pass again before each backward pass.");
        }
        Objects.requireNonNull(gradAtOutput, "gradAtOutput");
        if (gradAtInput == null) {
            gradAtInput = gradAtOutput;
        }
        INDArray dy = gradAtOutput;
        INDArray dx = gradAtInput;
        HostLayer h = host == null ? HostLayer.NONE : host;
        int[] toForwardLayout = ChannelsLastGradient.permutationToForwardLayout(pass.shape, dy, h,
                ChannelsLastGradient.axesAsHanded(sharedAxes, timeLocked, h), timeLocked,
                block != null && block.channelsLast());
        if (toForwardLayout != null) {
            dy = dy.permute(toForwardLayout);
            dx = gradAtInput == gradAtOutput ? dy : dx.permute(toForwardLayout);
        }
        Checks.sameShape(pass.shape, dy, "gradient at the dropout output", "the forward input");
        if (dx != dy) {
            Checks.sameShape(pass.shape, dx, "gradient array for the dropout input", "the forward input");
        }
        forgetPass();
        if (pass.stored != null) {
            MaskEngine.multiply(dy, pass.stored, dx);
        } else {
            MaskEngine.backward(pass.spec, pass.seed, pass.maskType, dy, dx);
        }
        return gradAtInput;
    }

    /**
     * The backward pass's way to forget its forward pass: a null value, not {@code ThreadLocal.remove()}, which
     * expunges the thread's map entry and cost about 50 ns of a backward pass that is otherwise a few (Gaussian noise
     * in place, as DL4J's layers call it: 40-95 ns against 14-27 ns, measured in a loop of 1e6 calls). The entry
     * stays for the next forward pass of the same thread; {@link #clear} removes it.
     */
    private void forgetPass() {
        pending.set(null);
    }

    /** Forgets the calling thread's pending forward pass and its mask, if any. */
    @Override
    public void clear() {
        pending.remove();
    }

    /**
     * A deep copy of the configuration, schedule included, with no pending pass.
     *
     * @return the copy; it shares no run-time state with this instance
     */
    @Override
    public MaskDropout clone() {
        return with(storage, sharedAxes, timeLocked, perExample);
    }

    /**
     * Bytes kept between this thread's last forward pass and its backward pass: the stored mask, or none.
     *
     * @return the stored mask's size in bytes; 0 with RECOMPUTE or with no pass pending
     */
    public long keptMaskBytes() {
        Pass pass = pending.get();
        return pass == null || pass.stored == null ? 0L : pass.stored.length() * pass.stored.dataType().width();
    }

    /**
     * Java deserialization goes through the constructor too: checked fields, fresh run-time state.
     *
     * @return an equal instance built through the constructor's checks
     */
    private Object readResolve() {
        return with(storage, sharedAxes, timeLocked, perExample);
    }

    /**
     * A new array in DL4J's workspace for {@code type}; detached without a manager. Where DL4J has not opened that
     * workspace, the current one: DL4J's {@code ComputationGraph.output(true, ...)} does not always have INPUT open
     * for a layer it lets modify its input (DL4J itself never allocates there), and the current workspace is the one
     * it opened for the layer, which outlives the layer's forward pass.
     */
    private static INDArray createIn(LayerWorkspaceMgr mgr, ArrayType type, INDArray like, long[] shape) {
        if (mgr == null) {
            return Nd4j.createUninitializedDetached(like.dataType(), shape);
        }
        return mgr.isWorkspaceOpen(type) ? mgr.createUninitialized(type, like.dataType(), shape, 'c')
                : Nd4j.createUninitialized(like.dataType(), shape, 'c');
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MaskDropout)) {
            return false;
        }
        MaskDropout that = (MaskDropout) o;
        return kind == that.kind && Objects.equals(p, that.p) && Objects.equals(pSchedule, that.pSchedule)
                && storage == that.storage && Arrays.equals(sharedAxes, that.sharedAxes)
                && timeLocked == that.timeLocked && Objects.equals(sigma, that.sigma)
                && Objects.equals(sigmaSchedule, that.sigmaSchedule) && perExample == that.perExample
                && Objects.equals(block, that.block);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, p, pSchedule, storage, Arrays.hashCode(sharedAxes), timeLocked, sigma,
                sigmaSchedule, perExample, block);
    }

    @Override
    public String toString() {
        String amount = p != null ? "p=" + p : pSchedule != null ? "pSchedule=" + pSchedule
                : sigma != null ? "sigma=" + sigma : "sigmaSchedule=" + sigmaSchedule;
        return "MaskDropout(" + kind + ", " + amount + ", " + storage
                + (timeLocked != null ? ", timeLocked=" + timeLocked
                : sharedAxes.length > 0 ? ", sharedAxes=" + Arrays.toString(sharedAxes) : "")
                + (perExample ? ", perExample" : "") + (block != null ? ", " + block : "") + ")";
    }

    /** One forward pass, as its backward pass needs it. */
    private static final class Pass {
        final MaskSpec spec;
        final long seed;
        final long[] shape;
        /** The data type the mask was made in: the forward output's, whatever type the gradient arrives in. */
        final DataType maskType;
        final INDArray stored;

        Pass(MaskSpec spec, long seed, long[] shape, DataType maskType, INDArray stored) {
            this.spec = spec;
            this.seed = seed;
            this.shape = shape;
            this.maskType = maskType;
            this.stored = stored;
        }
    }
}

package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Bits;
import org.dropkit.testsupport.Kinds;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * A mask is a function of the seed a forward pass draws from {@code Nd4j.getRandom()} and of each element's logical
 * index, nothing else: not the memory layout of the input, not views, not the number of threads. So a network's
 * {@code .seed(...)} reproduces training bit for bit, with or without workspaces.
 */
class ReproducibilityTest {

    private static final long[] SHAPE = {4, 5, 6, 7};
    private static final long SEED = 42;
    private static final int TRAINING_STEPS = 3;

    private static MaskDropout dropout(MaskKind kind, int[] axes) {
        return Kinds.of(kind, 0.7).sharedAxes(axes);
    }

    static List<Arguments> masks() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) { // DropBlock: DropBlockTest
            for (int[] axes : new int[][] {{}, {2, 3}, {0, 3}}) {
                cases.add(Arguments.of(kind, axes));
            }
        }
        return cases;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Seeds.

    @ParameterizedTest(name = "{0} sharedAxes={1}")
    @MethodSource("masks")
    void sameSeedSameMask(MaskKind kind, int[] axes) {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', SHAPE);
        INDArray first = Passes.forward(dropout(kind, axes), SEED, x.dup());
        INDArray second = Passes.forward(dropout(kind, axes), SEED, x.dup());
        assertBitwiseEqual(first, second, "two forward passes from the same seed");
    }

    @ParameterizedTest(name = "{0} sharedAxes={1}")
    @MethodSource("masks")
    void differentSeedsDifferentMasks(MaskKind kind, int[] axes) {
        INDArray m1 = Passes.materializeMask(dropout(kind, axes), SEED, SHAPE, DataType.FLOAT);
        INDArray m2 = Passes.materializeMask(dropout(kind, axes), SEED + 1, SHAPE, DataType.FLOAT);
        // Even the smallest mask here, 4 * 5 = 20 Bernoulli(0.7) values, repeats with probability 0.58^20 < 2e-5.
        assertFalse(Arrays.equals(Bits.rawBits(m1), Bits.rawBits(m2)), "masks from seeds " + SEED + " and "
                + (SEED + 1) + " differ");
    }

    /** Storage is a memory trade-off only: the mask, the output and the gradient are the same bits either way. */
    @ParameterizedTest(name = "{0} sharedAxes={1}")
    @MethodSource("masks")
    void storageModeDoesNotChangeTheMask(MaskKind kind, int[] axes) {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', SHAPE);
        INDArray dy = Passes.randomNonZero(DataType.FLOAT, 2, 'c', SHAPE);
        MaskDropout stored = dropout(kind, axes).storage(MaskStorage.STORED);
        MaskDropout recomputed = dropout(kind, axes).storage(MaskStorage.RECOMPUTE);
        assertBitwiseEqual(Passes.forward(stored, SEED, x), Passes.forward(recomputed, SEED, x), "forward");
        assertBitwiseEqual(stored.backprop(dy, dy.ulike(), 0, 0), recomputed.backprop(dy, dy.ulike(), 0, 0),
                "backward");
    }

    static List<Arguments> masksAndStorage() {
        List<Arguments> cases = new ArrayList<>();
        for (Arguments mask : masks()) {
            for (MaskStorage storage : MaskStorage.values()) {
                cases.add(Arguments.of(mask.get()[0], mask.get()[1], storage));
            }
        }
        return cases;
    }

    /** What the generator gives next: a long, then an array of uniform values. */
    private static INDArray nextFromGenerator() {
        long next = Nd4j.getRandom().nextLong();
        return Nd4j.concat(0, Nd4j.scalar(DataType.DOUBLE, (double) next).reshape(1),
                Nd4j.rand(DataType.DOUBLE, 8));
    }

    /**
     * A forward pass takes one seed from {@code Nd4j.getRandom()} and a backward pass none: the mask itself is drawn
     * from a borrowed state, so whatever else draws from the generator (weight init, DL4J's own dropout, the user)
     * sees the same stream as with any other single draw.
     */
    @ParameterizedTest(name = "{0} sharedAxes={1} {2}")
    @MethodSource("masksAndStorage")
    void aTrainingPassTakesExactlyOneSeedFromTheGenerator(MaskKind kind, int[] axes, MaskStorage storage) {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', SHAPE);
        Nd4j.getRandom().setSeed(SEED);
        Nd4j.getRandom().nextLong();
        INDArray expected = nextFromGenerator();

        MaskDropout d = dropout(kind, axes).storage(storage);
        Passes.forward(d, SEED, x);
        d.backprop(x.ulike().assign(1.0), null, 0, 0);
        assertBitwiseEqual(expected, nextFromGenerator(), "the generator after a forward and a backward pass");
    }

    /** p = 1 (sigma = 0 for noise) is no dropout and costs nothing: not even a seed. */
    @ParameterizedTest
    @EnumSource(value = MaskKind.class, names = {"BERNOULLI", "GAUSSIAN"})
    void retainProbabilityOneDrawsNothing(MaskKind kind) {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', SHAPE);
        Nd4j.getRandom().setSeed(SEED);
        INDArray expected = nextFromGenerator();

        MaskDropout d = Kinds.of(kind, 1.0);
        Passes.forward(d, SEED, x, x.ulike());
        d.backprop(x.ulike().assign(1.0), null, 0, 0);
        assertBitwiseEqual(expected, nextFromGenerator(), "the generator after a forward and a backward pass");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Layout: the same logical values in other memory layouts, views included.

    /** Ways to hold the same logical [4, 5, 6, 7] values in another layout than contiguous c-order. */
    static List<Named<UnaryOperator<INDArray>>> layouts() {
        return List.of(
                Named.of("f-order", x -> x.dup('f')),
                Named.of("permuted", x -> x.permute(3, 1, 2, 0).dup('c').permute(3, 1, 2, 0)),
                Named.of("column slice", x -> {
                    INDArray base = Nd4j.zeros(x.dataType(), 4, 5, 6, 10);
                    INDArray view = base.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                            NDArrayIndex.interval(2, 9));
                    return view.assign(x);
                }),
                Named.of("every other row", x -> {
                    INDArray base = Nd4j.zeros(x.dataType(), 4, 10, 6, 7);
                    INDArray view = base.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 10),
                            NDArrayIndex.all(), NDArrayIndex.all());
                    return view.assign(x);
                }));
    }

    /** Where the forward pass writes: the first two are contiguous arrays, the others the input or views. */
    enum Output { NEW_ARRAY_LIKE_INPUT, ALLOCATED_BY_DROPOUT, IN_PLACE, INTO_CONTIGUOUS_VIEW, INTO_STRIDED_VIEW }

    private static INDArray outputArray(Output output, INDArray x) {
        switch (output) {
            case NEW_ARRAY_LIKE_INPUT:
                return x.ulike();
            case ALLOCATED_BY_DROPOUT:
                return null;
            case IN_PLACE:
                return x;
            case INTO_CONTIGUOUS_VIEW: // the second half of a c-order array: c-contiguous, at an offset
                return Nd4j.zeros(x.dataType(), 2 * SHAPE[0], SHAPE[1], SHAPE[2], SHAPE[3])
                        .get(NDArrayIndex.interval(SHAPE[0], 2 * SHAPE[0]), NDArrayIndex.all(), NDArrayIndex.all(),
                                NDArrayIndex.all());
            case INTO_STRIDED_VIEW: // every other element along the last axis
                return Nd4j.zeros(x.dataType(), SHAPE[0], SHAPE[1], SHAPE[2], 2 * SHAPE[3])
                        .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                                NDArrayIndex.interval(1, 2, 2 * SHAPE[3]));
            default:
                throw new AssertionError(output);
        }
    }

    static List<Arguments> layoutCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Named<UnaryOperator<INDArray>> layout : layouts()) {
            for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) {
                for (int[] axes : new int[][] {{}, {2, 3}}) {
                    for (Output output : Output.values()) {
                        cases.add(Arguments.of(layout, kind, axes, output));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} sharedAxes={2} output={3}")
    @MethodSource("layoutCases")
    void maskDependsOnlyOnSeedAndLogicalIndex(UnaryOperator<INDArray> layout, MaskKind kind, int[] axes,
            Output output) {
        INDArray reference = Passes.randomNonZero(DataType.FLOAT, 3, 'c', SHAPE);
        INDArray x = layout.apply(reference);
        assertSameValues(reference, x);
        assertTrue(x.isView() || !Arrays.equals(reference.stride(), x.stride()),
                "the layout is not contiguous c-order: strides " + Arrays.toString(x.stride()));

        INDArray expected = Passes.forward(dropout(kind, axes), SEED, reference.dup('c'));
        INDArray out = outputArray(output, x);
        INDArray actual = Passes.forward(dropout(kind, axes), SEED, x, out);
        assertBitwiseEqual(expected, actual, "output for " + x.ordering() + "-order input with strides "
                + Arrays.toString(x.stride()) + (x.isView() ? " (a view)" : ""));
    }

    private static void assertSameValues(INDArray expected, INDArray actual) {
        assertBitwiseEqual(expected, actual, "the layout holds the same logical values");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Threads.

    /**
     * Limits the threads ND4J ops split into to n. In 1.0.0-M2.1 on the CPU backend
     * {@code Environment.setMaxThreads(1)} leaves {@code maxThreads()} unchanged; Bernoulli fills split into
     * {@code maxMasterThreads} threads and Gaussian fills into libnd4j's thread count ({@code setOmpNumThreads}), as
     * per-thread CPU times show. So set all three, and check that the limits took.
     */
    static void useThreads(int n) {
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        nativeOps.setOmpNumThreads(n);
        assertEquals(n, Nd4j.getEnvironment().maxMasterThreads(), "ND4J's master threads");
        assertEquals(n, nativeOps.ompGetMaxThreads(), "libnd4j's threads");
    }

    /** 2^20 elements: ND4J splits random and element-wise ops of this size across its threads. */
    @ParameterizedTest
    @EnumSource(value = MaskKind.class, names = {"BERNOULLI", "GAUSSIAN"})
    void sameSeedSameMaskAcrossThreadCounts(MaskKind kind) {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 1024, 1024);
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        assumeTrue(Nd4j.getEnvironment().maxThreads() >= 2, "ND4J has at least 2 threads to use");
        int threadsBefore = Nd4j.getEnvironment().maxThreads();
        int masterThreadsBefore = Nd4j.getEnvironment().maxMasterThreads();
        int nativeThreadsBefore = nativeOps.ompGetMaxThreads();
        try {
            useThreads(1);
            INDArray oneThread = Passes.forward(dropout(kind, new int[0]), SEED, ones, ones.ulike());

            useThreads(2);
            MaskDropout twoThreadDropout = dropout(kind, new int[0]);
            INDArray twoThreads = Passes.forward(twoThreadDropout, SEED, ones, ones.ulike());
            assertBitwiseEqual(oneThread, twoThreads, "the mask (input of ones) with 1 and with 2 threads");

            // A RECOMPUTE backward pass on 1 thread regenerates the mask its forward pass drew on 2: the gradient is
            // the one a backward pass on 2 threads gives (for y = x * m, the forward output of ones).
            INDArray twoThreadGrad = twoThreadDropout.backprop(ones.dup(), ones.ulike(), 0, 0);
            Passes.forward(twoThreadDropout, SEED, ones, ones.ulike());
            useThreads(1);
            INDArray dx = twoThreadDropout.backprop(ones.dup(), ones.ulike(), 0, 0);
            assertBitwiseEqual(twoThreadGrad, dx, "backward of ones on 1 thread after forward on 2");
            if (kind == MaskKind.BERNOULLI || kind == MaskKind.GAUSSIAN) {
                assertBitwiseEqual(twoThreads, dx, "backward of ones is the mask forward applied to ones");
            }
        } finally {
            Nd4j.getEnvironment().setMaxThreads(threadsBefore);
            Nd4j.getEnvironment().setMaxMasterThreads(masterThreadsBefore);
            nativeOps.setOmpNumThreads(nativeThreadsBefore);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Training: .seed(...) reproduces the trained parameters bit for bit.

    enum Network { DENSE, CNN_SPATIAL, LSTM_TIME_LOCKED }

    static MultiLayerConfiguration configuration(Network network, long seed) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Adam(0.05)).weightInit(WeightInit.XAVIER).list();
        switch (network) {
            case DENSE:
                return b.layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                        .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.7)).build())
                        .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH)
                                .dropOut(MaskDropout.gaussian(0.8)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                                .activation(Activation.SOFTMAX).build())
                        .setInputType(InputType.feedForward(4)).build();
            case CNN_SPATIAL:
                return b.layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build())
                        .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH)
                                .dropOut(MaskDropout.bernoulli(0.6).spatial(CNN2DFormat.NCHW)).build())
                        .layer(new MaskDropoutLayer.Builder(MaskDropout.gaussian(0.7).spatial(CNN2DFormat.NCHW)
                                .storage(MaskStorage.STORED)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                                .activation(Activation.SOFTMAX).build())
                        .setInputType(InputType.convolutional(5, 5, 2, CNN2DFormat.NCHW)).build();
            case LSTM_TIME_LOCKED:
                return b.layer(new LSTM.Builder().nOut(4).activation(Activation.TANH).build())
                        .layer(new LSTM.Builder().nOut(3).activation(Activation.TANH)
                                .dropOut(MaskDropout.bernoulli(0.6).timeLocked(RNNFormat.NCW)).build())
                        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                                .activation(Activation.SOFTMAX).build())
                        .setInputType(InputType.recurrent(3, 5, RNNFormat.NCW)).build();
            default:
                throw new AssertionError(network);
        }
    }

    static DataSet data(Network network) {
        Nd4j.getRandom().setSeed(5);
        switch (network) {
            case DENSE:
                return new DataSet(Nd4j.rand(DataType.FLOAT, 6, 4).subi(0.5), oneHot(6, 3, 1));
            case CNN_SPATIAL:
                return new DataSet(Nd4j.rand(DataType.FLOAT, 4, 2, 5, 5).subi(0.5), oneHot(4, 3, 1));
            case LSTM_TIME_LOCKED:
                return new DataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 5).subi(0.5), oneHot(4, 2, 5));
            default:
                throw new AssertionError(network);
        }
    }

    /** One-hot labels [n, classes] (steps = 1) or [n, classes, steps]. */
    private static INDArray oneHot(int n, int classes, int steps) {
        INDArray labels = steps == 1 ? Nd4j.zeros(DataType.FLOAT, n, classes)
                : Nd4j.zeros(DataType.FLOAT, n, classes, steps);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) {
                int c = (i + t) % classes;
                labels.putScalar(steps == 1 ? new long[] {i, c} : new long[] {i, c, t}, 1.0);
            }
        }
        return labels;
    }

    /**
     * A new network from the configuration (init seeds Nd4j.getRandom() with the configuration's seed), optionally
     * reseeded before training, trained a few steps; its parameters.
     */
    private static INDArray train(MultiLayerConfiguration conf, DataSet data, Long reseedBeforeTraining) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        if (reseedBeforeTraining != null) {
            Nd4j.getRandom().setSeed(reseedBeforeTraining);
        }
        for (int i = 0; i < TRAINING_STEPS; i++) {
            net.fit(data);
        }
        return net.params().dup();
    }

    private static boolean bitwiseEqual(INDArray a, INDArray b) {
        return Arrays.equals(Bits.rawBits(a), Bits.rawBits(b));
    }

    @ParameterizedTest
    @EnumSource(Network.class)
    void sameSeedSameTrainedParameters(Network network) {
        DataSet data = data(network);
        INDArray first = train(configuration(network, 123), data, null);
        INDArray second = train(configuration(network, 123), data, null);
        assertBitwiseEqual(first, second, "parameters after " + TRAINING_STEPS + " steps from .seed(123)");
    }

    @ParameterizedTest
    @EnumSource(Network.class)
    void differentSeedDifferentTrainedParameters(Network network) {
        DataSet data = data(network);
        INDArray reference = train(configuration(network, 123), data, null);
        assertFalse(bitwiseEqual(reference, train(configuration(network, 124), data, null)),
                "another .seed(...) gives other parameters");
        // Same initial weights, other masks: training draws its masks from Nd4j.getRandom().
        assertFalse(bitwiseEqual(reference, train(configuration(network, 123), data, 999L)),
                "the same .seed(...) with Nd4j.getRandom() reseeded before training gives other parameters");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Workspaces: masks in the INPUT workspace (STORED) or recomputed give the same training as without workspaces.

    enum Placement { DROP_OUT_ON_LAYERS, MASK_DROPOUT_LAYER }

    static List<Arguments> workspaceCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Network network : Network.values()) {
            for (Placement placement : Placement.values()) {
                for (MaskStorage storage : MaskStorage.values()) {
                    cases.add(Arguments.of(network, placement, storage));
                }
            }
        }
        return cases;
    }

    /** A hidden layer of the network's kind, optionally with .dropOut(...). */
    private static Layer hidden(Network network, int nOut, MaskDropout dropout) {
        Layer.Builder<?> b = network == Network.DENSE ? new DenseLayer.Builder().nOut(nOut)
                : network == Network.CNN_SPATIAL ? new ConvolutionLayer.Builder(2, 2).nOut(nOut)
                : new LSTM.Builder().nOut(nOut);
        ((BaseLayer.Builder<?>) b).activation(Activation.TANH);
        if (dropout != null) {
            b.dropOut(dropout);
        }
        return b.build();
    }

    /**
     * Dense: element-wise masks. CNN: a spatial Bernoulli mask. LSTM: a time-locked Bernoulli mask (NCW, as both
     * .dropOut(...) on an LSTM and a layer in an NCW network see it). Gaussian masks element-wise everywhere.
     */
    static MultiLayerConfiguration workspaceConfiguration(Network network, Placement placement, MaskStorage storage,
            WorkspaceMode mode) {
        MaskDropout bernoulli = MaskDropout.bernoulli(0.7).storage(storage);
        if (network == Network.CNN_SPATIAL) {
            bernoulli = bernoulli.spatial(CNN2DFormat.NCHW);
        } else if (network == Network.LSTM_TIME_LOCKED) {
            bernoulli = bernoulli.timeLocked(RNNFormat.NCW);
        }
        MaskDropout gaussian = MaskDropout.gaussian(0.8).storage(storage);
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(77)
                .dataType(DataType.FLOAT).updater(new Adam(0.05)).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                .layer(hidden(network, 4, null));
        boolean asLayer = placement == Placement.MASK_DROPOUT_LAYER;
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(bernoulli).build())
                    .layer(hidden(network, 3, null))
                    .layer(new MaskDropoutLayer.Builder(gaussian).build());
        } else {
            b.layer(hidden(network, 3, bernoulli));
        }
        BaseOutputLayer.Builder<?> out = network == Network.LSTM_TIME_LOCKED
                ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3);
        out.activation(Activation.SOFTMAX);
        if (!asLayer) {
            out.dropOut(gaussian);
        }
        return b.layer(out.build()).setInputType(network == Network.DENSE ? InputType.feedForward(4)
                : network == Network.CNN_SPATIAL ? InputType.convolutional(5, 5, 2, CNN2DFormat.NCHW)
                : InputType.recurrent(3, 5, RNNFormat.NCW)).build();
    }

    /** Parameters after training, then the inference output, concatenated. */
    private static INDArray trainAndInfer(MultiLayerConfiguration conf, DataSet data, WorkspaceMode mode) {
        assertEquals(mode, conf.getTrainingWorkspaceMode(), "training workspace mode");
        assertEquals(mode, conf.getInferenceWorkspaceMode(), "inference workspace mode");
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < TRAINING_STEPS; i++) {
            net.fit(data);
        }
        INDArray output = net.output(data.getFeatures());
        return Nd4j.concat(0, net.params().reshape(-1), output.reshape(-1));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("workspaceCases")
    @SuppressWarnings("deprecation") // ProfilingMode.SCOPE_PANIC: ND4J's own workspace check, as DL4J's tests use it
    void workspaceModeDoesNotChangeTraining(Network network, Placement placement, MaskStorage storage) {
        DataSet data = data(network);
        INDArray none = trainAndInfer(workspaceConfiguration(network, placement, storage, WorkspaceMode.NONE), data,
                WorkspaceMode.NONE);
        INDArray enabled;
        OpExecutioner executioner = Nd4j.getExecutioner();
        executioner.setProfilingMode(OpExecutioner.ProfilingMode.SCOPE_PANIC);
        try {
            enabled = trainAndInfer(workspaceConfiguration(network, placement, storage, WorkspaceMode.ENABLED),
                    data, WorkspaceMode.ENABLED);
        } finally {
            executioner.setProfilingMode(OpExecutioner.ProfilingMode.DISABLED);
        }
        assertBitwiseEqual(none, enabled, "parameters and inference output, WorkspaceMode.NONE vs ENABLED"
                + " (ENABLED run with SCOPE_PANIC: no array used outside its workspace)");
    }
}

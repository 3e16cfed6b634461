package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Bits;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * DropBlock (Ghiasi et al. 2018) as the spec says: whole blocks dropped, kept units scaled by count / count_kept,
 * backward {@code dx = dy * m} with the same mask bit for bit, the kept fraction the formula predicts, and a mask that
 * depends on the seed and the logical (example, channel, row, column) only.
 */
class DropBlockTest {

    private static final long SEED = 42;

    private static long[] shape(CNN2DFormat format, long n, long c, long h, long w) {
        return format == CNN2DFormat.NCHW ? new long[] {n, c, h, w} : new long[] {n, h, w, c};
    }

    private static int channelAxis(CNN2DFormat format) {
        return format == CNN2DFormat.NCHW ? 1 : 3;
    }

    /** The mask in [n][c][h][w] order, whatever the layout it was made for. */
    private static double[][][][] canonical(INDArray mask, CNN2DFormat format) {
        INDArray m = (format == CNN2DFormat.NCHW ? mask : mask.permute(0, 3, 1, 2)).castTo(DataType.DOUBLE);
        long[] s = m.shape();
        double[][][][] v = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int h = 0; h < s[2]; h++) {
                    for (int w = 0; w < s[3]; w++) {
                        v[n][c][h][w] = m.getDouble(n, c, h, w);
                    }
                }
            }
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The defining identity.

    static List<Arguments> exactCases() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskStorage storage : MaskStorage.values()) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                for (char order : new char[] {'c', 'f'}) {
                    for (boolean inPlace : new boolean[] {false, true}) {
                        for (CNN2DFormat format : CNN2DFormat.values()) {
                            for (boolean sharedChannels : new boolean[] {false, true}) {
                                for (BlockNormalization norm : BlockNormalization.values()) {
                                    cases.add(Arguments.of(storage, type, order, inPlace, format, sharedChannels,
                                            norm));
                                }
                            }
                        }
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} order={2} inPlace={3} {4} sharedChannels={5} {6}")
    @MethodSource("exactCases")
    void backwardIsGradientTimesMaskBitForBit(MaskStorage storage, DataType type, char order, boolean inPlace,
            CNN2DFormat format, boolean sharedChannels, BlockNormalization norm) {
        MaskDropout dropout = MaskDropout.dropBlock(0.7, 3, format).blockNormalization(norm).storage(storage);
        if (sharedChannels) {
            dropout = dropout.sharedAxes(channelAxis(format));
        }
        long[] shape = shape(format, 3, 4, 9, 8);
        INDArray x = Passes.randomNonZero(type, 1, order, shape);
        INDArray dy = Passes.randomNonZero(type, 2, order, shape);
        INDArray xCopy = x.dup();
        INDArray dyCopy = dy.dup();

        INDArray out = inPlace ? x : Nd4j.createUninitialized(type, shape, order);
        INDArray y = Passes.forward(dropout, SEED, x, out);
        assertSame(out, y, "forward returns its output array");
        INDArray dx = dropout.backprop(dy, inPlace ? dy : dy.ulike(), 0, 0);

        INDArray m = Passes.materializeMask(dropout, SEED, shape, type);
        assertBitwiseEqual(xCopy.mul(m), y, "forward y = x * m");
        assertBitwiseEqual(dyCopy.mul(m), dx, "backward dx = dy * m");

        long zerosInMask = m.eq(0.0).castTo(DataType.INT).sumNumber().longValue();
        long zerosInGrad = dx.eq(0.0).castTo(DataType.INT).sumNumber().longValue();
        assertEquals(zerosInMask, zerosInGrad, "a unit gets exactly zero gradient if and only if it was dropped");
        assertTrue(zerosInMask > 0 && zerosInMask < m.length(), "keep 0.7 drops some units and keeps others");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Blocks.

    static List<Arguments> blockCases() {
        List<Arguments> cases = new ArrayList<>();
        for (int size : new int[] {1, 2, 3, 4, 5, 7}) {
            for (CNN2DFormat format : CNN2DFormat.values()) {
                cases.add(Arguments.of(size, format));
            }
        }
        return cases;
    }

    /**
     * Every dropped unit lies in a {@code b x b} square that lies wholly inside the map and is dropped entirely: the
     * dropped units are a union of whole blocks. With b = 1 this holds for any pattern; with b > 1 a unit dropped on
     * its own, or a block cut by the border, fails it.
     */
    @ParameterizedTest(name = "block {0} {1}")
    @MethodSource("blockCases")
    void everyDroppedUnitLiesInAWholeDroppedBlock(int size, CNN2DFormat format) {
        int n = 4;
        int c = 3;
        int height = 11;
        int width = 13;
        MaskDropout dropout = MaskDropout.dropBlock(0.6, size, format);
        double[][][][] m = canonical(Passes.materializeMask(dropout, SEED, shape(format, n, c, height, width),
                DataType.FLOAT), format);
        long dropped = 0;
        for (int e = 0; e < n; e++) {
            for (int ch = 0; ch < c; ch++) {
                for (int h = 0; h < height; h++) {
                    for (int w = 0; w < width; w++) {
                        if (m[e][ch][h][w] == 0) {
                            dropped++;
                            assertTrue(inWholeDroppedBlock(m[e][ch], h, w, size), "unit (" + e + ", " + ch + ", "
                                    + h + ", " + w + ") is dropped but lies in no dropped " + size + "x" + size
                                    + " square inside the map");
                        }
                    }
                }
            }
        }
        long units = (long) n * c * height * width;
        assertTrue(dropped > 0 && dropped < units, "keep 0.6 drops some units and keeps others: " + dropped);
    }

    private static boolean inWholeDroppedBlock(double[][] map, int h, int w, int size) {
        for (int top = Math.max(0, h - size + 1); top <= Math.min(h, map.length - size); top++) {
            for (int left = Math.max(0, w - size + 1); left <= Math.min(w, map[0].length - size); left++) {
                if (allDropped(map, top, left, size)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean allDropped(double[][] map, int top, int left, int size) {
        for (int i = top; i < top + size; i++) {
            for (int j = left; j < left + size; j++) {
                if (map[i][j] != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Scale.

    /**
     * Every kept unit of a group (the batch, or one example) carries the same value, count / count_kept of that
     * group rounded once to the data type, so the mask's mean over the group is 1 up to that one rounding.
     */
    @ParameterizedTest
    @EnumSource(BlockNormalization.class)
    void keptUnitsAreScaledByCountOverKeptCount(BlockNormalization norm) {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            long[] shape = {5, 3, 10, 9};
            INDArray m = Passes.materializeMask(MaskDropout.dropBlock(0.8, 3, CNN2DFormat.NCHW)
                    .blockNormalization(norm), SEED, shape, type);
            int groups = norm == BlockNormalization.BATCH ? 1 : 5;
            INDArray grouped = m.reshape(groups, m.length() / groups);
            for (int g = 0; g < groups; g++) {
                INDArray group = grouped.getRow(g);
                long kept = group.neq(0.0).castTo(DataType.INT).sumNumber().longValue();
                assertTrue(kept > 0 && kept < group.length(), "group " + g + " keeps some units and drops others");
                double expected = Nd4j.scalar(type, (double) group.length() / kept).getDouble(0);
                INDArray keptValues = group.castTo(DataType.DOUBLE);
                for (long i = 0; i < group.length(); i++) {
                    double v = keptValues.getDouble(i);
                    assertTrue(v == 0.0 || v == expected, type + " group " + g + ": element " + i + " is " + v
                            + ", expected 0 or count / count_kept = " + group.length() + " / " + kept + " = "
                            + expected);
                }
                double mean = kept * expected / group.length();
                assertEquals(1.0, mean, type == DataType.HALF ? 1e-3 : 1e-6, type + " group " + g + ": mean of m");
            }
        }
    }

    /**
     * With one factor per example, an example's output depends on its own mask only: the same alone as in a batch of
     * 6. Over the batch, the factor depends on what the other examples lost.
     */
    @Test
    void perExampleNormalizationMakesAnExamplesOutputIndependentOfItsBatch() {
        INDArray batch = Passes.randomNonZero(DataType.FLOAT, 5, 'c', 6, 3, 12, 12);
        INDArray first = batch.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()).dup();
        MaskDropout perExample = MaskDropout.dropBlock(0.8, 3, CNN2DFormat.NCHW)
                .blockNormalization(BlockNormalization.EXAMPLE);
        INDArray inBatch = Passes.forward(perExample, SEED, batch.dup()).get(NDArrayIndex.interval(0, 1),
                NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        assertBitwiseEqual(Passes.forward(perExample.clone(), SEED, first.dup()), inBatch.dup(),
                "example 0 alone and in a batch of 6 (EXAMPLE)");

        MaskDropout overBatch = MaskDropout.dropBlock(0.8, 3, CNN2DFormat.NCHW);
        INDArray wholeBatch = Passes.forward(overBatch, SEED, batch.dup());
        INDArray batchScaled = wholeBatch.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()).dup();
        INDArray aloneScaled = Passes.forward(overBatch.clone(), SEED, first.dup());
        assertArrayEquals(Bits.rawBits(aloneScaled.eq(0.0).castTo(DataType.FLOAT)),
                Bits.rawBits(batchScaled.eq(0.0).castTo(DataType.FLOAT)), "the same units of example 0 dropped");
        // BATCH: example 0's kept units are scaled by count / count_kept of the whole batch (the input has no zeros,
        // so the output's zeros are the dropped units), rounded once to FLOAT, whatever example 0 alone would give.
        long count = wholeBatch.length();
        long dropped = wholeBatch.eq(0.0).castTo(DataType.INT64).sumNumber().longValue();
        float batchScale = (float) ((double) count / (count - dropped));
        INDArray kept = batchScaled.neq(0.0).castTo(DataType.FLOAT);
        assertBitwiseEqual(first.mul(kept.muli(batchScale)), batchScaled,
                "over the batch, example 0's kept units are scaled by the batch's count (BATCH)");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Statistics.

    /** Positions of a b x b block covering index i of a map of side n: min(i, n - b) - max(0, i - b + 1) + 1. */
    private static int covering(int i, int n, int b) {
        return Math.min(i, n - b) - Math.max(0, i - b + 1) + 1;
    }

    /** The expected kept fraction of a map: the mean over units of (1 - gamma)^(blocks covering the unit). */
    static double expectedKeptFraction(double keep, int b, int height, int width) {
        double gamma = (1 - keep) / (b * b) * (height * width) / ((height - b + 1.0) * (width - b + 1.0));
        double sum = 0;
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                sum += Math.pow(1 - gamma, covering(h, height, b) * covering(w, width, b));
            }
        }
        return sum / (height * width);
    }

    /**
     * The kept fraction is the one the paper's gamma gives, E = mean over units of (1 - gamma)^k(unit), k the number
     * of block positions covering the unit: slightly above keep_prob, because blocks overlap (by Bernoulli's
     * inequality E >= 1 - gamma * mean(k) = keep_prob exactly). Bound: the M = 2048 maps are independent, and one
     * map's kept fraction f has, by the Efron-Stein inequality (one seed changes f by at most b^2 / (H W)), a variance
     * v <= (H - b + 1)(W - b + 1) gamma (1 - gamma) (b^2 / (H W))^2. Bernstein's inequality for the mean of M values in
     * [0, 1] then bounds |F - E| by t with M t^2 = ln(2 / delta) (2 v + 2 t / 3); delta = 1e-6 gives t = 0.011 here.
     * A gamma without the paper's (H W) / ((H - b + 1)(W - b + 1)) correction would keep about 0.02 more.
     */
    @Test
    void keptFractionIsTheOneTheFormulaPredicts() {
        double keep = 0.9;
        int b = 7;
        int n = 32;
        int c = 64;
        int side = 32;
        INDArray m = Passes.materializeMask(MaskDropout.dropBlock(keep, b, CNN2DFormat.NCHW), SEED,
                new long[] {n, c, side, side}, DataType.FLOAT);
        double observed = m.neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();

        double expected = expectedKeptFraction(keep, b, side, side);
        double gamma = (1 - keep) / (b * b) * (side * side) / Math.pow(side - b + 1.0, 2);
        double v = Math.pow(side - b + 1.0, 2) * gamma * (1 - gamma) * Math.pow((double) b * b / (side * side), 2);
        int maps = n * c;
        double log = Math.log(2 / 1e-6);
        // M t^2 - (2/3) log t - 2 v log = 0
        double t = ((2.0 / 3) * log + Math.sqrt(Math.pow((2.0 / 3) * log, 2) + 8 * maps * v * log)) / (2 * maps);
        assertTrue(t < 0.012, "the bound is tight enough to tell the formula from its uncorrected form: " + t);
        assertTrue(expected >= keep, "overlapping blocks keep at least keep_prob: " + expected);
        double uncorrected = expectedKeptFractionWithGamma((1 - keep) / (b * b), b, side, side);
        assertTrue(uncorrected - expected > 2 * t, "the uncorrected gamma would be told apart: " + uncorrected);
        assertEquals(expected, observed, t, "kept fraction of " + maps + " maps of " + side + "x" + side
                + ", block " + b + ", keep " + keep + " (expected " + expected + ")");
    }

    private static double expectedKeptFractionWithGamma(double gamma, int b, int height, int width) {
        double sum = 0;
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                sum += Math.pow(1 - gamma, covering(h, height, b) * covering(w, width, b));
            }
        }
        return sum / (height * width);
    }

    /**
     * Seeds lie only where a whole block fits, so a corner unit is covered by one block position and a central unit
     * by b^2: kept with probability 1 - gamma and (1 - gamma)^(b^2). Each position's kept indicator is independent
     * across the M = 2048 maps, so Hoeffding's inequality bounds each frequency by sqrt(ln(2 / 1e-6) / (2 M)) = 0.059
     * at failure probability 1e-6 per position.
     */
    @Test
    void cornersAreKeptMoreOftenThanCentresAsTheValidSeedPositionsPredict() {
        double keep = 0.9;
        int b = 7;
        int side = 32;
        INDArray m = Passes.materializeMask(MaskDropout.dropBlock(keep, b, CNN2DFormat.NCHW), SEED + 1,
                new long[] {32, 64, side, side}, DataType.FLOAT);
        INDArray keptByPosition = m.neq(0.0).castTo(DataType.DOUBLE).mean(0, 1);
        double gamma = (1 - keep) / (b * b) * (side * side) / Math.pow(side - b + 1.0, 2);
        double tolerance = Math.sqrt(Math.log(2 / 1e-6) / (2 * 2048));
        for (int[] corner : new int[][] {{0, 0}, {0, side - 1}, {side - 1, 0}, {side - 1, side - 1}}) {
            assertEquals(1 - gamma, keptByPosition.getDouble(corner[0], corner[1]), tolerance,
                    "corner " + Arrays.toString(corner));
        }
        assertEquals(Math.pow(1 - gamma, b * b), keptByPosition.getDouble(side / 2, side / 2), tolerance, "centre");
        assertEquals(Math.pow(1 - gamma, b), keptByPosition.getDouble(0, side / 2), tolerance, "middle of an edge");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Channels.

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void eachChannelHasItsOwnBlocksUnlessTheChannelAxisIsShared(CNN2DFormat format) {
        long[] shape = shape(format, 3, 4, 10, 10);
        double[][][][] own = canonical(Passes.materializeMask(MaskDropout.dropBlock(0.7, 3, format), SEED, shape,
                DataType.FLOAT), format);
        assertFalse(Arrays.deepEquals(own[0][0], own[0][1]) && Arrays.deepEquals(own[0][1], own[0][2]),
                "channels of an example have their own block patterns by default");

        double[][][][] shared = canonical(Passes.materializeMask(MaskDropout.dropBlock(0.7, 3, format)
                .sharedAxes(channelAxis(format)), SEED, shape, DataType.FLOAT), format);
        for (int e = 0; e < 3; e++) {
            for (int ch = 1; ch < 4; ch++) {
                assertTrue(Arrays.deepEquals(shared[e][0], shared[e][ch]), "example " + e + ", channel " + ch
                        + ": one pattern for every channel with sharedAxes(" + channelAxis(format) + ")");
            }
        }
        assertFalse(Arrays.deepEquals(shared[0][0], shared[1][0]), "examples still differ");

        double[][][][] sameForAll = canonical(Passes.materializeMask(MaskDropout.dropBlock(0.7, 3, format)
                .sharedAxes(0), SEED, shape, DataType.FLOAT), format);
        for (int e = 1; e < 3; e++) {
            assertTrue(Arrays.deepEquals(sameForAll[0], sameForAll[e]), "example " + e + " with sharedAxes(0)");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reproducibility.

    /** The same images in NCHW and NHWC get the same mask, position by position, and so the same output. */
    @Test
    void sameMaskForTheSameImagesInNchwAndNhwc() {
        INDArray nchw = Passes.randomNonZero(DataType.FLOAT, 3, 'c', 4, 3, 9, 11);
        INDArray nhwc = nchw.permute(0, 2, 3, 1).dup('c');
        for (boolean sharedChannels : new boolean[] {false, true}) {
            MaskDropout first = MaskDropout.dropBlock(0.7, 3, CNN2DFormat.NCHW);
            MaskDropout last = MaskDropout.dropBlock(0.7, 3, CNN2DFormat.NHWC);
            if (sharedChannels) {
                first = first.sharedAxes(1);
                last = last.sharedAxes(3);
            }
            INDArray fromNchw = Passes.forward(first, SEED, nchw.dup());
            INDArray fromNhwc = Passes.forward(last, SEED, nhwc.dup());
            assertBitwiseEqual(fromNchw, fromNhwc.permute(0, 3, 1, 2), "NHWC output seen as NCHW, shared channels "
                    + sharedChannels);
        }
    }

    /** The 0/1 pattern is drawn in FLOAT whatever the data type: FLOAT, DOUBLE and HALF data lose the same units. */
    @Test
    void samePatternForEveryDataType() {
        long[] shape = {4, 3, 9, 11};
        MaskDropout d = MaskDropout.dropBlock(0.7, 3, CNN2DFormat.NCHW);
        INDArray pattern = Passes.materializeMask(d, SEED, shape, DataType.FLOAT).eq(0.0).castTo(DataType.FLOAT);
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.HALF}) {
            INDArray other = Passes.materializeMask(d, SEED, shape, type).eq(0.0).castTo(DataType.FLOAT);
            assertBitwiseEqual(pattern, other, type + " drops the units FLOAT drops");
        }
    }

    /** Masks of views (a strided view of a larger array) are the masks of the same values in a c-order array. */
    @Test
    void viewsGetTheMaskOfTheirLogicalPositions() {
        INDArray big = Passes.randomNonZero(DataType.FLOAT, 4, 'c', 4, 3, 9, 22);
        INDArray view = big.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 2, 22));
        MaskDropout d = MaskDropout.dropBlock(0.7, 3, CNN2DFormat.NCHW);
        INDArray expected = Passes.forward(d, SEED, view.dup('c'));
        INDArray actual = Passes.forward(d.clone(), SEED, view, view.ulike());
        assertBitwiseEqual(expected, actual, "output for a strided view");
    }

    /** 4 x 32 x 64 x 64 = 2^19 units: ND4J splits the fills, poolings and products of this size across threads. */
    @Test
    void sameMaskWithOneAndTwoThreads() {
        assumeTrue(Nd4j.getEnvironment().maxThreads() >= 2, "ND4J has at least 2 threads to use");
        INDArray ones = Nd4j.ones(DataType.FLOAT, 4, 32, 64, 64);
        int threadsBefore = Nd4j.getEnvironment().maxThreads();
        int masterThreadsBefore = Nd4j.getEnvironment().maxMasterThreads();
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int nativeThreadsBefore = nativeOps.ompGetMaxThreads();
        try {
            ReproducibilityTest.useThreads(1);
            INDArray oneThread = Passes.forward(MaskDropout.dropBlock(0.9, 7, CNN2DFormat.NCHW), SEED, ones,
                    ones.ulike());
            ReproducibilityTest.useThreads(2);
            MaskDropout twoThreadDropout = MaskDropout.dropBlock(0.9, 7, CNN2DFormat.NCHW);
            INDArray twoThreads = Passes.forward(twoThreadDropout, SEED, ones, ones.ulike());
            assertBitwiseEqual(oneThread, twoThreads, "the mask (input of ones) with 1 and with 2 threads");
            ReproducibilityTest.useThreads(1);
            INDArray dx = twoThreadDropout.backprop(ones.dup(), ones.ulike(), 0, 0);
            assertBitwiseEqual(twoThreads, dx, "backward of ones on 1 thread after forward on 2");
        } finally {
            Nd4j.getEnvironment().setMaxThreads(threadsBefore);
            Nd4j.getEnvironment().setMaxMasterThreads(masterThreadsBefore);
            nativeOps.setOmpNumThreads(nativeThreadsBefore);
        }
    }

    static MultiLayerConfiguration cnn(CNN2DFormat format, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).updater(new Adam(0.05))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).dataFormat(format)
                        .build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.dropBlock(0.8, 3, format)).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).dataFormat(format)
                        .dropOut(MaskDropout.dropBlock(0.8, 2, format).storage(MaskStorage.STORED)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(10, 9, 2, format)).build();
    }

    /** A network's {@code .seed(...)} reproduces training with DropBlock bit for bit, in both formats. */
    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void networkSeedReproducesTraining(CNN2DFormat format) {
        INDArray features = Passes.randomNonZero(DataType.FLOAT, 6, 'c', shape(format, 5, 2, 10, 9));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 5, 2);
        for (int i = 0; i < 5; i++) {
            labels.putScalar(i, i % 2, 1.0);
        }
        DataSet data = new DataSet(features, labels);
        INDArray[] params = new INDArray[2];
        for (int run = 0; run < 2; run++) {
            MultiLayerNetwork net = new MultiLayerNetwork(cnn(format, 3));
            net.init();
            for (int step = 0; step < 3; step++) {
                net.fit(data);
            }
            params[run] = net.params().dup();
        }
        assertBitwiseEqual(params[0], params[1], "parameters after 3 steps from the same seed");
        MultiLayerNetwork net = new MultiLayerNetwork(cnn(format, 3));
        net.init();
        Nd4j.getRandom().setSeed(SEED);
        INDArray train = net.output(features, true);
        assertFalse(Arrays.equals(Bits.rawBits(train), Bits.rawBits(net.output(features, false))),
                "DropBlock acts in training: the check above is not vacuous");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Costs.

    /** keep = 1 is no dropout: the input goes on unchanged and no seed is drawn. */
    @Test
    void keepOneIsTheIdentityAndDrawsNothing() {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', 2, 3, 8, 8);
        Nd4j.getRandom().setSeed(SEED);
        long expected = Nd4j.getRandom().nextLong();
        MaskDropout d = MaskDropout.dropBlock(1.0, 3, CNN2DFormat.NCHW);
        INDArray y = Passes.forward(d, SEED, x.dup());
        assertBitwiseEqual(x, y, "output");
        assertEquals(expected, Nd4j.getRandom().nextLong(), "the generator's next value: nothing was drawn");
        assertBitwiseEqual(x, d.backprop(x.dup(), null, 0, 0), "backward");
    }

    /** RECOMPUTE keeps no mask between the passes (only the seed and the scale); STORED keeps one per element. */
    @Test
    void recomputeKeepsNoMaskAndStoredKeepsOne() {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', 2, 3, 8, 8);
        MaskDropout recompute = MaskDropout.dropBlock(0.8, 3, CNN2DFormat.NCHW);
        Passes.forward(recompute, SEED, x.dup());
        assertEquals(0, recompute.keptMaskBytes(), "RECOMPUTE");
        MaskDropout stored = recompute.storage(MaskStorage.STORED);
        Passes.forward(stored, SEED, x.dup());
        assertEquals(x.length() * 4, stored.keptMaskBytes(), "STORED: one FLOAT per element");
        MaskDropout storedShared = stored.sharedAxes(1);
        Passes.forward(storedShared, SEED, x.dup());
        assertEquals(x.length() / 3 * 4, storedShared.keptMaskBytes(), "STORED, shared over the 3 channels");
    }

    /** The keep probability follows its schedule: 1 (no dropout) at iteration 0, 0.5 from iteration 1. */
    @Test
    void keepProbabilityFollowsItsSchedule() {
        MaskDropout d = MaskDropout.dropBlock(new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 1.0)
                .add(1, 0.5).build(), 3, CNN2DFormat.NCHW);
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', 2, 3, 8, 8);
        Nd4j.getRandom().setSeed(SEED);
        INDArray first = d.applyDropout(x.dup(), x.ulike(), 0, 0,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        assertBitwiseEqual(x, first, "iteration 0: keep 1");
        d.clear();
        INDArray second = d.applyDropout(x.dup(), x.ulike(), 1, 0,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        long dropped = second.eq(0.0).castTo(DataType.INT).sumNumber().longValue();
        assertTrue(dropped > 0, "iteration 1: keep 0.5 drops units");
        assertEquals(0.5, d.retainProbability(1, 0));
    }
}

package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Additive Gaussian noise: {@code y = x + n} with the noise of the pass materialized independently, {@code dx = dy}
 * bit for bit, the noise's moments, and the identity at inference.
 */
class GaussianNoiseTest {

    private static final long[] SHAPE = {3, 4, 5, 6};
    private static final long SEED = 43;
    /** Bounds of the statistical tests, in standard errors. */
    private static final double SIGMAS = 6.0;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskStorage storage : MaskStorage.values()) {
            for (int[] axes : new int[][] {{}, {2, 3}}) {
                for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                    for (char order : new char[] {'c', 'f'}) {
                        for (boolean inPlace : new boolean[] {false, true}) {
                            cases.add(Arguments.of(storage, axes, type, order, inPlace));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /** The noise of a pass with this seed: a fresh clone applied to zeros (0 + n = n). */
    static INDArray noise(MaskDropout d, long seed, DataType type) {
        INDArray zeros = Nd4j.zeros(type, SHAPE);
        return Passes.forward(d.clone(), seed, zeros, zeros.ulike());
    }

    @ParameterizedTest(name = "{0} sharedAxes={1} {2} order={3} inPlace={4}")
    @MethodSource("cases")
    void forwardAddsTheMaterializedNoiseAndBackwardPassesTheGradientBitForBit(MaskStorage storage, int[] axes,
            DataType type, char order, boolean inPlace) {
        MaskDropout d = MaskDropout.gaussianNoise(0.3).storage(storage).sharedAxes(axes);
        INDArray x = Passes.randomNonZero(type, 1, order, SHAPE);
        INDArray dy = Passes.randomNonZero(type, 2, order, SHAPE);
        INDArray xCopy = x.dup();
        INDArray dyCopy = dy.dup();

        INDArray out = inPlace ? x : Nd4j.createUninitialized(type, SHAPE, order);
        INDArray y = Passes.forward(d, SEED, x, out);
        assertSame(out, y, "forward returns its output array");
        INDArray gradientArray = inPlace ? dy : dy.ulike();
        INDArray dx = d.backprop(dy, gradientArray, 0, 0);
        assertSame(gradientArray, dx, "backward writes and returns the array it was given");

        INDArray n = noise(d, SEED, type);
        assertBitwiseEqual(xCopy.add(n), y, "forward y = x + n");
        assertBitwiseEqual(dyCopy, dx, "backward dx = dy");
        assertEquals(0, d.keptMaskBytes(), "nothing is kept between forward and backward");
        if (axes.length > 0) {
            assertEquals(n.max(2, 3), n.min(2, 3), "one noise value per (example, channel)");
        }
    }

    /**
     * 2^21 draws: the sample mean of N(0, sigma^2) has standard error sigma / sqrt(n), the sample variance
     * sigma^2 sqrt(2 / (n - 1)); bounds {@value #SIGMAS} of those.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.05, 1.0, 3.0})
    void noiseHasMeanZeroAndVarianceSigmaSquared(double sigma) {
        int n = 1 << 21;
        INDArray x = Nd4j.valueArrayOf(new long[] {n}, 2.5, DataType.DOUBLE);
        INDArray noise = Passes.forward(MaskDropout.gaussianNoise(sigma), 44, x).subi(2.5);
        assertEquals(0.0, noise.meanNumber().doubleValue(), SIGMAS * sigma / Math.sqrt(n), "mean");
        assertEquals(sigma * sigma, noise.varNumber().doubleValue(),
                SIGMAS * sigma * sigma * Math.sqrt(2.0 / (n - 1)), "variance");
        // Gaussian tails: |n| > 3 sigma with probability 0.0027; a binomial bound of six standard errors.
        double tail = Transforms.abs(noise.div(sigma)).gt(3.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(0.0027, tail, SIGMAS * Math.sqrt(0.0027 * (1 - 0.0027) / n), "fraction beyond 3 sigma");
    }

    @Test
    void sigmaZeroIsTheIdentityAndDrawsNothing() {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', SHAPE);
        Nd4j.getRandom().setSeed(SEED);
        long next = Nd4j.getRandom().nextLong();
        Nd4j.getRandom().setSeed(SEED);
        MaskDropout d = MaskDropout.gaussianNoise(0.0);
        INDArray y = d.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        assertBitwiseEqual(x, y, "sigma = 0 adds nothing");
        assertEquals(next, Nd4j.getRandom().nextLong(), "and takes no seed from the generator");
    }

    @Test
    void scheduleGivesTheSigmaOfEachEpoch() {
        MaskDropout d = MaskDropout.gaussianNoise(new MapSchedule.Builder(ScheduleType.EPOCH).add(0, 0.5)
                .add(2, 0.1).build());
        int n = 1 << 20;
        INDArray x = Nd4j.zeros(DataType.DOUBLE, n);
        for (int epoch : new int[] {0, 3}) {
            double sigma = epoch == 0 ? 0.5 : 0.1;
            assertEquals(sigma, d.noiseSigma(0, epoch));
            Nd4j.getRandom().setSeed(45);
            INDArray y = d.applyDropout(x, x.ulike(), 0, epoch, LayerWorkspaceMgr.noWorkspaces());
            d.backprop(x, null, 0, epoch);
            assertEquals(sigma * sigma, y.varNumber().doubleValue(), SIGMAS * sigma * sigma * Math.sqrt(2.0 / n),
                    "variance at epoch " + epoch);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY})
    void rejectsSigmaThatIsNaNNegativeOrInfinite(double sigma) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.gaussianNoise(sigma));
        assertTrue(e.getMessage().contains("sigma (" + sigma + ")") && e.getMessage().contains("finite and >= 0")
                && e.getMessage().contains("MaskDropout.gaussianNoise(sigma)")
                && e.getMessage().contains("GaussianNoise(stddev)"), e.getMessage());
    }

    @Test
    void rejectsAScheduleValueOutsideTheRangeAtTheFirstPassThatGivesIt() {
        MaskDropout d = MaskDropout.gaussianNoise(new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.1)
                .add(5, -0.2).build());
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 3);
        d.applyDropout(x, x.ulike(), 4, 0, LayerWorkspaceMgr.noWorkspaces());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, x.ulike(), 5, 0, LayerWorkspaceMgr.noWorkspaces()));
        assertTrue(e.getMessage().contains("sigma = -0.2") && e.getMessage().contains("iteration 5"),
                e.getMessage());
    }

    @Test
    void rejectsNoiseTheDataTypeCannotHold() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Passes.forward(MaskDropout.gaussianNoise(1e4), 1, Nd4j.ones(DataType.HALF, 4, 4)));
        assertTrue(e.getMessage().contains("HALF") && e.getMessage().contains("sigma <= 8188"), e.getMessage());
    }

    @Test
    void noiseHasNoRetainProbabilityAndMasksHaveNoSigma() {
        MaskDropout noise = MaskDropout.gaussianNoise(0.2);
        assertEquals(MaskKind.GAUSSIAN_NOISE, noise.getKind());
        assertTrue(Double.isNaN(noise.getP()) && noise.getPSchedule() == null);
        assertEquals(1.0, noise.retainProbability(3, 1), "noise drops no unit");
        assertEquals(0.2, noise.getSigma());
        assertTrue(Double.isNaN(MaskDropout.bernoulli(0.5).getSigma()));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MaskDropout.bernoulli(0.5).noiseSigma(0, 0));
        assertTrue(e.getMessage().contains("retainProbability"), e.getMessage());
        assertNotEquals(MaskDropout.gaussianNoise(0.2), MaskDropout.gaussianNoise(0.3));
        assertEquals(MaskDropout.gaussianNoise(0.2).hashCode(), MaskDropout.gaussianNoise(0.2).hashCode());
    }

    @Test
    void rejectsVanillaScaling() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskDropoutLayer.Builder(MaskDropout.gaussianNoise(0.1)).scaling(Scaling.VANILLA).build());
        assertTrue(e.getMessage().contains("VANILLA") && e.getMessage().contains("GAUSSIAN_NOISE"), e.getMessage());
    }

    @Test
    void inferenceIsTheIdentityAsDotDropOutAndAsALayer() {
        MultiLayerConfiguration plain = configuration(null, false);
        MultiLayerConfiguration noisy = configuration(MaskDropout.gaussianNoise(0.5), true);
        MultiLayerNetwork a = new MultiLayerNetwork(plain);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(noisy);
        b.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
        assertBitwiseEqual(a.output(x), b.output(x), "inference output with and without noise");
        assertFalse(a.output(x).equals(b.output(x, true)), "training output differs");
        INDArray before = b.params().dup();
        b.fit(x, Nd4j.rand(DataType.FLOAT, 6, 2));
        assertTrue(Double.isFinite(b.score()) && !before.equals(b.params()), "it trains");
    }

    private static MultiLayerConfiguration configuration(MaskDropout noise, boolean layer) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(9)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build());
        if (layer) {
            b.layer(new MaskDropoutLayer.Builder(noise.clone()).build());
        }
        return b.layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).dropOut(noise).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(4)).build();
    }
}

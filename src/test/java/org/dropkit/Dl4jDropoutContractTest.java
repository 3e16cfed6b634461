package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.testsupport.SavedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The contract DL4J's own dropout tests hold its {@code IDropout} classes to ({@code TestDropout} in
 * deeplearning4j-core 1.0.0-M2.1), held against Dropkit's replacements: {@code MaskDropout.bernoulli} for
 * {@code Dropout}, {@code gaussianOfDropRate} for {@code GaussianDropout}, {@code gaussianNoise} for
 * {@code GaussianNoise}, {@code alpha} for {@code AlphaDropout} (its {@code a(p)} and {@code b(p)} included), and
 * shared axes for {@code SpatialDropout} on 3, 4 and 5 dimensions; each called as DL4J's tests call them
 * ({@code applyDropout(in, Nd4j.create(in.shape()), iteration, 0, noWorkspacesImmutable())}). The rest of
 * that suite is checked elsewhere: the (iteration, epoch) every fit step hands the dropout in
 * {@code ScheduleDuringFitTest}, and DL4J's gradient checks of these kinds in the {@code gradientcheck} package.
 *
 * <p>The counts are draws, from a fixed seed here; each bound is DL4J's, and the probability that a draw from any
 * seed misses it is stated where it is checked.
 */
class Dl4jDropoutContractTest {

    private static final long SEED = 12345;
    private static final double SELU_ALPHA = 1.6732632423543772;
    private static final double SELU_LAMBDA = 1.0507009873554804;

    /** p = 0.5 for iterations 0 to 4, then 0.1: DL4J's schedule for the value tests. */
    private static ISchedule halfThenTenth() {
        return new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.5).add(5, 0.1).build();
    }

    private static INDArray training(IDropout dropout, INDArray in, int iteration) {
        return dropout.applyDropout(in, Nd4j.create(in.shape()), iteration, 0,
                LayerWorkspaceMgr.noWorkspacesImmutable());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Configuration and serialization

    @Test
    void globalDropoutIsEveryLayersAndALayersOwnOverridesIt() {
        MultiLayerConfiguration list = new NeuralNetConfiguration.Builder()
                .dropOut(MaskDropout.bernoulli(0.6))
                .list()
                .layer(new DenseLayer.Builder().nIn(10).nOut(10).build())
                .layer(new DenseLayer.Builder().nIn(10).nOut(10).dropOut(MaskDropout.bernoulli(0.7)).build())
                .layer(new DenseLayer.Builder().nIn(10).nOut(10).dropOut(MaskDropout.alpha(0.5)).build())
                .build();
        ComputationGraphConfiguration graph = new NeuralNetConfiguration.Builder()
                .dropOut(MaskDropout.bernoulli(0.6))
                .graphBuilder()
                .addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nIn(10).nOut(10).build(), "in")
                .addLayer("1", new DenseLayer.Builder().nIn(10).nOut(10).dropOut(MaskDropout.bernoulli(0.7)).build(),
                        "0")
                .addLayer("2", new DenseLayer.Builder().nIn(10).nOut(10).dropOut(MaskDropout.alpha(0.5)).build(),
                        "1")
                .setOutputs("2")
                .build();

        IDropout[] expected = {MaskDropout.bernoulli(0.6), MaskDropout.bernoulli(0.7), MaskDropout.alpha(0.5)};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], list.getConf(i).getLayer().getIDropout(), "MultiLayerConfiguration layer " + i);
            LayerVertex vertex = (LayerVertex) graph.getVertices().get(String.valueOf(i));
            assertEquals(expected[i], vertex.getLayerConf().getLayer().getIDropout(), "graph layer " + i);
        }
    }

    static IDropout[] everyKind() {
        return new IDropout[] {MaskDropout.bernoulli(0.5), MaskDropout.alpha(0.5), MaskDropout.gaussianOfDropRate(0.1),
            MaskDropout.gaussianNoise(0.1)};
    }

    /**
     * Saved and restored with ModelSerializer: the same configuration, parameters and inference output; the
     * configurations also survive Java serialization.
     */
    @ParameterizedTest
    @MethodSource("everyKind")
    void networksWithEachKindSurviveModelSerializer(IDropout dropout) throws IOException {
        MultiLayerNetwork list = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dropOut(dropout)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(3).build())
                .build());
        list.init();
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dropOut(dropout)
                .graphBuilder()
                .addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nIn(4).nOut(3).build(), "in")
                .addLayer("1", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(3).build(), "0")
                .setOutputs("1")
                .build());
        graph.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4);

        MultiLayerNetwork listBack = SavedModels.assertSurvivesSaving(list, x);
        SavedModels.assertSurvivesSaving(graph, x);
        assertEquals(dropout, listBack.getLayerWiseConfigurations().getConf(0).getLayer().getIDropout());
    }

    @Test
    void dropoutLayerWithSharedAxesSurvivesJson() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .list()
                .layer(new DropoutLayer.Builder(MaskDropout.bernoulli(0.5).spatial(CNN2DFormat.NCHW)).build())
                .layer(new ConvolutionLayer.Builder().kernelSize(2, 2).nOut(4).build())
                .layer(new DropoutLayer.Builder(MaskDropout.bernoulli(halfThenTenth()).spatial(CNN2DFormat.NCHW))
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3).build())
                .setInputType(InputType.convolutional(8, 8, 3))
                .build();

        assertEquals(conf, MultiLayerConfiguration.fromJson(conf.toJson()));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Values

    /**
     * Bernoulli p = 0.5 on 100 ones: every value 0 or 1/p = 2, the input left as it was, between 25 and 75 zeros
     * (a draw of Binomial(100, 0.5) misses that with probability 2e-7); with the schedule, from iteration 5 (p =
     * 0.1) every value 0 or 10 and at least 80 zeros (missed with probability 8e-4 a draw).
     */
    @Test
    void bernoulliValuesFollowTheRetainProbabilityAndItsSchedule() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray in = Nd4j.ones(10, 10);
        INDArray out = training(MaskDropout.bernoulli(0.5), in, 0);
        assertEquals(Nd4j.ones(10, 10), in, "input untouched");
        assertCounts(out, 2.0, 25, 75, "p = 0.5");

        MaskDropout scheduled = MaskDropout.bernoulli(halfThenTenth());
        for (int i = 0; i < 10; i++) {
            out = training(scheduled, in, i);
            assertEquals(Nd4j.ones(10, 10), in, "input untouched");
            if (i < 5) {
                assertCounts(out, 2.0, 25, 75, "iteration " + i + ", p = 0.5");
            } else {
                assertCounts(out, 10.0, 80, 100, "iteration " + i + ", p = 0.1");
            }
        }
    }

    /** Counts of zeros and of the kept value: together every element, zeros in [minZeros, maxZeros]. */
    private static void assertCounts(INDArray out, double kept, int minZeros, int maxZeros, String what) {
        int zeros = 0;
        int keptCount = 0;
        for (long i = 0; i < out.length(); i++) {
            double v = out.getDouble(i);
            zeros += v == 0.0 ? 1 : 0;
            keptCount += v == kept ? 1 : 0;
        }
        assertEquals(out.length(), zeros + keptCount, what + ": every value is 0 or " + kept);
        int z = zeros;
        assertTrue(z >= minZeros && z <= maxZeros,
                what + ": " + z + " zeros, expected " + minZeros + " to " + maxZeros);
    }

    /**
     * Gaussian dropout of drop rate 0.1 on 2500 ones: mean 1 within 0.05 (7 standard errors of the sample mean,
     * 0.333 / 50) and standard deviation sqrt(0.1 / 0.9) = 0.333 within 0.02 (4 standard errors of the sample
     * standard deviation, 0.333 / sqrt(5000)).
     */
    @Test
    void gaussianDropoutHasMeanOneAndTheRatesStandardDeviation() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray in = Nd4j.ones(50, 50);
        INDArray out = training(MaskDropout.gaussianOfDropRate(0.1), in, 0);
        assertEquals(Nd4j.ones(50, 50), in, "input untouched");
        assertEquals(1.0, out.meanNumber().doubleValue(), 0.05, "mean");
        assertEquals(0.333, out.stdNumber().doubleValue(), 0.02, "standard deviation");
    }

    /**
     * Gaussian noise sigma = 0.1 added to 2500 ones: mean 1 within 0.05 (25 standard errors) and standard deviation
     * 0.1 within 0.01 (7 standard errors, 0.1 / sqrt(5000)).
     */
    @Test
    void gaussianNoiseHasMeanOfTheInputAndItsSigma() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray in = Nd4j.ones(50, 50);
        INDArray out = training(MaskDropout.gaussianNoise(0.1), in, 0);
        assertEquals(Nd4j.ones(50, 50), in, "input untouched");
        assertEquals(1.0, out.meanNumber().doubleValue(), 0.05, "mean");
        assertEquals(0.1, out.stdNumber().doubleValue(), 0.01, "standard deviation");
    }

    /**
     * Alpha dropout p = 0.4: a(p) and b(p) are the paper's, and on 100 ones every value is a kept unit's a + b or a
     * dropped unit's a alpha' + b (to 1e-6, FLOAT), with 25 to 75 dropped (a draw of Binomial(100, 0.6) exceeds 75
     * with probability 6e-4).
     */
    @Test
    void alphaDropoutConstantsAndValues() {
        double p = 0.4;
        MaskDropout d = MaskDropout.alpha(p);
        double alphaPrime = -SELU_LAMBDA * SELU_ALPHA;
        double a = 1.0 / Math.sqrt(p + alphaPrime * alphaPrime * p * (1 - p));
        double b = -a * (1 - p) * alphaPrime;
        assertEquals(a, d.a(p), 1e-12, "a");
        assertEquals(b, d.b(p), 1e-12, "b");

        Nd4j.getRandom().setSeed(SEED);
        INDArray out = training(d, Nd4j.ones(10, 10), 0);
        int dropped = 0;
        int kept = 0;
        for (int i = 0; i < 100; i++) {
            double v = out.getDouble(i);
            dropped += Math.abs(v - (a * alphaPrime + b)) <= 1e-6 ? 1 : 0;
            kept += Math.abs(v - (a + b)) <= 1e-6 ? 1 : 0;
        }
        assertEquals(100, dropped + kept, "every value is a kept or a dropped unit's");
        int n = dropped;
        assertTrue(n >= 25 && n <= 75, n + " dropped of 100, expected 25 to 75");
    }

    @Test
    void alphaConstantsNameWhatIsWrong() {
        IllegalStateException notAlpha = assertThrows(IllegalStateException.class,
                () -> MaskDropout.bernoulli(0.5).a(0.5));
        assertTrue(notAlpha.getMessage().contains("BERNOULLI") && notAlpha.getMessage().contains("MaskDropout.alpha"),
                notAlpha.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> MaskDropout.alpha(0.5).b(1.5));
        assertTrue(outside.getMessage().contains("1.5") && outside.getMessage().contains("(0, 1]"),
                outside.getMessage());
    }

    /** A shape, the sharing that makes DL4J's SpatialDropout of it, and the zero slabs expected at p = 0.1. */
    private static final class SpatialCase {
        final String name;
        final long[] shape;
        final UnaryOperator<MaskDropout> share;
        final int minZerosAtTenth;

        SpatialCase(String name, long[] shape, UnaryOperator<MaskDropout> share, int minZerosAtTenth) {
            this.name = name;
            this.shape = shape;
            this.share = share;
            this.minZerosAtTenth = minZerosAtTenth;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * DL4J's SpatialDropout cases: 4D NCHW and 5D NCDHW (100 slabs, at p = 0.1 at least 80 zeros: missed with
     * probability 8e-4 a draw) and 3D [example, channel, time] (80 slabs, at least 60 zeros and at most 15 kept, so at
     * least 65 zeros: missed with probability 5e-3 a draw).
     */
    static SpatialCase[] spatialCases() {
        return new SpatialCase[] {
            new SpatialCase("4D NCHW", new long[] {10, 10, 5, 5}, d -> d.spatial(CNN2DFormat.NCHW), 80),
            new SpatialCase("5D NCDHW", new long[] {10, 10, 5, 5, 5}, d -> d.spatial(Convolution3D.DataFormat.NCDHW),
                    80),
            new SpatialCase("3D NCW", new long[] {10, 8, 12}, d -> d.sharedAxes(2), 65)};
    }

    /**
     * Every (example, channel) slab is all 0 or all 1/p; 25 to 75 of the slabs zero at p = 0.5 (of 100 slabs missed
     * with probability 2e-7, of 80 with 2e-4 a draw); the schedule's p = 0.1 from iteration 5 gives 0 or 10.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("spatialCases")
    void spatialMasksAreOneValuePerExampleAndChannel(SpatialCase c) {
        Nd4j.getRandom().setSeed(SEED);
        INDArray in = Nd4j.ones(c.shape);
        assertSlabs(training(c.share.apply(MaskDropout.bernoulli(0.5)), in, 0), 2.0, 25, 75, c + ", p = 0.5");
        assertEquals(Nd4j.ones(c.shape), in, "input untouched");

        MaskDropout scheduled = c.share.apply(MaskDropout.bernoulli(halfThenTenth()));
        int slabs = (int) (c.shape[0] * c.shape[1]);
        for (int i = 0; i < 10; i++) {
            INDArray out = training(scheduled, in, i);
            if (i < 5) {
                assertSlabs(out, 2.0, 25, 75, c + ", iteration " + i + ", p = 0.5");
            } else {
                assertSlabs(out, 10.0, c.minZerosAtTenth, slabs, c + ", iteration " + i + ", p = 0.1");
            }
            assertEquals(Nd4j.ones(c.shape), in, "input untouched");
        }
    }

    private static void assertSlabs(INDArray out, double kept, int minZeros, int maxZeros, String what) {
        int zeros = 0;
        for (int i = 0; i < out.size(0); i++) {
            for (int j = 0; j < out.size(1); j++) {
                INDArrayIndex[] at = new INDArrayIndex[out.rank()];
                at[0] = NDArrayIndex.point(i);
                at[1] = NDArrayIndex.point(j);
                for (int k = 2; k < at.length; k++) {
                    at[k] = NDArrayIndex.all();
                }
                INDArray slab = out.get(at);
                double value = slab.getDouble(0);
                assertTrue(value == 0.0 || value == kept, what + ": slab (" + i + ", " + j + ") is " + value);
                assertEquals(Nd4j.valueArrayOf(slab.shape(), value, slab.dataType()), slab,
                        what + ": slab (" + i + ", " + j + ") is one value");
                zeros += value == 0.0 ? 1 : 0;
            }
        }
        int z = zeros;
        assertTrue(z >= minZeros && z <= maxZeros, what + ": " + z + " zero slabs, expected " + minZeros + " to "
                + maxZeros);
    }
}

package org.dropkit.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The conventions of the export, checked against what DL4J's classes do rather than against their names: in training,
 * the DL4J dropout the export chose transforms an input with the same statistics as the Dropkit dropout it came from
 * (mean, standard deviation, fraction of zeros, and for spatial dropout one mask value per (example, channel)). A
 * GaussianDropout given p instead of the rate 1 - p, or a Dropout given the drop rate, fails these by far.
 *
 * <p>Bounds: each statistic is taken over 160,000 elements (1,600 (example, channel) slices for spatial dropout); the
 * tolerance is about 6 standard errors of the difference of two independent estimates, so a correct conversion fails
 * with probability below 1e-8, and the masks are seeded, so the test is deterministic.
 */
class DropoutExportStatisticsTest {

    private static final long[] SHAPE = {200, 8, 10, 10};

    static Stream<Arguments> pairs() {
        return Stream.of(
                // Bernoulli 0.7: zeros 0.3 (SE of a difference 0.0016), mean 1 (SE 0.0036), std sqrt(0.3/0.7)
                Arguments.of("bernoulli(0.7)", MaskDropout.bernoulli(0.7), "ones", 0.012, 0.025),
                // Gaussian, sigma = 0.655: mean SE of a difference 0.0023, std SE 0.0016
                Arguments.of("gaussian(0.7)", MaskDropout.gaussian(0.7), "ones", 0.015, 0.015),
                // alpha dropout on N(0, 1) input keeps mean 0 and std 1: SE of a difference 0.0035 and 0.0025
                Arguments.of("alpha(0.9)", MaskDropout.alpha(0.9), "normal", 0.025, 0.02),
                // noise on zeros: mean 0, std 0.3; SE 0.0011 and 0.0008
                Arguments.of("gaussianNoise(0.3)", MaskDropout.gaussianNoise(0.3), "zeros", 0.008, 0.006),
                // 1,600 slices: zeros SE of a difference 0.016, mean SE 0.036
                Arguments.of("bernoulli(0.7).spatial(NCHW)", MaskDropout.bernoulli(0.7).spatial(CNN2DFormat.NCHW),
                        "ones", 0.1, 0.25));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void theBuiltInTrainsWithTheSameStatistics(String name, MaskDropout dropkit, String input, double zerosAndMeanTol,
            double stdTol) {
        BuiltInConversion conversion = BuiltInConversion.of(dropkit, Layout.of(CNN2DFormat.NCHW), null);
        IDropout builtIn = conversion.replacement;
        assertTrue(builtIn != null, conversion.note);

        double[] expected = statistics(apply(dropkit, input, 1), dropkit.getSharedAxes().length > 0);
        double[] actual = statistics(apply(builtIn, input, 2), dropkit.getSharedAxes().length > 0);

        String what = name + " -> " + DropoutConversion.describe(builtIn) + ": zeros, mean, std, spread within a"
                + " slice; Dropkit " + java.util.Arrays.toString(expected) + ", DL4J " + java.util.Arrays.toString(
                        actual);
        assertEquals(expected[0], actual[0], zerosAndMeanTol, what);
        assertEquals(expected[1], actual[1], zerosAndMeanTol * 2, what);
        assertEquals(expected[2], actual[2], stdTol, what);
        assertEquals(expected[3], actual[3], 1e-6, what);
    }

    private static INDArray apply(IDropout dropout, String input, long seed) {
        Nd4j.getRandom().setSeed(100 + seed);
        INDArray x = input.equals("ones") ? Nd4j.ones(DataType.FLOAT, SHAPE) : input.equals("zeros")
                ? Nd4j.zeros(DataType.FLOAT, SHAPE) : Nd4j.randn(DataType.FLOAT, SHAPE);
        Nd4j.getRandom().setSeed(seed);
        return dropout.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    /**
     * Fraction of zeros, mean, standard deviation; and the largest standard deviation within one (example, channel)
     * slice when the mask is spatial (0 for both if they share the mask over height and width), else 0.
     */
    private static double[] statistics(INDArray y, boolean spatial) {
        double zeros = y.eq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        double spread = spatial ? y.std(false, 2, 3).maxNumber().doubleValue() : 0.0;
        return new double[] {zeros, y.meanNumber().doubleValue(), y.stdNumber().doubleValue(), spread};
    }
}

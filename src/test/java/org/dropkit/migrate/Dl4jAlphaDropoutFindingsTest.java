package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.internal.MaskSpec;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * What DL4J 1.0.0-M2.1's AlphaDropout and GaussianNoise do, as the README states it: the formula, the backward pass
 * and schedules are the paper's; a schedule does not survive JSON; p above 1 and a NaN stddev are accepted; the
 * mask depends on the memory layout. Each finding is pinned here so that the README's claims stay true.
 */
class Dl4jAlphaDropoutFindingsTest {

    private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

    /** DL4J's multiplier a * m, read from its backward pass of ones. */
    private static INDArray dl4jMultiplier(AlphaDropout d, long[] shape, int iteration) {
        return d.backprop(Nd4j.ones(DataType.DOUBLE, shape), Nd4j.zeros(DataType.DOUBLE, shape), iteration, 0);
    }

    @Test
    void forwardIsThePapersFormulaAndBackwardIsAMTimesTheGradient() {
        double p = 0.8;
        AlphaDropout d = new AlphaDropout(p);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 200, 50);
        Nd4j.getRandom().setSeed(81);
        INDArray y = d.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        INDArray dy = Nd4j.rand(DataType.DOUBLE, 200, 50);
        INDArray dx = d.backprop(dy, dy.ulike(), 0, 0);

        Nd4j.getRandom().setSeed(81);
        d.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        INDArray am = dl4jMultiplier(d, x.shape(), 0);
        assertBitwiseEqual(dy.mul(am), dx, "DL4J's backward is dy * (a m), exactly");

        double a = MaskSpec.alphaScale(p);
        INDArray m = am.div(a);
        INDArray paper = x.mul(m).add(m.rsub(1.0).mul(MaskSpec.ALPHA_PRIME)).mul(a).add(MaskSpec.alphaShift(p));
        assertTrue(paper.equalsWithEps(y, 1e-12), "DL4J's forward is a (x m + alpha' (1 - m)) + b");
        // Dropkit's (x - alpha') * (a m) + a alpha' p with the same m: the same values up to rounding.
        INDArray dropkit = x.sub(MaskSpec.ALPHA_PRIME).mul(am).add(MaskSpec.alphaDropped(p));
        assertTrue(dropkit.equalsWithEps(y, 1e-12), "Dropkit's computed form agrees to 1e-12 in DOUBLE");
    }

    @Test
    void scheduleGivesPForTheMaskAndForTheAffineCorrection() {
        AlphaDropout d = new AlphaDropout(new StepSchedule(ScheduleType.ITERATION, 0.9, 0.5, 10));
        long[] shape = {500, 200};
        INDArray x = Nd4j.randn(DataType.DOUBLE, shape);
        for (int iteration : new int[] {0, 10}) {
            double p = iteration == 0 ? 0.9 : 0.45;
            d.applyDropout(x, x.ulike(), iteration, 0, NO_WORKSPACES);
            INDArray am = dl4jMultiplier(d, shape, iteration);
            double kept = am.neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
            assertEquals(p, kept, 6 * Math.sqrt(p * (1 - p) / 1e5), "kept fraction at iteration " + iteration);
            assertEquals(MaskSpec.alphaScale(p), am.maxNumber().doubleValue(), 1e-12, "a(p) at " + iteration);
        }
    }

    /**
     * Lombok's getter getPSchedule() makes Jackson write the field as "pschedule", and the constructor reads
     * "pSchedule": after JSON (and ModelSerializer, which writes JSON) there is no schedule and p is NaN. Then the
     * Bernoulli draw keeps nothing: every output is one constant, and the gradient is zero everywhere.
     */
    @Test
    void aScheduleIsLostInJsonAndTheRestoredDropoutDropsEveryUnit() {
        AlphaDropout scheduled = new AlphaDropout(new StepSchedule(ScheduleType.ITERATION, 0.9, 0.5, 10));
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).activation(Activation.SELU).dropOut(scheduled).build())
                .build();
        String json = conf.toJson();
        assertTrue(json.contains("\"pschedule\"") && !json.contains("\"pSchedule\""), "written as pschedule");

        AlphaDropout restored = (AlphaDropout) MultiLayerConfiguration.fromJson(json).getConf(0).getLayer()
                .getIDropout();
        assertNull(restored.getPSchedule(), "schedule lost");
        assertTrue(Double.isNaN(restored.getP()), "p is NaN");
        assertFalse(restored.equals(scheduled), "the restored dropout is not the saved one");

        INDArray x = Nd4j.randn(DataType.FLOAT, 100, 40);
        INDArray y = restored.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        assertEquals(y.minNumber().doubleValue(), y.maxNumber().doubleValue(), 0.0, "every output is one constant");
        INDArray dx = restored.backprop(Nd4j.ones(DataType.FLOAT, 100, 40), x.ulike(), 0, 0);
        assertEquals(0.0, dx.amaxNumber().doubleValue(), 0.0, "no gradient reaches the layers below");

        MaskDropout dropkit = MaskDropout.alpha(new StepSchedule(ScheduleType.ITERATION, 0.9, 0.5, 10));
        conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(4).activation(Activation.SELU).dropOut(dropkit).build())
                .build();
        assertEquals(dropkit, MultiLayerConfiguration.fromJson(conf.toJson()).getConf(0).getLayer().getIDropout(),
                "Dropkit's schedule survives");
    }

    @Test
    void retainProbabilityAboveOneIsAcceptedAndGivesNeitherTheIdentityNorAnError() {
        AlphaDropout d = new AlphaDropout(1.5);
        assertTrue(Double.isNaN(d.getA()) && Double.isNaN(d.getB()), "a and b are NaN");
        INDArray x = Nd4j.randn(DataType.FLOAT, 10, 10);
        INDArray y = d.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        assertFalse(y.equalsWithEps(x, 1e-3), "not the identity");
        assertFalse(y.isNaN().any(), "and no NaN that would show it: ND4J's scalar ops take a NaN scalar as 1e-5");
    }

    @Test
    void theMaskDependsOnTheMemoryLayout() {
        AlphaDropout d = new AlphaDropout(0.8);
        INDArray c = Nd4j.randn(DataType.FLOAT, 50, 40);
        INDArray f = c.dup('f');
        Nd4j.getRandom().setSeed(82);
        INDArray yc = d.applyDropout(c, c.ulike(), 0, 0, NO_WORKSPACES);
        Nd4j.getRandom().setSeed(82);
        INDArray yf = d.applyDropout(f, Nd4j.createUninitialized(DataType.FLOAT, new long[] {50, 40}, 'f'), 0, 0,
                NO_WORKSPACES);
        assertFalse(yc.equals(yf), "DL4J: same seed, same values, other layout, other mask");
        MaskDropout dropkit = MaskDropout.alpha(0.8);
        assertBitwiseEqual(Passes.forward(dropkit, 82, c), Passes.forward(dropkit, 82, f), "Dropkit: the same mask");
    }

    @Test
    void gaussianNoiseAcceptsANaNAndANegativeStddev() {
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, 1000, 1000);
        INDArray nan = new GaussianNoise(Double.NaN).applyDropout(zeros, zeros.ulike(), 0, 0, NO_WORKSPACES);
        assertEquals(zeros.length(), nan.isNaN().castTo(DataType.INT32).sumNumber().longValue(), "all NaN");
        INDArray negative = new GaussianNoise(-0.5).applyDropout(zeros, zeros.ulike(), 0, 0, NO_WORKSPACES);
        assertEquals(0.5, negative.stdNumber().doubleValue(), 6 * 0.5 / Math.sqrt(2e6), "N(0, 0.25) all the same");
    }
}

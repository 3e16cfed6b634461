package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleFunction;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** Bad arguments and lifecycle misuse get a clear error that names the value, the valid range and the fix. */
class ArgumentErrorsTest {

    private static void assertMessageHas(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 0.0, -0.1, 1.0000001, 2.0, Double.POSITIVE_INFINITY})
    void rejectsRetainProbabilityOutsideZeroToOne(double p) {
        for (DoubleFunction<MaskDropout> factory : java.util.List.<DoubleFunction<MaskDropout>>of(
                MaskDropout::bernoulli, MaskDropout::gaussian, MaskLayerFactory::layer)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> factory.apply(p));
            assertMessageHas(e, "retain probability p (" + p + ")", "(0, 1]", "ofDropRate");
        }
    }

    /** Builds the layer and hands back its dropout, so the layer's own p argument is checked too. */
    private static final class MaskLayerFactory {
        static MaskDropout layer(double p) {
            return new MaskDropoutLayer.Builder(p).build().getDropout();
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.01, 1.0, 1.5})
    void rejectsDropRateOutsideZeroToOne(double rate) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskDropout.ofDropRate(rate));
        assertMessageHas(e, "drop rate (" + rate + ")", "[0, 1)", "MaskDropout.bernoulli(p)");
        assertThrows(IllegalArgumentException.class, () -> MaskDropout.gaussianOfDropRate(rate));
    }

    @Test
    void dropRateIsOneMinusRetainProbability() {
        assertEquals(0.75, MaskDropout.ofDropRate(0.25).getP());
        assertEquals(MaskKind.GAUSSIAN, MaskDropout.gaussianOfDropRate(0.25).getKind());
        assertEquals(0.75, MaskDropout.gaussianOfDropRate(0.25).getP());
        assertEquals(1.0, MaskDropout.ofDropRate(0.0).getP(), "rate 0 is no dropout");
    }

    @Test
    void rejectsNegativeTooLargeAndRepeatedSharedAxes() {
        MaskDropout d = MaskDropout.bernoulli(0.5);
        assertAll(
                () -> assertMessageHas(assertThrows(IllegalArgumentException.class, () -> d.sharedAxes(-1)),
                        "shared axis (-1)", "[0, 4]"),
                () -> assertMessageHas(assertThrows(IllegalArgumentException.class, () -> d.sharedAxes(2, 5)),
                        "shared axis (5)", "[0, 4]"),
                () -> assertMessageHas(assertThrows(IllegalArgumentException.class, () -> d.sharedAxes(2, 2)),
                        "shared axis (2) appears twice"));
    }

    @Test
    void rejectsSharedAxisBeyondInputRankAtForwardTime() {
        MaskDropout d = MaskDropout.bernoulli(0.5).sharedAxes(2, 3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces()));
        assertMessageHas(e, "shared axis (3)", "rank 2", "[4, 10]", "0 to 1");
    }

    @Test
    void rejectsSharedAxisBeyondInputRankWhenTheNetworkIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NeuralNetConfiguration.Builder().list()
                        .layer(new DenseLayer.Builder().nOut(8).build())
                        .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.5).sharedAxes(2)).name("drop")
                                .build())
                        .layer(new OutputLayer.Builder().nOut(2).build())
                        .setInputType(InputType.feedForward(4)).build());
        assertMessageHas(e, "MaskDropoutLayer \"drop\"", "shared axis (2)", "rank 2");
    }

    @Test
    void rejectsVanillaScalingWithGaussianMask() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskDropoutLayer.Builder(MaskDropout.gaussian(0.5)).scaling(Scaling.VANILLA).build());
        assertMessageHas(e, "VANILLA", "GAUSSIAN", "INVERTED");
    }

    @Test
    void rejectsScheduleValueOutsideZeroToOneWhenItIsUsed() {
        MaskDropout d = MaskDropout.bernoulli(new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.5)
                .add(3, 1.5).build());
        assertEquals(0.5, d.retainProbability(2, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.retainProbability(3, 0));
        assertMessageHas(e, "p = 1.5", "iteration 3", "(0, 1]", "Change the schedule");
        assertFalse(e.getMessage().contains("ofDropRate"), "no drop-rate hint for a schedule: " + e.getMessage());
    }

    @Test
    void rejectsIntegerInput() {
        MaskDropout d = MaskDropout.bernoulli(0.5);
        INDArray x = Nd4j.ones(DataType.INT32, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, x.ulike(), 0, 0, LayerWorkspaceMgr.noWorkspaces()));
        assertMessageHas(e, "INT", "floating-point", "castTo");
    }

    @Test
    void backwardBeforeForwardIsAnError() {
        MaskDropout d = MaskDropout.bernoulli(0.5);
        INDArray g = Nd4j.ones(DataType.FLOAT, 2, 3);
        assertMessageHas(assertThrows(IllegalStateException.class, () -> d.backprop(g, g, 0, 0)),
                "no training forward pass pending", "Run the forward pass again");
    }

    @Test
    void secondBackwardForOneForwardIsAnError() {
        MaskDropout d = MaskDropout.bernoulli(0.5).storage(MaskStorage.STORED);
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 3);
        Passes.forward(d, 1, x);
        d.backprop(x.dup(), null, 0, 0);
        assertThrows(IllegalStateException.class, () -> d.backprop(x.dup(), null, 0, 0));
    }

    @Test
    void backwardAfterClearIsAnError() {
        MaskDropout d = MaskDropout.gaussian(0.5);
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 3);
        Passes.forward(d, 1, x);
        d.clear();
        assertThrows(IllegalStateException.class, () -> d.backprop(x.dup(), null, 0, 0));
    }

    @Test
    void gradientOfAnotherShapeIsAnError() {
        MaskDropout d = MaskDropout.bernoulli(0.5);
        Passes.forward(d, 1, Nd4j.ones(DataType.FLOAT, 2, 3));
        INDArray g = Nd4j.ones(DataType.FLOAT, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.backprop(g, g, 0, 0));
        assertMessageHas(e, "[3, 2]", "[2, 3]");
    }

    @Test
    void outputArrayOfAnotherShapeIsAnError() {
        MaskDropout d = MaskDropout.bernoulli(0.5);
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, Nd4j.ones(DataType.FLOAT, 6), 0, 0, LayerWorkspaceMgr.noWorkspaces()));
        assertMessageHas(e, "[6]", "[2, 3]");
    }

    @Test
    void layerRejectsOtherDropoutClassesNamingTheirDropkitEquivalentAsCode() {
        MaskDropoutLayer.Builder b = new MaskDropoutLayer.Builder(0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.dropOut(new Dropout(0.5)));
        assertMessageHas(e, "takes a MaskDropout", "DL4J's Dropout", "MaskDropout.bernoulli(0.5)",
                "new MaskDropoutLayer.Builder(");
        assertFalse(e.getMessage().contains("helperAllowFallback"), "no DL4J toString dump: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.dropOut(
                new org.deeplearning4j.nn.conf.dropout.GaussianDropout(0.2)));
        assertMessageHas(e, "DL4J's GaussianDropout", "MaskDropout.gaussian(0.8)");
        MaskDropoutLayer layer = b.build();
        e = assertThrows(IllegalArgumentException.class, () -> layer.setIDropout(
                new org.deeplearning4j.nn.conf.dropout.SpatialDropout(0.9)));
        assertMessageHas(e, "DL4J's SpatialDropout", "MaskDropout.bernoulli(p).spatial(format)", "DropoutLayer");
    }
}

package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Drop path (stochastic depth): one Bernoulli value per example, shared over every other axis of any rank, on the
 * residual branch of a ComputationGraph before the add.
 */
class DropPathTest {

    private static final double SIGMAS = 6.0;

    /** Every example's slice is all zeros or all x / p, for inputs of rank 2 to 5. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void oneMaskValuePerExampleWhateverTheRank(int rank) {
        long[] shape = new long[rank];
        shape[0] = 64;
        for (int i = 1; i < rank; i++) {
            shape[i] = 2 + i;
        }
        MaskDropout d = MaskDropout.dropPath(0.5);
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 1, 'c', shape);
        INDArray y = Passes.forward(d, 5, x);
        INDArray m = d.backprop(Nd4j.ones(DataType.FLOAT, shape), null, 0, 0);
        float scale = 2.0f;
        int kept = 0;
        for (int i = 0; i < shape[0]; i++) {
            INDArray mi = m.get(NDArrayIndex.point(i));
            double value = mi.getDouble(0);
            assertEquals(value, mi.maxNumber().doubleValue(), 0.0, "example " + i + ": one mask value");
            assertEquals(value, mi.minNumber().doubleValue(), 0.0, "example " + i + ": one mask value");
            assertTrue(value == 0.0 || value == scale, "0 or 1/p: " + value);
            assertBitwiseEqual(x.get(NDArrayIndex.point(i)).mul(value), y.get(NDArrayIndex.point(i)),
                    "example " + i + ": y = x * m");
            kept += value == 0.0 ? 0 : 1;
        }
        assertTrue(kept > 0 && kept < shape[0], "some examples kept, some dropped: " + kept);
    }

    @Test
    void keepsFractionPOfTheExamples() {
        int n = 200_000;
        double p = 0.8;
        INDArray x = Nd4j.ones(DataType.FLOAT, n, 3);
        MaskDropout d = MaskDropout.dropPath(p);
        Passes.forward(d, 6, x);
        INDArray m = d.backprop(Nd4j.ones(DataType.FLOAT, n, 3), null, 0, 0);
        double kept = m.getColumn(0).neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(p, kept, SIGMAS * Math.sqrt(p * (1 - p) / n), "kept fraction of examples");
    }

    @Test
    void isBernoulliPerExampleAndSaysSo() {
        MaskDropout d = MaskDropout.dropPath(0.9);
        assertEquals(MaskKind.BERNOULLI, d.getKind());
        assertTrue(d.isPerExample());
        assertEquals(0, d.getSharedAxes().length);
        assertEquals(MaskDropout.bernoulli(0.9).perExample(), d);
        assertFalse(d.sharedAxes(1).isPerExample(), "explicit shared axes replace per-example sharing");
        assertEquals("MaskDropout(BERNOULLI, p=0.9, RECOMPUTE, perExample)", d.toString());
        assertTrue(json(d).contains("\"perExample\" : true"), json(d));
        assertFalse(json(MaskDropout.bernoulli(0.9)).contains("perExample"), "absent unless set");
    }

    @Test
    void rejectsPerExampleTogetherWithSharedAxesInJson() {
        String json = json(MaskDropout.dropPath(0.9)).replace("\"sharedAxes\" : [ ]", "\"sharedAxes\" : [ 1 ]");
        assertTrue(json.contains("[ 1 ]"), json);
        Exception e = assertThrows(Exception.class,
                () -> NeuralNetConfiguration.mapper().readValue(json, IDropout.class));
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("per-example") && cause.getMessage().contains("not both"),
                cause.getMessage());
    }

    static String json(IDropout d) {
        try {
            return NeuralNetConfiguration.mapper().writeValueAsString(d);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, 0.0, 1.5})
    void rejectsRetainProbabilityOutsideZeroToOne(double p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskDropout.dropPath(p));
        assertTrue(e.getMessage().contains("MaskDropout.dropPath(p)") && e.getMessage().contains("(0, 1]"),
                e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------------------
    // The residual block of the README.

    /** The README's example, as written there. */
    static ComputationGraph readmeResidualBlock(double p) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .graphBuilder()
                .addInputs("in")
                .addLayer("stem", new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build(), "in")
                // residual block: add = stem + dropPath(f(stem)), one mask value per example
                .addLayer("f1", new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build(), "stem")
                .addLayer("f2", new DenseLayer.Builder().nOut(64).activation(Activation.IDENTITY).build(), "f1")
                .addLayer("dropPath", new MaskDropoutLayer.Builder(MaskDropout.dropPath(p)).build(), "f2")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "dropPath")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "add")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(784))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    @Test
    void residualBlockDropsWholeBranchesPerExampleAndIsTheIdentityAtInference() {
        ComputationGraph net = readmeResidualBlock(0.8);
        ComputationGraph noDropPath = readmeResidualBlock(1.0);
        assertEquals(net.params(), noDropPath.params(), "same seed, same parameters");
        INDArray x = Nd4j.rand(DataType.FLOAT, 32, 784);

        assertBitwiseEqual(noDropPath.outputSingle(x), net.outputSingle(x), "inference: x + f(x)");

        Nd4j.getRandom().setSeed(7);
        Map<String, INDArray> acts = net.feedForward(x, true);
        INDArray branch = acts.get("f2");
        INDArray dropped = acts.get("dropPath");
        INDArray sum = acts.get("add");
        float scale = (float) (1.0 / 0.8);
        int kept = 0;
        for (int i = 0; i < 32; i++) {
            INDArray row = dropped.getRow(i);
            boolean keptRow = row.neq(0.0).castTo(DataType.INT32).sumNumber().intValue() > 0;
            INDArray expected = keptRow ? branch.getRow(i).mul(scale) : branch.getRow(i).mul(0.0);
            assertBitwiseEqual(expected, row, "example " + i + ": the whole branch kept (x 1/p) or dropped");
            assertBitwiseEqual(acts.get("stem").getRow(i).add(row), sum.getRow(i), "example " + i + ": added");
            kept += keptRow ? 1 : 0;
        }
        assertTrue(kept > 0 && kept < 32, "some branches kept, some dropped: " + kept);

        INDArray labels = Nd4j.zeros(DataType.FLOAT, 32, 10);
        for (int i = 0; i < 32; i++) {
            labels.putScalar(i, i % 10, 1.0);
        }
        INDArray before = net.params().dup();
        net.fit(new INDArray[] {x}, new INDArray[] {labels});
        assertTrue(Double.isFinite(net.score()) && !before.equals(net.params()), "it trains");
        assertArrayEquals(new long[] {32, 10}, net.outputSingle(x).shape());
    }
}

package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.Scaling;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
import org.dropkit.testsupport.Bits;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A ComputationGraph whose one activation h feeds two output layers, each with its own {@code .dropOut(MaskDropout)}.
 * Each output layer must see h times its own mask, never the other layer's: its weight gradient is the one computed
 * from the unmodified h and its own mask, and the whole graph passes DL4J's numerical gradient check.
 *
 * <p>DL4J lets the last consumer of a shared activation (in topological order) modify it in place, and it runs the
 * output layers' forward passes during backprop in reverse topological order; so the last output layer's dropout, if it
 * writes into h, is applied again by the other output layer, whose gradient then belongs to h * m2 * m1.
 */
@ExtendWith(DoublePrecision.class)
class SharedActivationTest {

    private static final long SEED = 2024;
    private static final int BATCH = 6;
    private static final double P1 = 0.5;
    private static final double P2 = 0.7;

    /**
     * Outputs are declared out2 first: DL4J scores output layers in the declared order but runs their forward passes
     * for backprop in reverse topological order (out2, then out1); each dropout draws its seed from one generator, so
     * the numerical check's score passes see the backprop pass's masks only when the two orders agree.
     */
    private static ComputationGraph graph(MaskStorage storage, WorkspaceMode workspaces) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(29).dataType(DataType.DOUBLE)
                .updater(new NoOp()).trainingWorkspaceMode(workspaces).inferenceWorkspaceMode(workspaces)
                .graphBuilder()
                .addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out1", output1().dropOut(MaskDropout.bernoulli(P1).storage(storage)).build(), "h")
                .addLayer("out2", output2().dropOut(MaskDropout.bernoulli(P2).storage(storage)).build(), "h")
                .setOutputs("out2", "out1")
                .setInputTypes(InputType.feedForward(4))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    private static OutputLayer.Builder output1() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                .activation(Activation.SOFTMAX);
    }

    private static OutputLayer.Builder output2() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(2).activation(Activation.IDENTITY);
    }

    private static INDArray[] inputs() {
        Nd4j.getRandom().setSeed(3);
        return new INDArray[] {Nd4j.rand(DataType.DOUBLE, BATCH, 4).subi(0.5)};
    }

    private static INDArray[] labels() {
        Nd4j.getRandom().setSeed(4);
        INDArray out1 = FeedForwardGradientCheckTest.labels(BATCH, 3);
        return new INDArray[] {Nd4j.rand(DataType.DOUBLE, BATCH, 2), out1};
    }

    @ParameterizedTest
    @EnumSource(MaskStorage.class)
    void activationSharedByTwoOutputLayersWithDropoutPassesGradientCheck(MaskStorage storage) {
        // Without workspaces: with them, DL4J's ComputationGraph.output(true, ...), which the check runs first to see
        // that dropout acts, fails in DL4J's own code before any dropout is called (AbstractLayer asks for an INPUT
        // array that output(...) never opens, for a layer whose input has other consumers; DL4J's Dropout alike).
        GradientChecks.assertGradientsMatch(graph(storage, WorkspaceMode.NONE), inputs(), labels());
    }

    /**
     * Each of the two dropouts takes one seed from {@code Nd4j.getRandom()}; in which order the output layers take
     * them is DL4J's business, so the test accepts either order, but one order must explain both gradients: out1's
     * from h * m(seed a, P1) and out2's from h * m(seed b, P2), where m is the mask the engine makes of a seed.
     */
    @ParameterizedTest
    @EnumSource(MaskStorage.class)
    void eachOutputLayerComputesItsWeightGradientFromTheUnmodifiedActivationAndItsOwnMask(MaskStorage storage) {
        ComputationGraph net = graph(storage, WorkspaceMode.ENABLED);
        INDArray[] x = inputs();
        INDArray[] y = labels();
        INDArray h = net.feedForward(x, false).get("h").dup();
        net.setInputs(x);
        net.setLabels(y);
        Nd4j.getRandom().setSeed(SEED);
        net.computeGradientAndScore();
        INDArray w1 = net.gradient().getGradientFor("out1_W").dup();
        INDArray w2 = net.gradient().getGradientFor("out2_W").dup();

        Nd4j.getRandom().setSeed(SEED);
        long[] seeds = {Nd4j.getRandom().nextLong(), Nd4j.getRandom().nextLong()};
        List<String> mismatches = new ArrayList<>();
        for (int first = 0; first < 2; first++) {
            INDArray expected1 = weightGradient(output1(), net, "out1", masked(h, P1, seeds[first]), y[1]);
            INDArray expected2 = weightGradient(output2(), net, "out2", masked(h, P2, seeds[1 - first]), y[0]);
            String why = differences(expected1, w1, "out1") + differences(expected2, w2, "out2");
            if (why.isEmpty()) {
                return;
            }
            mismatches.add("out1 with seed " + (first + 1) + ", out2 with the other: " + why);
        }
        fail("no order of the two seeds explains both weight gradients: " + mismatches);
    }

    /** h times the mask that a pass with this engine seed and retain probability applies. */
    private static INDArray masked(INDArray h, double p, long seed) {
        MaskSpec spec = MaskSpec.of(MaskKind.BERNOULLI, p, Scaling.INVERTED, new int[0]);
        return MaskEngine.apply(spec, seed, h, h.ulike());
    }

    /** The weight gradient of a lone copy of the graph's output layer (no dropout) fed the given input. */
    private static INDArray weightGradient(OutputLayer.Builder layer, ComputationGraph graph, String name,
            INDArray input, INDArray labels) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new NoOp()).list().layer(layer.build()).build();
        MultiLayerNetwork lone = new MultiLayerNetwork(conf);
        lone.init();
        lone.setParams(graph.getLayer(name).params().dup());
        lone.setInput(input);
        lone.setLabels(labels);
        lone.computeGradientAndScore();
        return lone.gradient().getGradientFor("0_W").dup();
    }

    /** Empty when the two are equal bit for bit, else what differs. */
    private static String differences(INDArray expected, INDArray actual, String layer) {
        if (Arrays.equals(expected.shape(), actual.shape())
                && Arrays.equals(Bits.rawBits(expected), Bits.rawBits(actual))) {
            return "";
        }
        return layer + "_W gradient differs by up to " + expected.sub(actual).amaxNumber() + "; ";
    }
}

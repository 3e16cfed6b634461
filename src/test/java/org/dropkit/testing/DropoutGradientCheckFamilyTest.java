package org.dropkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.Kinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The public gradient check handles every kind: numerical check, and the exact check with each kind's formula. */
class DropoutGradientCheckFamilyTest {

    /** Every kind on a dense network; DROP_BLOCK needs feature maps: DropBlockGradientCheckTest runs this check on CNNs. */
    @ParameterizedTest
    @EnumSource(value = MaskKind.class, mode = EnumSource.Mode.EXCLUDE, names = "DROP_BLOCK")
    void passesWithEveryKindAsDropOutAndAsALayer(MaskKind kind) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(61).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(Kinds.of(kind, 0.6)).name("drop").build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).dropOut(Kinds.of(kind, 0.7))
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        GradientCheckResult result = DropoutGradientCheck.of(net).run(DropoutGradientCheckTest.input(6, 4),
                DropoutGradientCheckTest.labels(6, 3));

        assertTrue(result.passed(), result::toString);
        assertTrue(result.numericalCheckPassed(), result::toString);
        String formula = ExactCheck.formula(kind);
        long exact = result.checked().stream().filter(c -> c.contains(formula) && c.contains("bit for bit")).count();
        assertEquals(2, exact, "both sites checked exactly with " + formula + ": " + result);
    }

    @Test
    void passesOnAResidualGraphWithDropPath() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(62).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder()
                .addInputs("in")
                .addLayer("stem", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("f", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "stem")
                .addLayer("dropPath", new MaskDropoutLayer.Builder(MaskDropout.dropPath(0.5)).build(), "f")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "dropPath")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "add")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(4))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray input = DropoutGradientCheckTest.input(8, 4);

        GradientCheckResult result = DropoutGradientCheck.of(net).run(input, DropoutGradientCheckTest.labels(8, 3));

        assertTrue(result.passed(), result::toString);
        assertTrue(result.checked().stream().anyMatch(c -> c.contains("\"dropPath\"") && c.contains("perExample")
                && c.contains("bit for bit")), result::toString);
    }
}

package org.dropkit.gradientcheck;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
import org.dropkit.testsupport.Kinds;
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
 * Numerical gradient checks of a ComputationGraph with two inputs: Dropkit as .dropOut(...) on a layer that reads a
 * network input (which DL4J never lets dropout modify in place) and as a layer on one branch.
 */
@ExtendWith(DoublePrecision.class)
class GraphGradientCheckTest {

    @ParameterizedTest
    @EnumSource(value = MaskKind.class, names = {"BERNOULLI", "GAUSSIAN"}) // DropBlock: DropBlockGradientCheckTest
    void twoInputGraphPassesGradientCheck(MaskKind kind) {
        for (MaskStorage storage : MaskStorage.values()) {
            MaskDropout d = Kinds.of(kind, 0.6).storage(storage);
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(17)
                    .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder()
                    .addInputs("a", "b")
                    .addLayer("denseA", new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                            .dropOut(d).build(), "a")
                    .addLayer("denseB", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "b")
                    .addLayer("dropB", new MaskDropoutLayer.Builder(d.clone()).build(), "denseB")
                    .addVertex("merge", new MergeVertex(), "denseA", "dropB")
                    .addLayer("hidden", new DenseLayer.Builder().nOut(4).activation(Activation.TANH)
                            .dropOut(d.clone()).build(), "merge")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build(), "hidden")
                    .setOutputs("out")
                    .setInputTypes(InputType.feedForward(3), InputType.feedForward(2))
                    .build();
            ComputationGraph net = new ComputationGraph(conf);
            net.init();
            INDArray a = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5);
            INDArray b = Nd4j.rand(DataType.DOUBLE, 6, 2).subi(0.5);
            GradientChecks.assertGradientsMatch(net, new INDArray[] {a, b},
                    new INDArray[] {FeedForwardGradientCheckTest.labels(6, 3)});
        }
    }
}

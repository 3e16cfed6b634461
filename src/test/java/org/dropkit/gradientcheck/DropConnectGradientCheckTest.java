package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropConnect;
import org.dropkit.MaskStorage;
import org.dropkit.testing.DropoutGradientCheck;
import org.dropkit.testing.GradientCheckResult;
import org.dropkit.testsupport.DoublePrecision;
import org.dropkit.testsupport.WeightNoiseNets;
import org.junit.jupiter.api.Test;
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
 * DL4J's numerical gradient check on networks with {@link MaskDropConnect} on every parameterized layer: dense,
 * convolution, LSTM (input and recurrent weights) with their output layers in a MultiLayerNetwork, and a
 * ComputationGraph. DL4J's own DropConnect fails the same check: its weight gradient is dL/dW', not dL/dW.
 */
@ExtendWith(DoublePrecision.class)
class DropConnectGradientCheckTest {

    @ParameterizedTest
    @EnumSource(WeightNoiseNets.class)
    void multiLayerNetworkWithDropConnectPassesGradientCheck(WeightNoiseNets nets) {
        MultiLayerNetwork net = nets.net(MaskDropConnect.bernoulli(0.6), DataType.DOUBLE);
        GradientChecks.assertGradientsMatch(net, nets.features(DataType.DOUBLE), nets.labels(DataType.DOUBLE), null,
                null);
    }

    @Test
    void storedMasksAndBiasesPassGradientCheck() {
        MultiLayerNetwork net = WeightNoiseNets.DENSE.net(MaskDropConnect.bernoulli(0.5).applyToBiases(true)
                .storage(MaskStorage.STORED), DataType.DOUBLE);
        GradientChecks.assertGradientsMatch(net, WeightNoiseNets.DENSE.features(DataType.DOUBLE),
                WeightNoiseNets.DENSE.labels(DataType.DOUBLE), null, null);
    }

    @Test
    void multiplicativeGaussianWeightNoisePassesGradientCheck() {
        MultiLayerNetwork net = WeightNoiseNets.DENSE.net(MaskDropConnect.gaussian(0.7), DataType.DOUBLE);
        GradientChecks.assertGradientsMatch(net, WeightNoiseNets.DENSE.features(DataType.DOUBLE),
                WeightNoiseNets.DENSE.labels(DataType.DOUBLE), null, null);
    }

    @Test
    void computationGraphWithDropConnectPassesGradientCheck() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nOut(5).activation(Activation.TANH)
                        .weightNoise(MaskDropConnect.bernoulli(0.6)).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nOut(4).activation(Activation.SIGMOID)
                        .weightNoise(MaskDropConnect.bernoulli(0.7)).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).weightNoise(MaskDropConnect.bernoulli(0.6)).build(), "a", "b")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        GradientChecks.assertGradientsMatch(graph, new INDArray[] {WeightNoiseNets.DENSE.features(DataType.DOUBLE)},
                new INDArray[] {WeightNoiseNets.DENSE.labels(DataType.DOUBLE)});
    }

    /** DL4J's Bidirectional runs two LSTM layers; DropConnect on the wrapped LSTM masks both directions' weights. */
    @Test
    void bidirectionalLstmWithDropConnectPassesGradientCheck() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new Bidirectional(new LSTM.Builder().nOut(3).activation(Activation.TANH)
                        .weightNoise(MaskDropConnect.bernoulli(0.7)).build()))
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        GradientChecks.assertGradientsMatch(net, WeightNoiseNets.LSTM.features(DataType.DOUBLE),
                WeightNoiseNets.LSTM.labels(DataType.DOUBLE), null, null);
    }

    /** Dropkit's public gradient check runs on DropConnect networks, and names DL4J's DropConnect when it fails. */
    @Test
    void dropoutGradientCheckPassesWithDropConnectAndExplainsDl4jsFailure() {
        INDArray x = WeightNoiseNets.DENSE.features(DataType.DOUBLE);
        INDArray y = WeightNoiseNets.DENSE.labels(DataType.DOUBLE);
        DropoutGradientCheck.of(WeightNoiseNets.DENSE.net(MaskDropConnect.bernoulli(0.6), DataType.DOUBLE))
                .run(x, y).assertPassed();
        GradientCheckResult dl4j = DropoutGradientCheck.of(WeightNoiseNets.DENSE.net(new DropConnect(0.6),
                DataType.DOUBLE)).run(x, y);
        assertFalse(dl4j.passed(), dl4j::toString);
        assertTrue(dl4j.toString().contains("MaskDropConnect"), dl4j::toString);
    }

    /** The check can fail: DL4J's DropConnect, reseeded the same way, gives dL/dW' for W and fails it. */
    @Test
    void dl4jDropConnectFailsTheSameGradientCheck() {
        MultiLayerNetwork net = WeightNoiseNets.DENSE.net(new DropConnect(0.6), DataType.DOUBLE);
        INDArray x = WeightNoiseNets.DENSE.features(DataType.DOUBLE);
        GradientChecks.assertDropoutActive(net, x, null, null);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x)
                .labels(WeightNoiseNets.DENSE.labels(DataType.DOUBLE))
                .callEachIter(n -> Nd4j.getRandom().setSeed(GradientChecks.RESEED)));
        assertFalse(ok, "DL4J's DropConnect applies dL/dW' to W: the numerical gradient of L(W * m) differs");
    }
}

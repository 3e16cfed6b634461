package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.testsupport.WeightNoiseNets;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * What DL4J 1.0.0-M2.1's own {@code DropConnect} does, as the README states it: kept weights are not scaled by 1/p
 * (training computes with p W on average, inference with W); the weight gradient is dL/dW' applied to W, so dropped
 * weights are updated; with {@code applyToBiases} the biases are dropped at inference too, because its condition
 * {@code train && isWeight || (applyToBiases && isBias)} binds as {@code (train && isWeight) || (applyToBiases &&
 * isBias)}; {@code WeightNoise} has the same condition, and its multiplicative noise the same gradient. The numbers
 * the README quotes are printed.
 */
@ExtendWith(DoublePrecision.class)
class Dl4jDropConnectFindingsTest {

    private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

    /** One dense layer of 200 x 200 weights of 1 and biases of 1, under the given DL4J DropConnect. */
    private static MultiLayerNetwork ones(DropConnect dc) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new DenseLayer.Builder().nIn(200).nOut(200).activation(Activation.IDENTITY).weightNoise(dc)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).getParam("W").assign(1.0);
        net.getLayer(0).getParam("b").assign(1.0);
        return net;
    }

    @Test
    void keptWeightsAreNotScaledSoTrainingSeesPTimesTheWeights() {
        double p = 0.5;
        MultiLayerNetwork net = ones(new DropConnect(p));
        Layer layer = net.getLayer(0);
        Nd4j.getRandom().setSeed(12);
        INDArray noisy = new DropConnect(p).getParameter(layer, "W", 0, 0, true, NO_WORKSPACES);
        double kept = noisy.neq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        double max = noisy.maxNumber().doubleValue();
        double meanRatio = noisy.sumNumber().doubleValue() / layer.getParam("W").sumNumber().doubleValue();
        System.out.printf("DL4J DropConnect(%.1f): kept fraction %.4f, kept value %.1f (W = 1), mean(W')/mean(W) = "
                + "%.4f%n", p, kept, max, meanRatio);
        assertEquals(p, kept, 5 * Math.sqrt(p * (1 - p) / 40000), "kept fraction (5 binomial sd of 40000 draws)");
        assertEquals(1.0, max, 0.0, "a kept weight is W itself, not W / p = 2");
        assertEquals(0.0, noisy.minNumber().doubleValue(), 0.0, "a dropped weight is 0");
        assertEquals(p, meanRatio, 5 * Math.sqrt(p * (1 - p) / 40000), "training weights average p W");

        INDArray x = Nd4j.ones(DataType.DOUBLE, 1, 200);
        Nd4j.getRandom().setSeed(13);
        double train = net.feedForward(x, true).get(1).meanNumber().doubleValue();
        INDArray layerOutTest = net.feedForward(x, false).get(1);
        System.out.printf("DL4J DropConnect(%.1f): mean pre-activation training %.3f, inference %.3f%n", p, train,
                layerOutTest.meanNumber().doubleValue());
        assertEquals(201.0, layerOutTest.meanNumber().doubleValue(), 0.0, "inference: 200 weights of 1 plus b = 1");
        assertEquals(100.0 + 1.0, train, 5 * Math.sqrt(200 * p * (1 - p) / 200) + 1e-9,
                "training: about p * 200 + b (mean of 200 units, 5 sd)");
    }

    /** The gradient DL4J gives W is the gradient at W' = W * m, unmasked: dropped weights get a gradient. */
    @Test
    void droppedWeightsGetTheGradientAtTheNoisyWeights() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        double p = 0.5;
        MultiLayerNetwork net = nets.net(new DropConnect(p), DataType.DOUBLE);
        // DL4J's DropConnect draws from Nd4j.getRandom(): the same seed gives the mask of the pass below.
        Nd4j.getRandom().setSeed(21);
        INDArray noisy0 = new DropConnect(p).getParameter(net.getLayer(0), "W", 0, 0, true, NO_WORKSPACES).dup();
        INDArray noisy1 = new DropConnect(p).getParameter(net.getLayer(1), "W", 0, 0, true, NO_WORKSPACES).dup();
        MultiLayerNetwork atNoisy = nets.net(null, DataType.DOUBLE);
        atNoisy.setParams(net.params().dup());
        atNoisy.getLayer(0).setParam("W", noisy0);
        atNoisy.getLayer(1).setParam("W", noisy1);

        INDArray x = nets.features(DataType.DOUBLE);
        INDArray y = nets.labels(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(21);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        atNoisy.setInput(x);
        atNoisy.setLabels(y);
        atNoisy.computeGradientAndScore();
        assertEquals(atNoisy.score(), net.score(), 0.0, "the pass computed with W' as reproduced");
        INDArray g = net.gradient().getGradientFor("0_W");
        assertBitwiseEqual(atNoisy.gradient().getGradientFor("0_W"), g, "DL4J's dL/dW is dL/dW'");

        INDArray dropped = noisy0.eq(0.0).castTo(DataType.DOUBLE);
        double droppedCount = dropped.sumNumber().doubleValue();
        double withGradient = dropped.mul(g.neq(0.0).castTo(DataType.DOUBLE)).sumNumber().doubleValue();
        System.out.printf("DL4J DropConnect(%.1f): %d of %d dropped weights of a 4x5 dense layer get a non-zero"
                + " gradient%n", p, (int) withGradient, (int) droppedCount);
        assertTrue(droppedCount > 0 && withGradient > 0, "dropped weights get a gradient");
        // A weight with no gradient feeds a hidden unit j whose outgoing weights (row j of W'1) were all dropped.
        for (int i = 0; i < g.rows(); i++) {
            for (int j = 0; j < g.columns(); j++) {
                if (g.getDouble(i, j) == 0.0) {
                    double kept = noisy1.getRow(j).neq(0.0).castTo(DataType.DOUBLE).sumNumber().doubleValue();
                    assertEquals(0.0, kept, 0.0, "zero gradient at (" + i + ", " + j + "): unit " + j
                            + " feeds nothing");
                }
            }
        }
    }

    @Test
    void withApplyToBiasesBiasesAreDroppedAtInference() {
        double p = 0.5;
        DropConnect dc = new DropConnect(p, true);
        MultiLayerNetwork net = ones(dc);
        Layer layer = net.getLayer(0);
        INDArray b = layer.getParam("b");
        Nd4j.getRandom().setSeed(14);
        INDArray atInference = dc.getParameter(layer, "b", 0, 0, false, NO_WORKSPACES);
        assertSame(layer.getParam("W"), dc.getParameter(layer, "W", 0, 0, false, NO_WORKSPACES),
                "weights at inference are W");
        double droppedAtInference = atInference.eq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        System.out.printf("DL4J DropConnect(%.1f, applyToBiases=true): %.3f of 200 biases are 0 at inference%n", p,
                droppedAtInference);
        assertFalse(atInference.equals(b), "biases are dropped at inference");
        assertEquals(p, 1 - droppedAtInference, 5 * Math.sqrt(p * (1 - p) / 200), "about 1 - p of them (5 sd)");

        INDArray x = Nd4j.ones(DataType.DOUBLE, 1, 200);
        assertFalse(net.output(x, false).equals(net.output(x, false)), "two inference passes give different outputs");
    }
    /** DL4J's WeightNoise has the same condition: with applyToBias its biases are perturbed at inference too. */
    @Test
    void weightNoiseWithApplyToBiasPerturbsBiasesAtInference() {
        WeightNoise noise = new WeightNoise(new NormalDistribution(1.0, 0.5), true, false);
        MultiLayerNetwork net = ones(null);
        Layer layer = net.getLayer(0);
        Nd4j.getRandom().setSeed(15);
        INDArray b = noise.getParameter(layer, "b", 0, 0, false, NO_WORKSPACES);
        assertFalse(b.equals(layer.getParam("b")), "biases multiplied by N(1, 0.25) noise at inference");
        assertSame(layer.getParam("W"), noise.getParameter(layer, "W", 0, 0, false, NO_WORKSPACES));
    }

    /** Its multiplicative noise gets the gradient at the noisy weights too: DL4J's gradient check fails. */
    @Test
    void multiplicativeWeightNoiseFailsTheReseededGradientCheck() {
        WeightNoiseNets nets = WeightNoiseNets.DENSE;
        MultiLayerNetwork net = nets.net(new WeightNoise(new NormalDistribution(1.0, 0.5), false), DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                .input(nets.features(DataType.DOUBLE)).labels(nets.labels(DataType.DOUBLE))
                .callEachIter(n -> Nd4j.getRandom().setSeed(16)));
        assertFalse(ok, "dL/dW' applied to W is not the gradient of L(W * n)");
    }
}

package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
import org.dropkit.testsupport.WeightNoiseNets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The exact DropConnect gradient, bit for bit: a network with {@link MaskDropConnect} computes the same score as the
 * same network without it whose weights are {@code W' = W * m}, and its weight gradient is that network's gradient
 * times m, {@code dL/dW = dL/dW' * m}; so a dropped weight gets exactly zero gradient. Dense, convolution and LSTM
 * (input and recurrent weights) layers with their output layers, FLOAT and DOUBLE, both storages, weights only and
 * weights and biases.
 */
class DropConnectExactTest {

    private static final long SEED = 2024;
    private static final double P = 0.6;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (WeightNoiseNets nets : WeightNoiseNets.values()) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                for (MaskStorage storage : MaskStorage.values()) {
                    cases.add(Arguments.of(nets, type, storage, false));
                }
                cases.add(Arguments.of(nets, type, MaskStorage.RECOMPUTE, true));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2} biases={3}")
    @MethodSource("cases")
    void weightGradientIsGradientAtNoisyWeightsTimesMaskBitForBit(WeightNoiseNets nets, DataType type,
            MaskStorage storage, boolean biases) {
        MaskDropConnect noise = MaskDropConnect.bernoulli(P).storage(storage).applyToBiases(biases);
        // DL4J's RnnOutputLayer releases W' in its backward pass, so the score it reports after it comes from a
        // second draw (with DL4J's DropConnect too); the gradients are those of the first.
        assertExact(nets.net(noise, type), nets.net(null, type), nets.paramsInDrawOrder(biases), nets.features(type),
                nets.labels(type), nets != WeightNoiseNets.LSTM);
    }

    /**
     * Layers with enough weights that Bernoulli mask passes take the engine's two-step form (the mask written alone,
     * then ND4J's multiply): the dense layer's gradient gets its regenerated mask through the memory of W', which the
     * layer has released; the output layer, which still reads W' after its gradient is masked, gets the one-sweep
     * pass. Same bits as the small networks' path; Gaussian masks of the same size (one sweep) alongside.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wideCases")
    void wideLayersTakeTheTwoStepPassesWithTheSameExactGradient(DataType type, MaskKind kind) {
        MaskDropConnect noise = kind == MaskKind.GAUSSIAN ? MaskDropConnect.gaussian(P) : MaskDropConnect.bernoulli(P);
        MultiLayerNetwork net = wide(noise, type);
        MaskSpec spec = MaskSpec.of(kind, P, Scaling.INVERTED, new int[0]);
        for (int layer = 0; layer < 2; layer++) {
            assertEquals(kind == MaskKind.BERNOULLI, MaskEngine.takesTwoSteps(spec, net.getLayer(layer).getParam("W")),
                    "layer " + layer + ": Bernoulli masks of this size take two steps, Gaussian ones one sweep");
        }
        INDArray x = Transforms.sin(Nd4j.arange(4 * WIDE_IN).castTo(type).muli(0.37), false).muli(0.5)
                .reshape('c', 4, WIDE_IN);
        INDArray y = Nd4j.zeros(type, 4, WIDE_OUT);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, (7 * i) % WIDE_OUT, 1.0);
        }
        List<String[]> keys = List.of(new String[] {"0", "W"}, new String[] {"1", "W"});
        assertExact(net, wide(null, type), keys, x, y, true, kind);
    }

    static List<Arguments> wideCases() {
        List<Arguments> cases = new ArrayList<>();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) {
                cases.add(Arguments.of(type, kind));
            }
        }
        return cases;
    }

    private static final int WIDE_IN = 300;
    private static final int WIDE_HIDDEN = 300;
    private static final int WIDE_OUT = 250;

    /** DenseLayer(300 -> 300, tanh), 90000 weights, and OutputLayer(300 -> 250, softmax), 75000. */
    private static MultiLayerNetwork wide(IWeightNoise noise, DataType type) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(11).dataType(type)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nOut(WIDE_HIDDEN).activation(Activation.TANH)
                        .weightNoise(noise == null ? null : noise.clone()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(WIDE_OUT)
                        .activation(Activation.SOFTMAX).weightNoise(noise == null ? null : noise.clone()).build())
                .setInputType(InputType.feedForward(WIDE_IN)).build());
        net.init();
        return net;
    }

    private static void assertExact(MultiLayerNetwork net, MultiLayerNetwork atNoisyWeights, List<String[]> keys,
            INDArray x, INDArray y, boolean sameScore) {
        assertExact(net, atNoisyWeights, keys, x, y, sameScore, MaskKind.BERNOULLI);
    }

    /**
     * {@code net} (with DropConnect of kind {@code kind}, p = P, on the parameters {@code keys}) computes the score
     * of {@code atNoisyWeights} (the same network without it) set to W' = W * m, and the gradient of that network
     * times m on the dropped parameters, bit for bit.
     */
    private static void assertExact(MultiLayerNetwork net, MultiLayerNetwork atNoisyWeights, List<String[]> keys,
            INDArray x, INDArray y, boolean sameScore, MaskKind kind) {
        DataType type = x.dataType();
        atNoisyWeights.setParams(net.params().dup());

        // The masks a training pass from SEED draws: one seed per weight, in the order the layers read them.
        Nd4j.getRandom().setSeed(SEED);
        List<INDArray> masks = new ArrayList<>();
        for (String[] key : keys) {
            INDArray w = net.getLayer(Integer.parseInt(key[0])).getParam(key[1]);
            INDArray m = WeightNoiseNets.weightMask(w, MaskSpec.of(kind, P, Scaling.INVERTED, new int[0]),
                    MaskEngine.drawSeed());
            masks.add(m);
            INDArray noisy = MaskEngine.multiply(w, m, Nd4j.createUninitialized(type, w.shape(), w.ordering()));
            atNoisyWeights.getLayer(Integer.parseInt(key[0])).setParam(key[1], noisy);
        }

        Nd4j.getRandom().setSeed(SEED);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        atNoisyWeights.setInput(x);
        atNoisyWeights.setLabels(y);
        atNoisyWeights.computeGradientAndScore();

        if (sameScore) {
            assertEquals(atNoisyWeights.score(), net.score(), 0.0, "the training pass computes with W' = W * m");
        }
        int droppedWithGradient = 0;
        List<String> masked = new ArrayList<>();
        for (String name : net.gradient().gradientForVariable().keySet()) {
            INDArray actual = net.gradient().getGradientFor(name);
            INDArray atNoisy = atNoisyWeights.gradient().getGradientFor(name);
            int k = indexOf(keys, name);
            if (k < 0) {
                assertBitwiseEqual(atNoisy, actual, name + ": not dropped, its gradient is dL/db");
                continue;
            }
            INDArray m = masks.get(k);
            INDArray expected = MaskEngine.multiply(atNoisy, m, Nd4j.createUninitialized(type, m.shape(), 'c'));
            assertBitwiseEqual(expected, actual, name + ": dL/dW = dL/dW' * m");
            masked.add(name);
            if (kind != MaskKind.BERNOULLI) {
                continue;
            }
            INDArray flatMask = m.dup('c').reshape(-1);
            INDArray flatActual = actual.dup('c').reshape(-1);
            INDArray flatAtNoisy = atNoisy.dup('c').reshape(-1);
            for (long i = 0; i < flatMask.length(); i++) {
                if (flatMask.getDouble(i) == 0.0) {
                    assertEquals(0.0, flatActual.getDouble(i), 0.0, name + ": a dropped weight has no gradient");
                    droppedWithGradient += flatAtNoisy.getDouble(i) != 0.0 ? 1 : 0;
                }
            }
        }
        assertTrue(kind != MaskKind.BERNOULLI || droppedWithGradient > 0,
                "some dropped weights have a non-zero dL/dW': the check is not vacuous");
        assertEquals(keys.size(), masked.size(), "every dropped parameter was checked: " + masked);
    }

    private static int indexOf(List<String[]> keys, String gradientName) {
        for (int i = 0; i < keys.size(); i++) {
            if (gradientName.equals(keys.get(i)[0] + "_" + keys.get(i)[1])) {
                return i;
            }
        }
        return -1;
    }
}

package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
import org.dropkit.testsupport.WeightNoiseNets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        MultiLayerNetwork net = nets.net(MaskDropConnect.bernoulli(P).storage(storage).applyToBiases(biases), type);
        MultiLayerNetwork atNoisyWeights = nets.net(null, type);
        atNoisyWeights.setParams(net.params().dup());

        // The masks a training pass from SEED draws: one seed per weight, in the order the layers read them.
        Nd4j.getRandom().setSeed(SEED);
        List<String[]> keys = nets.paramsInDrawOrder(biases);
        List<INDArray> masks = new ArrayList<>();
        for (String[] key : keys) {
            INDArray w = net.getLayer(Integer.parseInt(key[0])).getParam(key[1]);
            INDArray m = WeightNoiseNets.weightMask(w, MaskSpec.of(MaskKind.BERNOULLI, P, Scaling.INVERTED,
                    new int[0]), MaskEngine.drawSeed());
            masks.add(m);
            INDArray noisy = MaskEngine.multiply(w, m, Nd4j.createUninitialized(type, w.shape(), w.ordering()));
            atNoisyWeights.getLayer(Integer.parseInt(key[0])).setParam(key[1], noisy);
        }

        INDArray x = nets.features(type);
        INDArray y = nets.labels(type);
        Nd4j.getRandom().setSeed(SEED);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        atNoisyWeights.setInput(x);
        atNoisyWeights.setLabels(y);
        atNoisyWeights.computeGradientAndScore();

        // DL4J's RnnOutputLayer releases W' in its backward pass, so the score it reports after it comes from a
        // second draw (with DL4J's DropConnect too); the gradients below are those of the first.
        if (nets != WeightNoiseNets.LSTM) {
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
        assertTrue(droppedWithGradient > 0, "some dropped weights have a non-zero dL/dW': the check is not vacuous");
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

package org.dropkit.testsupport;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.internal.MaskEngine;
import org.dropkit.internal.MaskSpec;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Small networks with weight noise on every parameterized layer, for the DropConnect tests: dense, convolution and
 * LSTM, each with its output layer, in a chosen data type. A null noise gives the same network without it.
 */
public enum WeightNoiseNets {

    /** DenseLayer(4 -> 5, tanh) and OutputLayer(5 -> 3, softmax). */
    DENSE,
    /** ConvolutionLayer(2 -> 3 channels, 2x2 kernel, tanh) on 4x4 NCHW input and OutputLayer(-> 3, softmax). */
    CONV,
    /** LSTM(3 -> 4, tanh) over 5 time steps and RnnOutputLayer(4 -> 2, softmax). */
    LSTM;

    /** The (layer index, parameter key) of each weight, in the order a training pass draws their masks. */
    public List<String[]> weightsInDrawOrder() {
        return paramsInDrawOrder(false);
    }

    /**
     * The (layer index, parameter key) of each weight, and of each bias too if {@code biases}, in the order a
     * training pass draws their masks: the order in which DL4J's layers read them.
     */
    public List<String[]> paramsInDrawOrder(boolean biases) {
        List<String[]> keys = new ArrayList<>();
        switch (this) {
            case DENSE:
                keys.add(new String[] {"0", "W"});
                addIf(biases, keys, "0", "b");
                keys.add(new String[] {"1", "W"});
                addIf(biases, keys, "1", "b");
                break;
            case CONV:
                // DL4J's ConvolutionLayer reads its bias before its weights.
                addIf(biases, keys, "0", "b");
                keys.add(new String[] {"0", "W"});
                keys.add(new String[] {"1", "W"});
                addIf(biases, keys, "1", "b");
                break;
            default:
                // DL4J's LSTM reads its recurrent weights, then its input weights, then its bias.
                keys.add(new String[] {"0", "RW"});
                keys.add(new String[] {"0", "W"});
                addIf(biases, keys, "0", "b");
                keys.add(new String[] {"1", "W"});
                addIf(biases, keys, "1", "b");
                break;
        }
        return keys;
    }

    private static void addIf(boolean add, List<String[]> keys, String layer, String param) {
        if (add) {
            keys.add(new String[] {layer, param});
        }
    }

    /**
     * The DropConnect mask of (spec, seed) for parameter w, in w's shape: the mask engine's value at each weight's
     * position in w's buffer (DL4J's parameter order), which is what DropConnect uses.
     */
    public static INDArray weightMask(INDArray w, MaskSpec spec, long seed) {
        INDArray flat = MaskEngine.fill(spec, seed, Nd4j.createUninitialized(w.dataType(), new long[] {w.length()}, 'c'));
        return flat.reshape(w.ordering(), w.shape());
    }

    public MultiLayerNetwork net(IWeightNoise noise, DataType type) {
        return net(noise, type, new NoOp(), 7);
    }

    public MultiLayerNetwork net(IWeightNoise noise, DataType type, IUpdater updater, long seed) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(updater).weightInit(WeightInit.XAVIER).list();
        switch (this) {
            case DENSE:
                b.layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).weightNoise(copy(noise)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                                .activation(Activation.SOFTMAX).weightNoise(copy(noise)).build())
                        .setInputType(InputType.feedForward(4));
                break;
            case CONV:
                b.layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH)
                                .weightNoise(copy(noise)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                                .activation(Activation.SOFTMAX).weightNoise(copy(noise)).build())
                        .setInputType(InputType.convolutional(4, 4, 2));
                break;
            default:
                b.layer(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nOut(4).activation(Activation.TANH)
                                .weightNoise(copy(noise)).build())
                        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                                .activation(Activation.SOFTMAX).weightNoise(copy(noise)).build())
                        .setInputType(InputType.recurrent(3, 5));
                break;
        }
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static IWeightNoise copy(IWeightNoise noise) {
        return noise == null ? null : noise.clone();
    }

    /** Input of a few examples in [-0.5, 0.5], a fixed function of the index (it draws no random number). */
    public INDArray features(DataType type) {
        long[] shape = this == DENSE ? new long[] {6, 4}
                : this == CONV ? new long[] {3, 2, 4, 4} : new long[] {3, 3, 5};
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return Transforms.sin(Nd4j.arange(n).castTo(type).muli(0.7), false).muli(0.5).reshape('c', shape);
    }

    /** One-hot labels matching {@link #features}. */
    public INDArray labels(DataType type) {
        if (this == LSTM) {
            INDArray labels = Nd4j.zeros(type, 3, 2, 5);
            for (int i = 0; i < 3; i++) {
                for (int t = 0; t < 5; t++) {
                    labels.putScalar(new long[] {i, (i + t) % 2, t}, 1.0);
                }
            }
            return labels;
        }
        int n = this == DENSE ? 6 : 3;
        INDArray labels = Nd4j.zeros(type, n, 3);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return labels;
    }
}

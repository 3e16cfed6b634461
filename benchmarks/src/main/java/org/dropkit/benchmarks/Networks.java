package org.dropkit.benchmarks;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropConnect;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The three networks of the whole-network benchmarks, each built with a chosen dropout on the layers that take
 * hidden activations (DL4J applies a layer's dropout to that layer's input), or, for the MLP, DropConnect on the
 * weights of its two hidden layers instead. FLOAT, Adam, workspaces enabled (DL4J's default).
 */
public final class Networks {

    /** Network shapes. */
    public enum Kind {
        /**
         * 784-1024-1024-10 ReLU MLP, batch 128, p = 0.5 on both hidden activations; with a DropConnect choice,
         * p = 0.5 on the weights of both hidden layers (784 x 1024 and 1024 x 1024) instead.
         */
        MLP,
        /**
         * MNIST-sized CNN, batch 64: conv 5x5x32, max-pool, conv 5x5x64 (p = 0.8 on its input, 4-D), max-pool,
         * dense 256 (p = 0.5), softmax 10 (p = 0.5).
         */
        CNN,
        /** Two LSTM(256) layers over 64 features x 50 steps, batch 32, p = 0.8 on the inputs of LSTM 2 and the output. */
        LSTM
    }

    /**
     * Which dropout the network uses: none, activation dropout (DL4J's {@code Dropout} or Dropkit's Bernoulli
     * {@code MaskDropout}), or DropConnect on the hidden layers' weights (DL4J's {@code DropConnect} or Dropkit's
     * {@code MaskDropConnect}), each Dropkit choice with its mask regenerated (RECOMPUTE) or kept (STORED).
     */
    public enum DropoutChoice {
        NONE, DL4J_DROPOUT, DROPKIT_RECOMPUTE, DROPKIT_STORED,
        DL4J_DROPCONNECT, DROPKIT_DROPCONNECT_RECOMPUTE, DROPKIT_DROPCONNECT_STORED;

        /** True for the weight-noise choices (DropConnect on weights, no activation dropout). */
        public boolean isDropConnect() {
            return this == DL4J_DROPCONNECT || this == DROPKIT_DROPCONNECT_RECOMPUTE
                    || this == DROPKIT_DROPCONNECT_STORED;
        }

        /** The DL4J built-in this choice is compared with: DL4J's {@code Dropout} or its {@code DropConnect}. */
        public DropoutChoice baseline() {
            return isDropConnect() ? DL4J_DROPCONNECT : DL4J_DROPOUT;
        }

        /** Whether the choice is benchmarked on this network: DropConnect on the MLP only. */
        public boolean appliesTo(Kind kind) {
            return !isDropConnect() || kind == Kind.MLP;
        }

        IDropout create(double p) {
            switch (this) {
                case DL4J_DROPOUT:
                    return new Dropout(p);
                case DROPKIT_RECOMPUTE:
                    return MaskDropout.bernoulli(p).storage(MaskStorage.RECOMPUTE);
                case DROPKIT_STORED:
                    return MaskDropout.bernoulli(p).storage(MaskStorage.STORED);
                default:
                    return null;
            }
        }

        IWeightNoise weightNoise(double p) {
            switch (this) {
                case DL4J_DROPCONNECT:
                    return new DropConnect(p);
                case DROPKIT_DROPCONNECT_RECOMPUTE:
                    return MaskDropConnect.bernoulli(p).storage(MaskStorage.RECOMPUTE);
                case DROPKIT_DROPCONNECT_STORED:
                    return MaskDropConnect.bernoulli(p).storage(MaskStorage.STORED);
                default:
                    return null;
            }
        }
    }

    private Networks() {
    }

    static MultiLayerNetwork build(Kind kind, DropoutChoice choice) {
        if (!choice.appliesTo(kind)) {
            throw new IllegalArgumentException(choice + " is benchmarked on the MLP only, not on " + kind);
        }
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.FLOAT)
                .updater(new Adam(1e-3))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
        MultiLayerConfiguration conf;
        switch (kind) {
            case MLP:
                conf = list
                        .layer(new DenseLayer.Builder().nIn(784).nOut(1024).activation(Activation.RELU)
                                .weightNoise(choice.weightNoise(0.5)).build())
                        .layer(new DenseLayer.Builder().nOut(1024).activation(Activation.RELU)
                                .dropOut(choice.create(0.5)).weightNoise(choice.weightNoise(0.5)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                                .activation(Activation.SOFTMAX).dropOut(choice.create(0.5)).build())
                        .setInputType(InputType.feedForward(784))
                        .build();
                break;
            case CNN:
                conf = list
                        .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).activation(Activation.RELU).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                                .stride(2, 2).build())
                        .layer(new ConvolutionLayer.Builder(5, 5).nOut(64).activation(Activation.RELU)
                                .dropOut(choice.create(0.8)).build())
                        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                                .stride(2, 2).build())
                        .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU)
                                .dropOut(choice.create(0.5)).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                                .activation(Activation.SOFTMAX).dropOut(choice.create(0.5)).build())
                        .setInputType(InputType.convolutional(28, 28, 1))
                        .build();
                break;
            case LSTM:
                conf = list
                        .layer(new LSTM.Builder().nIn(64).nOut(256).activation(Activation.TANH).build())
                        .layer(new LSTM.Builder().nOut(256).activation(Activation.TANH)
                                .dropOut(choice.create(0.8)).build())
                        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                                .activation(Activation.SOFTMAX).dropOut(choice.create(0.8)).build())
                        .setInputType(InputType.recurrent(64, 50))
                        .build();
                break;
            default:
                throw new AssertionError(kind);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** One random minibatch for the network: U(0, 1) features, one-hot labels. */
    static DataSet batch(Kind kind) {
        Nd4j.getRandom().setSeed(7);
        long[] features;
        long[] labels;
        switch (kind) {
            case MLP:
                features = new long[] {128, 784};
                labels = new long[] {128, 10};
                break;
            case CNN:
                features = new long[] {64, 1, 28, 28};
                labels = new long[] {64, 10};
                break;
            case LSTM:
                features = new long[] {32, 64, 50};
                labels = new long[] {32, 10, 50};
                break;
            default:
                throw new AssertionError(kind);
        }
        INDArray f = Nd4j.rand(DataType.FLOAT, features);
        INDArray l = Nd4j.zeros(DataType.FLOAT, labels);
        java.util.Random r = new java.util.Random(7);
        if (labels.length == 2) {
            for (int i = 0; i < labels[0]; i++) {
                l.putScalar(i, r.nextInt(10), 1.0);
            }
        } else {
            for (int i = 0; i < labels[0]; i++) {
                for (int t = 0; t < labels[2]; t++) {
                    l.putScalar(new long[] {i, r.nextInt(10), t}, 1.0);
                }
            }
        }
        return new DataSet(f, l);
    }
}

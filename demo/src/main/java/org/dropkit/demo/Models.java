package org.dropkit.demo;

import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The networks of the demo. Each experiment trains one architecture several times, changing only the dropout layers
 * between the hidden layers: none, DL4J's own, or Dropkit's. Dropout is a standalone layer after the activations it
 * drops, so every variant has the same weights for the same seed.
 */
final class Models {

    private Models() {
    }

    /**
     * The MLP variants: dense(relu) -> [dropout] -> dense(relu) -> [dropout] -> softmax. Dropkit's Bernoulli dropout
     * runs twice, keeping its masks (STORED) and regenerating them from a seed (RECOMPUTE, the default): the masks
     * are the same, so the results are too, and only the memory kept differs.
     */
    static List<Variant> mlp(int features, int hidden, int classes, double p, double learningRate) {
        return List.of(
                new Variant("none", "-", false,
                        seed -> mlp(seed, features, hidden, classes, learningRate, null)),
                new Variant("DL4J Dropout", "DropoutLayer(new Dropout(" + p + "))", false,
                        seed -> mlp(seed, features, hidden, classes, learningRate,
                                name -> new DropoutLayer.Builder(new Dropout(p)).name(name).build())),
                new Variant("Dropkit Bernoulli", "MaskDropout.bernoulli(" + p + ")", true,
                        seed -> mlp(seed, features, hidden, classes, learningRate,
                                name -> new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p)).name(name)
                                        .build())),
                new Variant("Dropkit Bernoulli STORED", "MaskDropout.bernoulli(" + p + ").storage(STORED)", false,
                        seed -> mlp(seed, features, hidden, classes, learningRate,
                                name -> new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p)
                                        .storage(MaskStorage.STORED)).name(name).build())),
                new Variant("Dropkit Gaussian", "MaskDropout.gaussian(" + p + ")", true,
                        seed -> mlp(seed, features, hidden, classes, learningRate,
                                name -> new MaskDropoutLayer.Builder(MaskDropout.gaussian(p)).name(name)
                                        .build())));
    }

    private static MultiLayerNetwork mlp(long seed, int features, int hidden, int classes, double learningRate,
            Function<String, Layer> dropout) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(learningRate)).weightInit(WeightInit.RELU).list();
        list.layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.RELU).name("dense1").build());
        if (dropout != null) {
            list.layer(dropout.apply("dropout1"));
        }
        list.layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.RELU).name("dense2").build());
        if (dropout != null) {
            list.layer(dropout.apply("dropout2"));
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).name("output").build());
        MultiLayerConfiguration conf = list.setInputType(InputType.feedForward(features)).build();
        return new MultiLayerNetwork(conf);
    }

    /**
     * The CNN variants: conv(relu) -> [spatial dropout] -> conv(relu) -> global max pool -> dense(relu) -> softmax.
     * Spatial dropout drops whole feature maps: one mask value per (example, channel), shared over height and width.
     */
    static List<Variant> cnn(int size, int channels, int classes, double p, double learningRate) {
        return List.of(
                new Variant("none", "-", false, seed -> cnn(seed, size, channels, classes, learningRate, null)),
                new Variant("DL4J SpatialDropout", "DropoutLayer(new SpatialDropout(" + p + "))", false,
                        seed -> cnn(seed, size, channels, classes, learningRate,
                                new DropoutLayer.Builder(new SpatialDropout(p)).name("spatial").build())),
                new Variant("Dropkit spatial", "MaskDropout.bernoulli(" + p + ").spatial(NCHW)", true,
                        seed -> cnn(seed, size, channels, classes, learningRate,
                                new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p).spatial(CNN2DFormat.NCHW))
                                        .name("spatial").build())));
    }

    private static MultiLayerNetwork cnn(long seed, int size, int channels, int classes, double learningRate,
            Layer dropout) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(learningRate)).weightInit(WeightInit.RELU).list();
        list.layer(new ConvolutionLayer.Builder(3, 3).nOut(channels).activation(Activation.RELU).name("conv1")
                .build());
        if (dropout != null) {
            list.layer(dropout);
        }
        list.layer(new ConvolutionLayer.Builder(3, 3).nOut(2 * channels).activation(Activation.RELU).name("conv2")
                .build());
        list.layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).name("pool").build());
        list.layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).name("dense").build());
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).name("output").build());
        MultiLayerConfiguration conf = list.setInputType(InputType.convolutional(size, size, 1)).build();
        return new MultiLayerNetwork(conf);
    }
}

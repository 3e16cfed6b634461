package org.dropkit.demo;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The networks of the demo. Each experiment trains one architecture several times, changing only its dropout: none,
 * DL4J's own, or Dropkit's. Dropout as a layer sits after the activations it drops; {@code .dropOut(...)} acts on the
 * input of the layer it is set on, the same activations. Variants without dropout layers have the same weights for
 * the same seed; with a layer, parameter initialization is the same too (dropout layers have no parameters).
 */
final class Models {

    private Models() {
    }

    /**
     * The MLP variants: 64 -> dense(relu) -> [dropout] -> dense(relu) -> [dropout] -> softmax(10). Dropkit's
     * Bernoulli dropout runs twice, keeping its masks (STORED) and regenerating them from a seed (RECOMPUTE, the
     * default): the masks are the same, so the results are too, and only the memory kept differs.
     */
    static List<Variant> mlp(Settings s, double p) {
        return List.of(
                new Variant(Variant.NONE, "-", false, seed -> mlp(seed, s, p, null)),
                new Variant("DL4J Dropout", "DropoutLayer(new Dropout(" + p + "))", false,
                        seed -> mlp(seed, s, p, (name, q) -> new DropoutLayer.Builder(new Dropout(q)).name(name).build())),
                new Variant("Dropkit Bernoulli", "MaskDropout.bernoulli(" + p + ")", true,
                        seed -> mlp(seed, s, p, (name, q) -> new MaskDropoutLayer.Builder(MaskDropout.bernoulli(q))
                                .name(name).build())),
                new Variant("Dropkit Bernoulli STORED", "MaskDropout.bernoulli(" + p + ").storage(STORED)", false,
                        seed -> mlp(seed, s, p, (name, q) -> new MaskDropoutLayer.Builder(MaskDropout.bernoulli(q)
                                .storage(MaskStorage.STORED)).name(name).build())),
                new Variant("Dropkit Gaussian", "MaskDropout.gaussian(" + p + ")", true,
                        seed -> mlp(seed, s, p, (name, q) -> new MaskDropoutLayer.Builder(MaskDropout.gaussian(q))
                                .name(name).build())));
    }

    private static MultiLayerNetwork mlp(long seed, Settings s, double p, BiFunction<String, Double, Layer> dropout) {
        NeuralNetConfiguration.ListBuilder list = builder(seed, s.mlpLearningRate).list();
        if (dropout != null && s.inputRetain < 1) {
            list.layer(dropout.apply("dropout0", s.inputRetain));
        }
        list.layer(new DenseLayer.Builder().nOut(s.mlpHidden).activation(Activation.RELU).name("dense1").build());
        if (dropout != null) {
            list.layer(dropout.apply("dropout1", p));
        }
        list.layer(new DenseLayer.Builder().nOut(s.mlpHidden).activation(Activation.RELU).name("dense2").build());
        if (dropout != null) {
            list.layer(dropout.apply("dropout2", p));
        }
        list.layer(output());
        return network(list, Input.FLAT);
    }

    /**
     * The CNN variants: conv3x3(relu) -> [spatial dropout] -> conv3x3(relu) -> [spatial dropout] -> max pool 2x2 ->
     * dense(relu) -> [dropout] -> softmax(10), on 8x8 images with "same" padding. Spatial dropout drops whole feature
     * maps, one mask value per (example, channel) shared over height and width, with retain probability
     * {@code s.spatialRetain}; the dropout before the output layer drops single units with retain probability p.
     */
    static List<Variant> cnn(Settings s, double p) {
        double q = s.spatialRetain;
        return List.of(
                new Variant(Variant.NONE, "-", false, seed -> cnn(seed, s, null, null)),
                new Variant("DL4J SpatialDropout", "SpatialDropout(" + q + "), Dropout(" + p + ")", false,
                        seed -> cnn(seed, s, name -> new DropoutLayer.Builder(new SpatialDropout(q)).name(name)
                                .build(), new DropoutLayer.Builder(new Dropout(p)).name("dropout").build())),
                new Variant("Dropkit spatial", "bernoulli(" + q + ").spatial(NCHW), bernoulli(" + p + ")", false,
                        seed -> cnn(seed, s, name -> new MaskDropoutLayer.Builder(MaskDropout.bernoulli(q)
                                .spatial(CNN2DFormat.NCHW)).name(name).build(),
                                new MaskDropoutLayer.Builder(MaskDropout.bernoulli(p)).name("dropout").build())));
    }

    private static MultiLayerNetwork cnn(long seed, Settings s, Function<String, Layer> spatial, Layer dense) {
        NeuralNetConfiguration.ListBuilder list = builder(seed, s.cnnLearningRate).convolutionMode(ConvolutionMode.Same)
                .list();
        list.layer(new ConvolutionLayer.Builder(3, 3).nOut(s.cnnChannels).activation(Activation.RELU).name("conv1")
                .build());
        if (spatial != null) {
            list.layer(spatial.apply("spatial1"));
        }
        list.layer(new ConvolutionLayer.Builder(3, 3).nOut(2 * s.cnnChannels).activation(Activation.RELU)
                .name("conv2").build());
        if (spatial != null) {
            list.layer(spatial.apply("spatial2"));
        }
        list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .name("pool").build());
        list.layer(new DenseLayer.Builder().nOut(s.cnnDense).activation(Activation.RELU).name("dense").build());
        if (dense != null) {
            list.layer(dense);
        }
        list.layer(output());
        return network(list, Input.IMAGE);
    }

    /**
     * The LSTM variants: the digit read row by row (8 steps of 8 pixels) -> LSTM -> [dropout] -> LSTM, last time
     * step -> softmax(10). Dropout acts on the first LSTM's output sequence: a fresh mask at every time step (DL4J's
     * {@code Dropout}, Dropkit's default), or one mask per (example, unit) held for the whole sequence (time-locked,
     * Gal and Ghahramani 2016), set with {@code .dropOut(...)} on the second LSTM or as a layer between the two. DL4J's
     * LSTM hands its dropout NCW input whatever the network's format, so {@code .timeLocked(RNNFormat.NCW)}; the
     * network here is NCW too, which the layer sees.
     */
    static List<Variant> lstm(Settings s, double p) {
        return List.of(
                new Variant(Variant.NONE, "-", false, seed -> lstm(seed, s, null, null)),
                new Variant("DL4J Dropout, per step", ".dropOut(new Dropout(" + p + "))", false,
                        seed -> lstm(seed, s, new Dropout(p), null)),
                new Variant("Dropkit per step", ".dropOut(MaskDropout.bernoulli(" + p + "))", false,
                        seed -> lstm(seed, s, MaskDropout.bernoulli(p), null)),
                new Variant("Dropkit time-locked", ".dropOut(MaskDropout.bernoulli(" + p + ").timeLocked(NCW))",
                        false, seed -> lstm(seed, s, MaskDropout.bernoulli(p).timeLocked(RNNFormat.NCW), null)),
                new Variant("Dropkit time-locked layer",
                        "MaskDropoutLayer(MaskDropout.bernoulli(" + p + ").timeLocked(NCW))", false,
                        seed -> lstm(seed, s, null, new MaskDropoutLayer.Builder(
                                MaskDropout.bernoulli(p).timeLocked(RNNFormat.NCW)).name("dropout").build())));
    }

    private static MultiLayerNetwork lstm(long seed, Settings s, IDropout onSecond, Layer between) {
        NeuralNetConfiguration.ListBuilder list = builder(seed, s.lstmLearningRate).list();
        list.layer(new LSTM.Builder().nOut(s.lstmHidden).activation(Activation.TANH).weightInit(WeightInit.XAVIER)
                .name("lstm1").build());
        if (between != null) {
            list.layer(between);
        }
        LSTM.Builder second = new LSTM.Builder().nOut(s.lstmHidden).activation(Activation.TANH)
                .weightInit(WeightInit.XAVIER).name("lstm2");
        if (onSecond != null) {
            second.dropOut(onSecond);
        }
        list.layer(new LastTimeStep(second.build()));
        list.layer(output());
        return network(list, Input.ROWS);
    }

    private static NeuralNetConfiguration.Builder builder(long seed, double learningRate) {
        return new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU);
    }

    private static Layer output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(Digits.CLASSES)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).name("output").build();
    }

    private static MultiLayerNetwork network(NeuralNetConfiguration.ListBuilder list, Input input) {
        MultiLayerConfiguration conf = list.setInputType(input.type()).build();
        return new MultiLayerNetwork(conf);
    }
}

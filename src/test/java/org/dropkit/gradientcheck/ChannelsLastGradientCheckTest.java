package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's ConvolutionLayer (NHWC), SimpleRnn and GravesLSTM (NWC) hand their dropout's backward pass a channels-first
 * gradient. Where both layouts have the same shape (H = W = C, time steps = features) DL4J hands over the same array
 * in either format, and only the dropout's own layout (spatial(NHWC), timeLocked(NWC)) tells them apart.
 */
@ExtendWith(DoublePrecision.class)
class ChannelsLastGradientCheckTest {

    /** Convolutions whose second layer's input is [3, 3, 3, 3]: H = W = C = 3. */
    private static MultiLayerNetwork cubeCnn(CNN2DFormat format, IDropout dropOut, boolean asLayer) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(21)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).dataFormat(format)
                        .build());
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder((MaskDropout) dropOut).build());
        }
        MultiLayerConfiguration conf = b
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).dataFormat(format)
                        .dropOut(asLayer ? null : dropOut).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(4, 4, 2, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray cubeInput(CNN2DFormat format) {
        Nd4j.getRandom().setSeed(22);
        return Nd4j.rand(DataType.DOUBLE, format == CNN2DFormat.NCHW ? new long[] {3, 2, 4, 4}
                : new long[] {3, 4, 4, 2}).subi(0.5);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NCHW", "NHWC"})
    void spatialDropoutOnAConvolutionWithAsManyChannelsAsRowsAndColumnsPassesGradientCheck(String name) {
        CNN2DFormat format = CNN2DFormat.valueOf(name);
        MultiLayerNetwork net = cubeCnn(format, MaskDropout.bernoulli(0.5).spatial(format), false);
        GradientChecks.assertGradientsMatch(net, cubeInput(format), FeedForwardGradientCheckTest.labels(3, 3), null,
                null);
    }

    @Test
    void elementWiseDropoutOnANchwConvolutionWithAsManyChannelsAsRowsAndColumnsPassesGradientCheck() {
        MultiLayerNetwork net = cubeCnn(CNN2DFormat.NCHW, MaskDropout.bernoulli(0.5), false);
        GradientChecks.assertGradientsMatch(net, cubeInput(CNN2DFormat.NCHW),
                FeedForwardGradientCheckTest.labels(3, 3), null, null);
    }

    /**
     * The one case no IDropout can get right: an element-wise mask names no layout, and DL4J hands an NHWC and an
     * NCHW ConvolutionLayer's dropout the same arrays. Dropkit takes them as NCHW, DL4J's default; a MaskDropoutLayer
     * before the layer is exact.
     */
    @Test
    void elementWiseDropoutOnAnNhwcConvolutionWithAsManyChannelsAsRowsAndColumnsNeedsTheLayer() {
        MultiLayerNetwork dropOut = cubeCnn(CNN2DFormat.NHWC, MaskDropout.bernoulli(0.5), false);
        GradientChecks.assertDropoutActive(dropOut, cubeInput(CNN2DFormat.NHWC), null, null);
        assertFalse(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(dropOut)
                .input(cubeInput(CNN2DFormat.NHWC)).labels(FeedForwardGradientCheckTest.labels(3, 3))
                .callEachIter(n -> Nd4j.getRandom().setSeed(GradientChecks.RESEED))));

        MultiLayerNetwork layer = cubeCnn(CNN2DFormat.NHWC, MaskDropout.bernoulli(0.5), true);
        GradientChecks.assertGradientsMatch(layer, cubeInput(CNN2DFormat.NHWC),
                FeedForwardGradientCheckTest.labels(3, 3), null, null);
    }

    /**
     * Recurrent networks whose dropout sees 3 features over 3 time steps, behind a first layer whose parameters get
     * the gradient the dropout hands back.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SimpleRnn", "GravesLSTM"})
    void timeLockedDropoutOnAnNwcRecurrentLayerWithAsManyStepsAsFeaturesPassesGradientCheck(String rnn) {
        BaseRecurrentLayer.Builder<?> b = rnn.equals("SimpleRnn") ? new SimpleRnn.Builder() : new GravesLSTM.Builder();
        b.nOut(2).activation(Activation.TANH).dataFormat(RNNFormat.NWC)
                .dropOut(MaskDropout.bernoulli(0.5).timeLocked(RNNFormat.NWC));
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(23).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).dataFormat(RNNFormat.NWC).build())
                .layer(b.build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).dataFormat(RNNFormat.NWC).build())
                .setInputType(InputType.recurrent(2, 3, RNNFormat.NWC)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(24);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 3, 2).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, 3, 3, 2);
        GradientChecks.assertGradientsMatch(net, input, labels, null, null);
    }
}

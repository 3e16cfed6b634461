package org.dropkit.gradientcheck;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Numerical gradient checks of small CNNs, NCHW and NHWC, with element-wise and spatial (shared) masks. */
@ExtendWith(DoublePrecision.class)
class ConvolutionGradientCheckTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CNN2DFormat format : CNN2DFormat.values()) {
            for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) { // DropBlock: its own test
                for (boolean spatial : new boolean[] {false, true}) {
                    for (boolean asLayer : new boolean[] {false, true}) {
                        MaskStorage storage = spatial == asLayer ? MaskStorage.STORED : MaskStorage.RECOMPUTE;
                        cases.add(Arguments.of(format, kind, spatial, asLayer, storage));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} spatial={2} asLayer={3} {4}")
    @MethodSource("cases")
    void cnnPassesGradientCheck(CNN2DFormat format, MaskKind kind, boolean spatial, boolean asLayer,
            MaskStorage storage) {
        MaskDropout d = kind == MaskKind.BERNOULLI ? MaskDropout.bernoulli(0.6) : MaskDropout.gaussian(0.6);
        d = d.storage(storage);
        if (spatial) {
            d = d.spatial(format);
        }
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH)
                        .dataFormat(format).build());
        if (asLayer) {
            b.layer(new MaskDropoutLayer.Builder(d).build())
                    .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH)
                            .dataFormat(format).build());
        } else {
            b.layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).dataFormat(format)
                    .dropOut(d).build());
        }
        MultiLayerConfiguration conf = b
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        long[] shape = format == CNN2DFormat.NCHW ? new long[] {3, 2, 5, 5} : new long[] {3, 5, 5, 2};
        INDArray input = Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, FeedForwardGradientCheckTest.labels(3, 3), null, null);
    }

    /** Convolution3D never back-propagates its .dropOut (a DL4J defect), so the 3-D masks are checked as a layer. */
    @ParameterizedTest
    @EnumSource(Convolution3D.DataFormat.class)
    void cnn3dWithSpatialMaskLayerPassesGradientCheck(Convolution3D.DataFormat format) {
        boolean ncdhw = format == Convolution3D.DataFormat.NCDHW;
        MaskDropout d = MaskDropout.bernoulli(0.5).spatial(format);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new Convolution3D.Builder().kernelSize(2, 2, 2).nOut(3).activation(Activation.TANH)
                        .dataFormat(format).build())
                .layer(new MaskDropoutLayer.Builder(d).build())
                // Global pooling: DL4J M2.1 gives Convolution3D -> OutputLayer a preprocessor with the wrong format.
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG)
                        .poolingDimensions(ncdhw ? new int[] {2, 3, 4} : new int[] {1, 2, 3}).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional3D(format, 3, 3, 3, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, ncdhw ? new long[] {2, 2, 3, 3, 3} : new long[] {2, 3, 3, 3, 2})
                .subi(0.5);
        GradientChecks.assertGradientsMatch(net, input, Nd4j.rand(DataType.DOUBLE, 2, 2), null, null);
    }
}

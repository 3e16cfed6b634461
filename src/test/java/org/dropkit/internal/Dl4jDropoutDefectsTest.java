package org.dropkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.activations.Activation.IDENTITY;
import static org.nd4j.linalg.activations.Activation.SIGMOID;
import static org.nd4j.linalg.activations.Activation.SOFTMAX;
import static org.nd4j.linalg.activations.Activation.TANH;
import static org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.AutoEncoder;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1D;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling1D;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.Upsampling3D;
import org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.layers.util.MaskLayer;
import org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.conf.ocnn.OCNNOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pins {@link Dl4jDropoutDefects} to what DL4J 1.0.0-M2.1 does: for each layer class, one training step (gradient and
 * score) of a network with a dropout on that layer that counts its forward ({@code applyDropout}) and backward
 * ({@code backprop}) calls and passes arrays through unchanged. A layer whose runtime changes in another DL4J release
 * fails here.
 */
class Dl4jDropoutDefectsTest {

    static final AtomicInteger APPLIED = new AtomicInteger();
    static final AtomicInteger BACKPROPAGATED = new AtomicInteger();

    /** Identity dropout that counts its calls; clones share the counters (DL4J clones dropout with the network). */
    static final class Probe implements IDropout {
        @Override
        public INDArray applyDropout(INDArray in, INDArray out, int it, int ep, LayerWorkspaceMgr mgr) {
            APPLIED.incrementAndGet();
            INDArray o = out == null ? in.dup() : out;
            if (o != in) {
                o.assign(in);
            }
            return o;
        }

        @Override
        public INDArray backprop(INDArray dy, INDArray dx, int it, int ep) {
            BACKPROPAGATED.incrementAndGet();
            if (dx == null) {
                return dy;
            }
            if (dx != dy) {
                dx.assign(dy);
            }
            return dx;
        }

        @Override
        public void clear() {
        }

        @Override
        public Probe clone() {
            return this;
        }
    }

    /** The kind of output of the tested layer, for the loss layer after it; NONE: the tested layer is the output. */
    enum Out { FF, CNN, CNN_NHWC, RNN, CNN3D, NONE }

    static final InputType FF = InputType.feedForward(4);
    static final InputType RNN = InputType.recurrent(3, 5);
    static final InputType CNN = InputType.convolutional(6, 6, 2);
    static final InputType CNN3D = InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 4, 4, 4, 2);

    static Arguments c(String name, Supplier<Layer> layer, InputType in, Out out) {
        return Arguments.of(name, layer, in, out);
    }

    /** The layer with the probe as its own dropout (for wrappers, which have no builder for it). */
    static Layer own(Layer layer) {
        layer.setIDropout(new Probe());
        return layer;
    }

    static Stream<Arguments> layers() {
        Probe p = new Probe();
        return Stream.of(
                c("DenseLayer", () -> new DenseLayer.Builder().nOut(3).dropOut(p).build(), FF, Out.FF),
                c("OutputLayer", () -> new OutputLayer.Builder(MSE).nOut(3).activation(IDENTITY).dropOut(p).build(),
                        FF, Out.NONE),
                c("ActivationLayer", () -> new ActivationLayer.Builder().activation(TANH).dropOut(p).build(), FF,
                        Out.FF),
                c("AutoEncoder", () -> new AutoEncoder.Builder().nOut(3).dropOut(p).build(), FF, Out.FF),
                c("BatchNormalization", () -> new BatchNormalization.Builder().dropOut(p).build(), FF, Out.FF),
                c("CenterLossOutputLayer", () -> new CenterLossOutputLayer.Builder().nOut(3).activation(SOFTMAX)
                        .dropOut(p).build(), FF, Out.NONE),
                c("LossLayer", () -> new LossLayer.Builder(MSE).activation(IDENTITY).dropOut(p).build(), FF,
                        Out.NONE),
                c("CnnLossLayer", () -> new CnnLossLayer.Builder(MSE).activation(IDENTITY).dropOut(p).build(), CNN,
                        Out.NONE),
                c("RnnLossLayer", () -> new RnnLossLayer.Builder(MSE).activation(IDENTITY).dropOut(p).build(), RNN,
                        Out.NONE),
                c("Cnn3DLossLayer", () -> new Cnn3DLossLayer.Builder(Convolution3D.DataFormat.NCDHW)
                        .lossFunction(MSE).activation(IDENTITY).dropOut(p).build(), CNN3D, Out.NONE),
                c("RnnOutputLayer", () -> new RnnOutputLayer.Builder(MSE).nOut(3).activation(IDENTITY).dropOut(p)
                        .build(), RNN, Out.NONE),
                c("ConvolutionLayer", () -> new ConvolutionLayer.Builder(2, 2).nOut(3).dropOut(p).build(), CNN,
                        Out.CNN),
                c("ConvolutionLayer NHWC", () -> new ConvolutionLayer.Builder(2, 2).nOut(3)
                        .dataFormat(CNN2DFormat.NHWC).dropOut(p).build(),
                        InputType.convolutional(6, 6, 2, CNN2DFormat.NHWC), Out.CNN_NHWC),
                c("Convolution1DLayer", () -> new Convolution1DLayer.Builder(2).nOut(3).dropOut(p).build(), RNN,
                        Out.RNN),
                c("Convolution1D", () -> new Convolution1D.Builder(2).nOut(3).dropOut(p).build(), RNN, Out.RNN),
                c("Convolution3D", () -> new Convolution3D.Builder(2, 2, 2).nOut(3).dropOut(p).build(), CNN3D,
                        Out.CNN3D),
                c("Deconvolution2D", () -> new Deconvolution2D.Builder(2, 2).nOut(3).dropOut(p).build(), CNN,
                        Out.CNN),
                c("Deconvolution3D", () -> new Deconvolution3D.Builder().kernelSize(2, 2, 2).nOut(3).dropOut(p)
                        .build(), CNN3D, Out.CNN3D),
                c("DepthwiseConvolution2D", () -> new DepthwiseConvolution2D.Builder(2, 2).nOut(4).dropOut(p)
                        .build(), CNN, Out.CNN),
                c("SeparableConvolution2D", () -> new SeparableConvolution2D.Builder(2, 2).nOut(3).dropOut(p)
                        .build(), CNN, Out.CNN),
                c("DropoutLayer", () -> new DropoutLayer.Builder().dropOut(p).build(), FF, Out.FF),
                c("GlobalPoolingLayer", () -> new GlobalPoolingLayer.Builder().dropOut(p).build(), CNN, Out.FF),
                c("GravesBidirectionalLSTM", () -> new GravesBidirectionalLSTM.Builder().nOut(3).dropOut(p).build(),
                        RNN, Out.RNN),
                c("GravesLSTM", () -> new GravesLSTM.Builder().nOut(3).dropOut(p).build(), RNN, Out.RNN),
                c("LSTM", () -> new LSTM.Builder().nOut(3).dropOut(p).build(), RNN, Out.RNN),
                c("SimpleRnn", () -> new SimpleRnn.Builder().nOut(3).dropOut(p).build(), RNN, Out.RNN),
                c("SelfAttentionLayer", () -> new SelfAttentionLayer.Builder().nOut(3).nHeads(1).projectInput(true)
                        .dropOut(p).build(), RNN, Out.RNN),
                c("RecurrentAttentionLayer", () -> new RecurrentAttentionLayer.Builder().nIn(3).nOut(3).nHeads(1)
                        .projectInput(false).dropOut(p).build(), RNN, Out.RNN),
                c("LocalResponseNormalization", () -> new LocalResponseNormalization.Builder().dropOut(p).build(),
                        InputType.convolutional(6, 6, 6), Out.CNN),
                c("LocallyConnected1D", () -> new LocallyConnected1D.Builder().kernelSize(2).nOut(3).dropOut(p)
                        .build(), RNN, Out.RNN),
                c("LocallyConnected2D", () -> new LocallyConnected2D.Builder().kernelSize(2, 2).nOut(3).dropOut(p)
                        .build(), CNN, Out.CNN),
                c("PReLULayer", () -> new PReLULayer.Builder().inputShape(4).dropOut(p).build(), FF, Out.FF),
                c("SubsamplingLayer", () -> new SubsamplingLayer.Builder().kernelSize(2, 2).stride(1, 1).dropOut(p)
                        .build(), CNN, Out.CNN),
                c("Subsampling1DLayer", () -> new Subsampling1DLayer.Builder().kernelSize(2).stride(1).dropOut(p)
                        .build(), RNN, Out.RNN),
                c("Subsampling3DLayer", () -> new Subsampling3DLayer.Builder().kernelSize(2, 2, 2).stride(1, 1, 1)
                        .dropOut(p).build(), CNN3D, Out.CNN3D),
                c("SpaceToDepthLayer", () -> new SpaceToDepthLayer.Builder().blocks(2).dropOut(p).build(), CNN,
                        Out.CNN),
                c("Upsampling1D", () -> new Upsampling1D.Builder(2).dropOut(p).build(), RNN, Out.RNN),
                c("Upsampling2D", () -> new Upsampling2D.Builder(2).dropOut(p).build(), CNN, Out.CNN),
                c("Upsampling3D", () -> new Upsampling3D.Builder(2).dropOut(p).build(), CNN3D, Out.CNN3D),
                c("ZeroPadding1DLayer", () -> new ZeroPadding1DLayer.Builder(1).dropOut(p).build(), RNN, Out.RNN),
                c("ZeroPaddingLayer", () -> new ZeroPaddingLayer.Builder(1, 1).dropOut(p).build(), CNN, Out.CNN),
                c("ZeroPadding3DLayer", () -> new ZeroPadding3DLayer.Builder(1, 1, 1).dropOut(p).build(), CNN3D,
                        Out.CNN3D),
                c("Cropping1D", () -> new Cropping1D.Builder(1).dropOut(p).build(), RNN, Out.RNN),
                c("Cropping2D", () -> new Cropping2D.Builder(1, 1).dropOut(p).build(), CNN, Out.CNN),
                c("Cropping3D", () -> new Cropping3D.Builder(1, 1, 1).dropOut(p).build(), CNN3D, Out.CNN3D),
                c("ElementWiseMultiplicationLayer", () -> new ElementWiseMultiplicationLayer.Builder().nOut(4)
                        .dropOut(p).build(), FF, Out.FF),
                c("RepeatVector", () -> new RepeatVector.Builder(3).dropOut(p).build(), FF, Out.RNN),
                c("MaskLayer", () -> own(new MaskLayer()), FF, Out.FF),
                c("VariationalAutoencoder", () -> new VariationalAutoencoder.Builder().nOut(2).encoderLayerSizes(3)
                        .decoderLayerSizes(3).dropOut(p).build(), FF, Out.FF),
                c("OCNNOutputLayer", () -> new OCNNOutputLayer.Builder().nu(0.1).hiddenLayerSize(3)
                        .activation(SIGMOID).dropOut(p).build(), FF, Out.NONE),
                c("EmbeddingLayer", () -> new EmbeddingLayer.Builder().nIn(5).nOut(3).dropOut(p).build(), null,
                        Out.FF),
                c("EmbeddingSequenceLayer", () -> new EmbeddingSequenceLayer.Builder().nIn(5).nOut(3).inputLength(4)
                        .dropOut(p).build(), null, Out.RNN),
                // Wrappers: their own dropout, and the wrapped layer's.
                c("Bidirectional own", () -> own(new Bidirectional(new LSTM.Builder().nOut(3).build())), RNN,
                        Out.RNN),
                c("Bidirectional inner", () -> new Bidirectional(new LSTM.Builder().nOut(3).dropOut(p).build()), RNN,
                        Out.RNN),
                c("LastTimeStep own", () -> own(new LastTimeStep(new LSTM.Builder().nOut(3).build())), RNN, Out.FF),
                c("LastTimeStep inner", () -> new LastTimeStep(new LSTM.Builder().nOut(3).dropOut(p).build()), RNN,
                        Out.FF),
                c("TimeDistributed own", () -> own(new TimeDistributed(new DenseLayer.Builder().nOut(3).build())),
                        RNN, Out.RNN),
                c("TimeDistributed inner", () -> new TimeDistributed(new DenseLayer.Builder().nOut(3).dropOut(p)
                        .build()), RNN, Out.RNN),
                c("MaskZeroLayer own", () -> own(new MaskZeroLayer(new LSTM.Builder().nOut(3).build(), 0.0)), RNN,
                        Out.RNN),
                c("MaskZeroLayer inner", () -> new MaskZeroLayer(new LSTM.Builder().nOut(3).dropOut(p).build(), 0.0),
                        RNN, Out.RNN),
                c("FrozenLayer own", () -> own(new FrozenLayer(new DenseLayer.Builder().nOut(3).build())), FF,
                        Out.FF),
                c("FrozenLayerWithBackprop own", () -> own(new FrozenLayerWithBackprop(new DenseLayer.Builder()
                        .nOut(3).build())), FF, Out.FF));
    }

    /** A parameter-free loss layer that takes the tested layer's output as it is. */
    static Layer loss(Out out) {
        switch (out) {
            case FF:
                return new LossLayer.Builder(MSE).activation(IDENTITY).build();
            case CNN:
                return new CnnLossLayer.Builder(MSE).activation(IDENTITY).build();
            case CNN_NHWC:
                return new CnnLossLayer.Builder(MSE).format(CNN2DFormat.NHWC).activation(IDENTITY).build();
            case RNN:
                return new RnnLossLayer.Builder(MSE).activation(IDENTITY).build();
            case CNN3D:
                return new Cnn3DLossLayer.Builder(Convolution3D.DataFormat.NCDHW).lossFunction(MSE)
                        .activation(IDENTITY).build();
            default:
                throw new IllegalArgumentException(out + " has no loss layer");
        }
    }

    /** The layer that holds the probe: the case's layer, or the layer inside a wrapper. */
    static Layer probed(Layer layer) {
        if (layer.getIDropout() instanceof Probe) {
            return layer;
        }
        if (layer instanceof Bidirectional) {
            return probed(((Bidirectional) layer).getFwd());
        }
        if (layer instanceof BaseWrapperLayer) {
            return probed(((BaseWrapperLayer) layer).getUnderlying());
        }
        throw new AssertionError("no probe in " + layer);
    }

    /** Trains one step (gradient and score) of the layer followed by a loss layer; counts the probe's calls. */
    static int[] applyAndBackpropCalls(String name, Layer layer, InputType in, Out out) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(1).list().layer(layer);
        if (out != Out.NONE) {
            b.layer(loss(out));
        }
        if (in != null) {
            b.setInputType(in);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        INDArray x;
        if (in == null) { // embeddings: indices
            x = name.equals("EmbeddingLayer") ? Nd4j.createFromArray(new float[][] {{1}, {2}, {3}})
                    : Nd4j.createFromArray(new float[][] {{1, 2, 3, 4}, {0, 1, 2, 3}});
        } else {
            long[] shape = in.getShape(true);
            shape[0] = 2;
            Nd4j.getRandom().setSeed(3);
            x = Nd4j.rand(DataType.FLOAT, shape);
        }
        INDArray y = net.output(x);
        y = name.equals("CenterLossOutputLayer") ? Nd4j.eye(3).getRows(0, 1).castTo(DataType.FLOAT)
                : Nd4j.rand(y.dataType(), y.shape());
        APPLIED.set(0);
        BACKPROPAGATED.set(0);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return new int[] {APPLIED.get(), BACKPROPAGATED.get()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void theListsSayWhatDl4jDoesWithTheLayersOwnDropout(String name, Supplier<Layer> layer, InputType in, Out out) {
        Layer top = layer.get();
        Layer holder = probed(top);

        int[] calls = applyAndBackpropCalls(name, top, in, out);

        boolean applied = calls[0] > 0;
        boolean backpropagated = calls[1] > 0;
        String measured = name + ": applyDropout called " + calls[0] + " times, backprop " + calls[1] + " times";
        assertEquals(!applied, Dl4jDropoutDefects.neverAppliesDropout(holder), measured);
        assertEquals(applied && !backpropagated, Dl4jDropoutDefects.skipsDropoutBackprop(holder), measured);
        assertEquals(!applied || !backpropagated, Dl4jDropoutDefects.describe(holder) != null, measured);
        if (applied) {
            assertEquals(calls[0], calls[1] == 0 ? calls[0] : calls[1], measured + ": one backprop per forward");
        }
    }

    @Test
    void spaceToBatchFailsWithDl4jsDropoutAsTheFirstLayer() {
        Layer layer = new SpaceToBatchLayer.Builder().blocks(2, 2).dropOut(new Dropout(0.5)).build();

        assertThrows(NullPointerException.class, () -> applyAndBackpropCalls("SpaceToBatchLayer", layer, CNN,
                Out.CNN));
        assertTrue(Dl4jDropoutDefects.passesNoWorkspaceToDropout(layer));
        assertTrue(Dl4jDropoutDefects.describe(layer).contains("NullPointerException"));
        assertFalse(Dl4jDropoutDefects.passesNoWorkspaceToDropout(new ConvolutionLayer.Builder(2, 2).build()));
    }

    @Test
    void wrappersAreAskedAboutTheirOwnDropoutOnly() {
        Layer conv3d = new Convolution3D.Builder(2, 2, 2).nOut(3).build();
        assertTrue(Dl4jDropoutDefects.skipsDropoutBackprop(conv3d));
        assertFalse(Dl4jDropoutDefects.skipsDropoutBackprop(new FrozenLayerWithBackprop(conv3d)));
        assertTrue(Dl4jDropoutDefects.neverAppliesDropout(new FrozenLayerWithBackprop(conv3d)));
        assertFalse(Dl4jDropoutDefects.neverAppliesDropout(null));
        assertNull(Dl4jDropoutDefects.describe(new DenseLayer.Builder().nOut(3).build()));
    }

    @Test
    void frozenLayerWithBackpropAppliesItsLayersDropoutOnlyWhenItBackPropagates() {
        Layer frozen = new FrozenLayerWithBackprop(new DenseLayer.Builder().nOut(3).dropOut(new Probe()).build());
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(frozen).layer(loss(Out.FF)).setInputType(FF).build());
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4);
        APPLIED.set(0);
        BACKPROPAGATED.set(0);

        net.output(x, true);
        int appliedForward = APPLIED.get();
        net.setInput(x);
        net.setLabels(Nd4j.rand(DataType.FLOAT, 2, 3));
        net.computeGradientAndScore();

        assertEquals(0, appliedForward, "the forward pass in training runs the layer in inference mode: no dropout");
        assertEquals(1, APPLIED.get(), "the backward pass recomputes the layer in training mode, dropout included");
        assertEquals(1, BACKPROPAGATED.get());
    }
}

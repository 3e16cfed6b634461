package org.dropkit.migrate;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.Upsampling3D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.preprocessor.Cnn3DToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnn3DPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.dropkit.conf.MaskDropoutLayer;

/**
 * What DL4J 1.0.0-M2.1's layers do with the layout of their activations, from reading their sources: which layout a
 * layer's input has, which layout its {@code IDropout} sees, and which layout it outputs. Every method answers null
 * when it does not know; the swap then leaves layout-dependent dropout alone rather than guess.
 */
final class Layouts {

    private Layouts() {
    }

    /** The input layout a layer's configuration fixes (its data format), or null where the layer accepts any. */
    static Layout declaredInput(Layer layer) {
        if (layer instanceof Convolution3D) {
            return Layout.of(((Convolution3D) layer).getDataFormat());
        }
        if (layer instanceof Deconvolution3D) {
            return Layout.of(((Deconvolution3D) layer).getDataFormat());
        }
        if (layer instanceof Convolution1DLayer) {
            return Layout.of(((Convolution1DLayer) layer).getRnnDataFormat());
        }
        if (layer instanceof ConvolutionLayer) {
            return Layout.of(((ConvolutionLayer) layer).getCnn2dDataFormat());
        }
        if (layer instanceof Subsampling1DLayer) {
            return null;
        }
        if (layer instanceof SubsamplingLayer) {
            return Layout.of(((SubsamplingLayer) layer).getCnn2dDataFormat());
        }
        if (layer instanceof Subsampling3DLayer) {
            return Layout.of(((Subsampling3DLayer) layer).getDataFormat());
        }
        if (layer instanceof Upsampling2D) {
            return Layout.of(((Upsampling2D) layer).getFormat());
        }
        if (layer instanceof Upsampling3D) {
            return Layout.of(((Upsampling3D) layer).getDataFormat());
        }
        if (layer instanceof SpaceToDepthLayer) {
            return Layout.of(((SpaceToDepthLayer) layer).getDataFormat());
        }
        if (layer instanceof SpaceToBatchLayer) {
            return Layout.of(((SpaceToBatchLayer) layer).getFormat());
        }
        if (layer instanceof BaseRecurrentLayer) {
            return Layout.of(((BaseRecurrentLayer) layer).getRnnDataFormat());
        }
        if (layer instanceof RnnOutputLayer) {
            return Layout.of(((RnnOutputLayer) layer).getRnnDataFormat());
        }
        return null;
    }

    /**
     * The layout of the array a layer hands its own {@code IDropout} (set with {@code .dropOut(...)}), given the
     * layout of the layer's input (null if unknown). LSTM permutes its input to NCW first; RnnOutputLayer flattens
     * time into the batch first; every other layer hands over its input as it is.
     */
    static Layout seenByDropout(Layer layer, Layout input) {
        if (layer instanceof LSTM) {
            return Layout.of(RNNFormat.NCW);
        }
        if (layer instanceof RnnOutputLayer) {
            return Layout.FEED_FORWARD;
        }
        Layout declared = declaredInput(layer);
        return declared != null ? declared : input;
    }

    /** The layout of a layer's output, given the layout of its input (null if unknown). */
    static Layout output(Layer layer, Layout input) {
        if (layer instanceof FrozenLayer) {
            return output(((FrozenLayer) layer).getLayer(), input);
        }
        if (layer instanceof FrozenLayerWithBackprop) {
            return output(((FrozenLayerWithBackprop) layer).getUnderlying(), input);
        }
        if (layer instanceof DropoutLayer || layer instanceof MaskDropoutLayer || layer instanceof ActivationLayer
                || layer instanceof BatchNormalization || layer instanceof LocalResponseNormalization) {
            return input;
        }
        Layout declared = declaredInput(layer);
        if (declared != null) {
            return declared;
        }
        if (layer instanceof EmbeddingSequenceLayer) {
            return Layout.of(((EmbeddingSequenceLayer) layer).getOutputFormat());
        }
        if (layer instanceof DenseLayer || layer instanceof OutputLayer || layer instanceof EmbeddingLayer
                || layer instanceof LastTimeStep) {
            return Layout.FEED_FORWARD;
        }
        return null;
    }

    /** The layout after a preprocessor (null for none: the layout is unchanged), or null if unknown. */
    static Layout afterPreprocessor(InputPreProcessor preprocessor, Layout input) {
        if (preprocessor == null) {
            return input;
        }
        if (preprocessor instanceof CnnToFeedForwardPreProcessor || preprocessor instanceof RnnToFeedForwardPreProcessor
                || preprocessor instanceof Cnn3DToFeedForwardPreProcessor) {
            return Layout.FEED_FORWARD;
        }
        if (preprocessor instanceof FeedForwardToRnnPreProcessor) {
            return Layout.of(((FeedForwardToRnnPreProcessor) preprocessor).getRnnDataFormat());
        }
        if (preprocessor instanceof CnnToRnnPreProcessor) {
            return Layout.of(((CnnToRnnPreProcessor) preprocessor).getRnnDataFormat());
        }
        if (preprocessor instanceof FeedForwardToCnnPreProcessor || preprocessor instanceof RnnToCnnPreProcessor) {
            return Layout.of(CNN2DFormat.NCHW);
        }
        if (preprocessor instanceof FeedForwardToCnn3DPreProcessor) {
            return Layout.of(((FeedForwardToCnn3DPreProcessor) preprocessor).isNCDHW()
                    ? Convolution3D.DataFormat.NCDHW : Convolution3D.DataFormat.NDHWC);
        }
        if (preprocessor instanceof ComposableInputPreProcessor) {
            Layout layout = input;
            for (InputPreProcessor p : ((ComposableInputPreProcessor) preprocessor).getInputPreProcessors()) {
                layout = afterPreprocessor(p, layout);
            }
            return layout;
        }
        return null;
    }

    /** DL4J 1.0.0-M2.1's LSTM with NWC data and any dropout back-propagates wrong gradients. */
    static final String LSTM_NWC = "DL4J's LSTM with NWC data restores its input from before dropout after the"
            + " forward pass and skips dropout when it recomputes the forward pass in backprop, so its gradients"
            + " ignore the mask: any .dropOut on an NWC LSTM trains with wrong gradients, DL4J's and Dropkit's alike."
            + " Put a MaskDropoutLayer before the LSTM instead (or use NCW)";

    /**
     * A DL4J 1.0.0-M2.1 quirk of this layer's own dropout that the report should mention where the swap converts it,
     * or null: NWC LSTMs, and layers that apply their dropout to channels-last input but back-propagate it
     * channels-first. Layers that skip their dropout's backprop or never apply it are listed in
     * {@link org.dropkit.internal.Dl4jDropoutDefects}.
     */
    @SuppressWarnings("deprecation") // GravesLSTM: deprecated in DL4J, still in users' networks, and it has the quirk
    static String dl4jQuirk(Layer layer) {
        if (layer instanceof LSTM && ((LSTM) layer).getRnnDataFormat() == RNNFormat.NWC) {
            return LSTM_NWC;
        }
        boolean channelsLastConv = layer instanceof ConvolutionLayer && !(layer instanceof Convolution1DLayer)
                && !(layer instanceof Convolution3D) && !(layer instanceof Deconvolution3D)
                && ((ConvolutionLayer) layer).getCnn2dDataFormat() == CNN2DFormat.NHWC;
        boolean channelsLastRnn = (layer instanceof SimpleRnn || layer instanceof GravesLSTM)
                && ((BaseRecurrentLayer) layer).getRnnDataFormat() == RNNFormat.NWC;
        if (channelsLastConv || channelsLastRnn) {
            return "DL4J applies this layer's dropout to its " + (channelsLastConv ? "NHWC" : "NWC")
                    + " input but back-propagates it channels-first, so its own dropout fails or misplaces the mask"
                    + " there; Dropkit's puts the mask where it belongs";
        }
        return null;
    }
}

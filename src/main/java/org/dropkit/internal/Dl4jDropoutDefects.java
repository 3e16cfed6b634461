package org.dropkit.internal;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling1D;
import org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.util.MaskLayer;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;

/**
 * What DL4J 1.0.0-M2.1's layers do with their own {@code IDropout} (set with {@code .dropOut(...)} on the layer or
 * on the network builder), where that is not "apply it to the input in training, back-propagate it in backward".
 * Read from DL4J's sources and measured by {@code Dl4jDropoutDefectsTest}, which trains one network per layer class
 * with a dropout that counts its calls. These are DL4J's defects: they hold for DL4J's dropout and Dropkit's alike,
 * and a {@code MaskDropoutLayer} placed before the layer is exact on all of them.
 *
 * <p>Each method looks at the layer's own dropout only; a wrapper's inner layer is a layer of its own (ask about
 * {@code Bidirectional.getFwd()}, {@code BaseWrapperLayer.getUnderlying()}, {@code FrozenLayer.getLayer()}).
 */
public final class Dl4jDropoutDefects {

    /**
     * Layers whose training forward pass applies the dropout (x * m) but whose backward pass never calls the
     * dropout's backprop, so the gradient ignores the mask: in DL4J's sources each overrides
     * {@code backpropGradient} without {@code backpropDropOutIfPresent} (Upsampling1D and CenterLossOutputLayer too,
     * found by the measurement). Subclasses (e.g. {@code Convolution1D}) share their runtime layer.
     */
    private static final List<Class<? extends Layer>> SKIP_BACKPROP = List.of(Convolution1DLayer.class,
            Convolution3D.class, Deconvolution2D.class, Deconvolution3D.class, SpaceToDepthLayer.class,
            RepeatVector.class, Upsampling1D.class, CenterLossOutputLayer.class);

    /**
     * Layers whose runtime never calls their dropout: no mask in forward, none in backward. SameDiff-based layers
     * (attention, locally connected, capsules, users' own) have no dropout code at all; wrappers hand their input to
     * the wrapped layer, whose own dropout acts; a FrozenLayer runs in inference mode.
     */
    @SuppressWarnings("deprecation") // GravesBidirectionalLSTM: deprecated in DL4J, still in users' networks
    private static final List<Class<? extends Layer>> NEVER_APPLIED = List.of(GravesBidirectionalLSTM.class,
            SubsamplingLayer.class, ActivationLayer.class, BatchNormalization.class,
            LocalResponseNormalization.class, GlobalPoolingLayer.class, LossLayer.class, CnnLossLayer.class,
            RnnLossLayer.class, Cnn3DLossLayer.class, ZeroPaddingLayer.class, ZeroPadding1DLayer.class,
            ZeroPadding3DLayer.class, Cropping1D.class, Cropping2D.class, Cropping3D.class, MaskLayer.class,
            VariationalAutoencoder.class, EmbeddingLayer.class, EmbeddingSequenceLayer.class,
            Yolo2OutputLayer.class, AbstractSameDiffLayer.class, BaseWrapperLayer.class, Bidirectional.class,
            FrozenLayer.class);

    private Dl4jDropoutDefects() {
    }

    /**
     * True for DL4J layers that apply their own dropout in the training forward pass but never back-propagate it
     * (Convolution1DLayer, Convolution3D, Deconvolution2D, Deconvolution3D, SpaceToDepthLayer, RepeatVector,
     * Upsampling1D, CenterLossOutputLayer): their gradients ignore the mask, so no dropout set on them with
     * {@code .dropOut(...)} is exact.
     */
    public static boolean skipsDropoutBackprop(Layer layer) {
        return isAny(layer, SKIP_BACKPROP);
    }

    /**
     * True for DL4J layers that never apply their own dropout (GravesBidirectionalLSTM, subsampling and pooling,
     * ActivationLayer, BatchNormalization, LocalResponseNormalization, GlobalPoolingLayer, the loss layers, padding
     * and cropping, MaskLayer, VariationalAutoencoder, embeddings, Yolo2OutputLayer, SameDiff layers, and the
     * wrappers' own dropout): a {@code .dropOut(...)} there does nothing.
     */
    public static boolean neverAppliesDropout(Layer layer) {
        return isAny(layer, NEVER_APPLIED);
    }

    /**
     * DL4J's {@code SpaceToBatch} hands its dropout no workspace manager: where it may not modify its input in place
     * (as a network's first layer) DL4J's own dropout fails with a NullPointerException in training.
     */
    public static boolean passesNoWorkspaceToDropout(Layer layer) {
        return layer instanceof SpaceToBatchLayer;
    }

    /**
     * What is wrong with a dropout set on this layer with {@code .dropOut(...)}, and what to do instead, in one
     * sentence for reports and error messages; null for layers where DL4J applies and back-propagates it.
     */
    public static String describe(Layer layer) {
        String kind = layer.getClass().getSimpleName();
        if (skipsDropoutBackprop(layer)) {
            return "DL4J's " + kind + " applies its .dropOut(...) in the forward pass but never back-propagates it, so"
                    + " the gradient ignores the mask, with DL4J's dropout and Dropkit's alike: for exact gradients,"
                    + " remove it from the layer and put a MaskDropoutLayer before the layer";
        }
        if (neverAppliesDropout(layer)) {
            return "DL4J's " + kind + " never applies its .dropOut(...), so it does nothing, DL4J's dropout or"
                    + " Dropkit's: to drop this layer's input, put a MaskDropoutLayer before the layer";
        }
        if (passesNoWorkspaceToDropout(layer)) {
            return "DL4J's " + kind + " hands its .dropOut(...) no workspace manager, and DL4J's own dropout fails"
                    + " there with a NullPointerException when the layer may not modify its input in place (as a"
                    + " network's first layer): a MaskDropoutLayer before the layer avoids it";
        }
        return null;
    }

    private static boolean isAny(Layer layer, List<Class<? extends Layer>> classes) {
        if (layer == null) {
            return false;
        }
        for (Class<? extends Layer> c : classes) {
            if (c.isInstance(layer)) {
                return true;
            }
        }
        return false;
    }
}

package org.dropkit.demo;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dropkit.MaskDropout;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures the bytes that the dropout of a network keeps between a forward pass and its backward pass: DL4J calls
 * {@link #onForwardPass} after the forward pass of every training iteration, when each mask is still pending. Records
 * the largest total seen.
 */
final class MaskBytesListener extends BaseTrainingListener {

    private long maxBytes;

    long maxBytes() {
        return maxBytes;
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        record(model);
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        record(model);
    }

    private void record(Model model) {
        if (!(model instanceof MultiLayerNetwork)) {
            return;
        }
        long total = 0;
        for (Layer layer : ((MultiLayerNetwork) model).getLayers()) {
            total += keptBytes(layer.conf().getLayer().getIDropout());
        }
        maxBytes = Math.max(maxBytes, total);
    }

    /** The bytes one dropout instance keeps for its pending backward pass. */
    static long keptBytes(IDropout dropout) {
        if (dropout instanceof MaskDropout) {
            return ((MaskDropout) dropout).keptMaskBytes();
        }
        INDArray mask = null;
        if (dropout instanceof Dropout) {
            mask = ((Dropout) dropout).getMask();
        } else if (dropout instanceof SpatialDropout) {
            mask = ((SpatialDropout) dropout).getMask();
        }
        return mask == null ? 0L : mask.length() * mask.dataType().width();
    }
}

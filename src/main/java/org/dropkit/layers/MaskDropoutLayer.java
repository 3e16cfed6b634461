package org.dropkit.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.dropkit.Scaling;
import org.dropkit.internal.HostNetwork;
import org.dropkit.internal.MaskEngine;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime of {@link org.dropkit.conf.MaskDropoutLayer}, named like its configuration as DL4J names its own runtime
 * layers, so {@code net.summary()} shows {@code MaskDropoutLayer}. Training: {@code y = x * m}, in place when DL4J
 * allows the input to be modified; backward {@code dx = dy * m}. Inference: identity (inverted scaling),
 * {@code p * x} (vanilla), or a fresh mask per pass (Monte Carlo). Outputs are in the ACTIVATIONS workspace,
 * gradients in ACTIVATION_GRAD.
 */
public final class MaskDropoutLayer extends AbstractLayer<org.dropkit.conf.MaskDropoutLayer> {

    /** Whether this layer runs inside a ComputationGraph; found at its first training pass that may run in place. */
    private Boolean inGraph;

    /**
     * The runtime layer of a {@link org.dropkit.conf.MaskDropoutLayer} configuration; DL4J creates it through
     * {@code instantiate} when a network is built.
     *
     * @param conf     the layer's configuration, holding the {@code org.dropkit.conf.MaskDropoutLayer}
     * @param dataType the network's data type
     */
    public MaskDropoutLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        org.dropkit.conf.MaskDropoutLayer conf = layerConf();
        MaskDropout dropout = conf.getDropout();
        boolean inPlace = training && mayWriteInPlace();
        INDArray out;
        if (training) {
            // The output is the input only where DL4J lets this layer modify it: a later layer may modify the output.
            INDArray target = inPlace ? input : newActivations(workspaceMgr);
            out = dropout == null ? (inPlace ? input : target.assign(input))
                    : dropout.forward(input, target, getIterationCount(), getEpochCount(), workspaceMgr,
                            conf.getScaling());
        } else if (dropout == null) {
            out = input;
        } else if (conf.isMonteCarlo()) {
            out = dropout.sample(input, newActivations(workspaceMgr), getIterationCount(), getEpochCount(),
                    conf.getScaling());
        } else if (conf.getScaling() == Scaling.VANILLA) {
            double p = dropout.retainProbability(getIterationCount(), getEpochCount());
            out = p == 1.0 ? input : input.mul(p, newActivations(workspaceMgr));
        } else {
            out = input;
        }
        if (maskArray != null) {
            // Never write into the caller's array: only into our own output or an input DL4J lets us modify.
            boolean writable = out != input || inPlace;
            out = MaskEngine.multiply(out, featureMask(out), writable ? out : newActivations(workspaceMgr));
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    /**
     * True when DL4J lets this layer modify its input and nothing else reads it: in a MultiLayerNetwork. A
     * ComputationGraph also lets the last of several layers that read one activation modify it, and the others'
     * gradients would then be computed from the modified array, so there the layer always writes a new array.
     */
    private boolean mayWriteInPlace() {
        if (!inputModificationAllowed) {
            return false;
        }
        Boolean graph = inGraph;
        if (graph == null) {
            graph = HostNetwork.isGraph();
            inGraph = graph;
        }
        return !graph;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        MaskDropout dropout = layerConf().getDropout();
        INDArray grad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                epsilon.shape(), 'c');
        if (dropout == null) {
            grad.assign(epsilon);
        } else {
            dropout.backprop(epsilon, grad, getIterationCount(), getEpochCount());
        }
        if (maskArray != null) {
            MaskEngine.multiply(grad, featureMask(grad), grad);
        }
        return new Pair<>(new DefaultGradient(), grad);
    }

    /**
     * Shapes the feature mask to broadcast over activations: [batch] or [batch, 1] (one flag per example),
     * [batch, time] for recurrent activations, or any array of the activations' rank that broadcasts to them.
     */
    private INDArray featureMask(INDArray activations) {
        INDArray mask = maskArray.dataType() == activations.dataType()
                ? maskArray : maskArray.castTo(activations.dataType());
        if (broadcastsTo(mask.shape(), activations.shape())) {
            return mask;
        }
        long batch = activations.size(0);
        long[] shape = new long[activations.rank()];
        Arrays.fill(shape, 1L);
        shape[0] = batch;
        if (mask.length() == batch) {
            return mask.reshape(shape);
        }
        if (activations.rank() == 3 && mask.rank() == 2 && mask.size(0) == batch) {
            int timeAxis = timeAxis(activations, mask.size(1));
            if (timeAxis > 0) {
                shape[timeAxis] = mask.size(1);
                return mask.reshape(shape);
            }
        }
        throw new IllegalArgumentException("MaskDropoutLayer \"" + layerConf().getLayerName() + "\" got a feature "
                + "mask of shape " + Arrays.toString(maskArray.shape()) + " for activations of shape "
                + Arrays.toString(activations.shape()) + ": expected [batch] or [batch, 1] (one flag per example), "
                + "[batch, time] for recurrent input, or an array of the activations' rank that broadcasts to them.");
    }

    private static boolean broadcastsTo(long[] mask, long[] activations) {
        if (mask.length != activations.length) {
            return false;
        }
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 1 && mask[i] != activations[i]) {
                return false;
            }
        }
        return true;
    }

    private int timeAxis(INDArray activations, long steps) {
        RNNFormat format = layerConf().getRnnDataFormat();
        boolean ncw = activations.size(2) == steps;
        boolean nwc = activations.size(1) == steps;
        if (ncw && nwc) {
            return format == RNNFormat.NWC ? 1 : 2;
        }
        return ncw ? 2 : nwc ? 1 : -1;
    }

    private INDArray newActivations(LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
    }

    @Override
    public void clear() {
        super.clear();
        MaskDropout dropout = layerConf().getDropout();
        if (dropout != null) {
            dropout.clear();
        }
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0.0;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no parameters, no weight noise
    }

    @Override
    public INDArray params() {
        return null;
    }
}

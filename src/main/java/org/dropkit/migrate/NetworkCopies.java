package org.dropkit.migrate;

import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network rebuilt on a converted configuration, for {@link DropoutSwap} and {@link DropoutExport}: a copy of
 * its parameters, updater state and listeners; the configuration carries the iteration and epoch counts. Parameter
 * and updater-state layouts are those of the original because a conversion only changes layers without parameters
 * and dropout, which have none.
 */
final class NetworkCopies {

    private NetworkCopies() {
    }

    static MultiLayerNetwork rebuild(MultiLayerNetwork net, MultiLayerConfiguration conf) {
        MultiLayerNetwork copy = new MultiLayerNetwork(conf);
        INDArray params = net.params();
        if (params != null && !params.isEmpty()) {
            copy.init(params.dup(), false);
        } else {
            copy.init();
        }
        Updater updater = net.getUpdater(false);
        INDArray state = updater == null ? null : updater.getStateViewArray();
        if (state != null && !state.isEmpty()) {
            copy.getUpdater().setStateViewArray(copy, state.dup(), false);
        }
        if (net.getListeners() != null && !net.getListeners().isEmpty()) {
            copy.setListeners(net.getListeners());
        }
        return copy;
    }

    static ComputationGraph rebuild(ComputationGraph net, ComputationGraphConfiguration conf) {
        ComputationGraph copy = new ComputationGraph(conf);
        INDArray params = net.params();
        if (params != null && !params.isEmpty()) {
            copy.init(params.dup(), false);
        } else {
            copy.init();
        }
        ComputationGraphUpdater updater = net.getUpdater(false);
        INDArray state = updater == null ? null : updater.getStateViewArray();
        if (state != null && !state.isEmpty()) {
            copy.getUpdater().setStateViewArray(state.dup());
        }
        if (net.getListeners() != null && !net.getListeners().isEmpty()) {
            copy.setListeners(net.getListeners());
        }
        return copy;
    }
}

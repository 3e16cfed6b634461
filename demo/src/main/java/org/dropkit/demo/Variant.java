package org.dropkit.demo;

import java.util.function.LongFunction;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** One network configuration of an experiment: a name for the table, what dropout it uses, and how to build it. */
final class Variant {

    /** The name of every experiment's variant without dropout, the baseline of the paired differences. */
    static final String NONE = "none";

    final String name;
    final String dropout;
    /** True to sample the trained network with Monte Carlo dropout (it must have MaskDropoutLayers). */
    final boolean monteCarlo;
    private final LongFunction<MultiLayerNetwork> factory;

    Variant(String name, String dropout, boolean monteCarlo, LongFunction<MultiLayerNetwork> factory) {
        this.name = name;
        this.dropout = dropout;
        this.monteCarlo = monteCarlo;
        this.factory = factory;
    }

    /** A freshly initialized network, its weights drawn from the seed. */
    MultiLayerNetwork build(long seed) {
        MultiLayerNetwork net = factory.apply(seed);
        net.init();
        return net;
    }
}

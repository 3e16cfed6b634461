package org.dropkit.internal;

import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which kind of DL4J network a dropout runs in, read from the calling thread's stack (DL4J tells a dropout or a layer
 * nothing about its network). It decides whether writing in place is safe: a {@code MultiLayerNetwork} lets a layer
 * modify its input only where nothing else reads it, but a {@code ComputationGraph} also lets the last consumer of an
 * activation that several layers read modify it, after which the others' gradients are computed from the modified
 * array.
 */
public final class HostNetwork {

    private static final String GRAPH = "org.deeplearning4j.nn.graph.ComputationGraph";
    private static final String MULTI_LAYER = "org.deeplearning4j.nn.multilayer.MultiLayerNetwork";
    /** Deep enough for DL4J's call chains (a network's fit down to a layer's dropout is about 15 frames). */
    private static final int MAX_FRAMES = 64;

    private HostNetwork() {
    }

    /**
     * True when a {@code ComputationGraph} is on the calling thread's stack nearer than any
     * {@code MultiLayerNetwork}; false when called from a {@code MultiLayerNetwork} or from no network at all. About
     * as costly as creating an exception: call it once per layer or dropout instance and keep the answer.
     */
    public static boolean isGraph() {
        return StackWalker.getInstance().walk(frames -> isGraph(frames.map(StackWalker.StackFrame::getClassName)));
    }

    /** As {@link #isGraph()}, for the class names of a stack's frames, innermost first (for one shared walk). */
    public static boolean isGraph(Stream<String> frameClassNames) {
        Optional<String> network = frameClassNames.limit(MAX_FRAMES)
                .filter(name -> name.equals(GRAPH) || name.equals(MULTI_LAYER))
                .findFirst();
        return network.filter(GRAPH::equals).isPresent();
    }
}

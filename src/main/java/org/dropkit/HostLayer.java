package org.dropkit;

import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.dropkit.internal.HostNetwork;

/**
 * The DL4J layer that runs an {@code IDropout} set with {@code .dropOut(...)}, as far as its layout and its backward
 * pass depend on it. DL4J 1.0.0-M2.1 hands an {@code IDropout} no reference to its layer and calls none of its
 * methods while a network is configured or initialized, so the layer is found from the call stack of the first
 * training forward pass: the most derived class of the DL4J layer frames that call {@code applyDropout}. That names
 * the layer's class, not its instance, index or data format.
 *
 * <p>What the kinds mean, from DL4J 1.0.0-M2.1's sources:
 * <ul>
 *   <li>{@link Kind#CHANNELS_FIRST_GRADIENT}: {@code ConvolutionLayer}, {@code SimpleRnn} and {@code GravesLSTM}
 *       apply dropout to their input in their own format but hand its backward pass a channels-first gradient
 *       ([n, c, h, w], [n, f, t]) in every format.</li>
 *   <li>{@link Kind#LSTM}: {@code LSTM} permutes its input to NCW before dropout, in forward and backward.</li>
 *   <li>{@link Kind#FORWARD_ONLY}: {@code Convolution1DLayer}, {@code Convolution3DLayer},
 *       {@code Deconvolution2DLayer}, {@code Deconvolution3DLayer}, {@code SpaceToDepth}, {@code Upsampling1D},
 *       {@code RepeatVector} and {@code CenterLossOutputLayer} apply dropout forward and never call its backward
 *       pass (the configuration classes are in {@code org.dropkit.internal.Dl4jDropoutDefects}).</li>
 *   <li>{@link Kind#OTHER}: every other layer; the gradient has the forward layout.</li>
 * </ul>
 */
final class HostLayer {

    enum Kind { CHANNELS_FIRST_GRADIENT, LSTM, FORWARD_ONLY, OTHER }

    /** Not called from a DL4J layer (a custom caller, or a test calling the IDropout directly). */
    static final HostLayer NONE = new HostLayer(Kind.OTHER, null, -1);

    private static final String LAYERS = "org.deeplearning4j.nn.layers.";
    /** Deep enough for DL4J's call chains (a network's fit down to a layer's dropout is about 15 frames). */
    private static final int MAX_FRAMES = 64;

    final Kind kind;
    /** The simple name of the DL4J runtime class, e.g. "ConvolutionLayer", or null for {@link #NONE}. */
    final String name;
    /** The rank of the input this was found for. */
    final int rank;
    /** Whether the layer runs inside a ComputationGraph (see {@link HostNetwork}). */
    final boolean inGraph;

    private HostLayer(Kind kind, String name, int rank) {
        this(kind, name, rank, false);
    }

    private HostLayer(Kind kind, String name, int rank, boolean inGraph) {
        this.kind = kind;
        this.name = name;
        this.rank = rank;
        this.inGraph = inGraph;
    }

    /**
     * Walks the calling thread's stack from the caller of the dropout. Costs one stack walk (tens of microseconds);
     * callers cache the result per instance.
     *
     * @param rank the rank of the input the dropout was given
     */
    static HostLayer find(int rank) {
        List<Class<?>> frames = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(s -> s.limit(MAX_FRAMES).map(StackWalker.StackFrame::getDeclaringClass)
                        .collect(Collectors.toList()));
        Class<?> host = mostDerivedLayer(frames.stream());
        HostLayer found = host == null ? NONE : of(host.getName(), rank);
        return found.inGraph(HostNetwork.isGraph(frames.stream().map(Class::getName)));
    }

    /** This host, marked as running inside a ComputationGraph or not. */
    private HostLayer inGraph(boolean graph) {
        return graph == inGraph ? this : new HostLayer(kind, name, rank, graph);
    }

    /**
     * The most derived class of the run of DL4J layer frames that starts at the dropout's caller (the first frame
     * outside Dropkit): the layer whose code called the dropout. The run ends at the first frame of an unrelated
     * class (the network, a graph vertex, a wrapper layer). Null when the caller is not a layer.
     */
    private static Class<?> mostDerivedLayer(Stream<Class<?>> frames) {
        Iterator<Class<?>> callers = frames.dropWhile(c -> c.getName().startsWith("org.dropkit.")).iterator();
        if (!callers.hasNext()) {
            return null;
        }
        Class<?> host = callers.next();
        if (!Layer.class.isAssignableFrom(host) || NeuralNetwork.class.isAssignableFrom(host)) {
            return null;
        }
        while (callers.hasNext()) {
            Class<?> c = callers.next();
            if (host.isAssignableFrom(c)) {
                host = c;
            } else if (!c.isAssignableFrom(host)) {
                break;
            }
        }
        return host;
    }

    /** The host for a DL4J runtime class name and input rank. */
    static HostLayer of(String className, int rank) {
        if (!className.startsWith(LAYERS)) {
            return new HostLayer(Kind.OTHER, simpleName(className), rank);
        }
        switch (className.substring(LAYERS.length())) {
            case "convolution.ConvolutionLayer":
                // Convolution3DLayer inherits ConvolutionLayer's activate(): only the rank tells them apart here.
                return rank == 5 ? new HostLayer(Kind.FORWARD_ONLY, "Convolution3DLayer", rank)
                        : new HostLayer(Kind.CHANNELS_FIRST_GRADIENT, "ConvolutionLayer", rank);
            case "recurrent.SimpleRnn":
            case "recurrent.GravesLSTM":
                return new HostLayer(Kind.CHANNELS_FIRST_GRADIENT, simpleName(className), rank);
            case "recurrent.LSTM":
                return new HostLayer(Kind.LSTM, "LSTM", rank);
            case "convolution.Convolution1DLayer":
            case "convolution.Convolution3DLayer":
            case "convolution.Deconvolution2DLayer":
            case "convolution.Deconvolution3DLayer":
            case "convolution.SpaceToDepth":
            case "convolution.upsampling.Upsampling1D":
            case "RepeatVector":
            case "training.CenterLossOutputLayer":
                return new HostLayer(Kind.FORWARD_ONLY, simpleName(className), rank);
            default:
                return new HostLayer(Kind.OTHER, simpleName(className), rank);
        }
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** "a DL4J ConvolutionLayer", or "a layer" when the caller is not a DL4J layer. */
    String describe() {
        if (name == null) {
            return "a layer";
        }
        if (name.equals("BaseLayer") || name.equals("BaseOutputLayer")) {
            return "a DL4J " + name + " (DenseLayer, OutputLayer and other feed-forward layers run its code)";
        }
        return "a DL4J " + name;
    }

    @Override
    public String toString() {
        return kind + "(" + name + ", rank " + rank + (inGraph ? ", in a graph" : "") + ")";
    }
}

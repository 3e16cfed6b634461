package org.dropkit.internal;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.layers.OutputLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run-time side of exact DropConnect on one DL4J layer: the masks of the layer's parameters drawn in a training
 * forward pass, applied to the parameters' gradients once DL4J has computed them.
 *
 * <p>DL4J gives weight noise no hook after a layer's backward pass: an {@code IWeightNoise} returns the noisy
 * parameter {@code W' = W * m} for the forward pass, the layer caches it in its map {@code weightNoiseParams} for
 * the backward pass, computes {@code dL/dW'} into the parameter's gradient view and then clears that map. This class
 * is that map (it replaces the layer's own on the first training pass): when DL4J clears it from inside the layer's
 * backward method, or, for output layers, which compute their gradient before their last read of the cached weights
 * and leave clearing to the network, when that read comes from the backward method, the gradient views of the
 * parameters drawn since the forward pass are multiplied in place by their masks, regenerated from the seed or
 * stored: {@code dL/dW = dL/dW' * m}, once per forward pass. A clear from anywhere else (an inference or score pass,
 * {@code clearLayersStates}) forgets the masks without touching the gradient.
 *
 * <p>Where DL4J calls these methods from is part of its layers' code, not of an interface, so only the layer
 * classes whose call order was read and is tested are accepted ({@link #of}); any other is refused with an error
 * rather than given a gradient that would silently be {@code dL/dW'}. DL4J's oneDNN/cuDNN convolution helper
 * returns from the backward pass before that clear, so a {@code ConvolutionLayer} with DropConnect runs DL4J's own
 * implementation.
 */
public final class LayerWeightMasks extends HashMap<String, INDArray> {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(LayerWeightMasks.class);

    /** The runtime layer classes whose backward pass is known to write every gradient before this map is told. */
    private static final List<Class<? extends Layer>> SUPPORTED = List.of(DenseLayer.class, OutputLayer.class,
            RnnOutputLayer.class, ConvolutionLayer.class, LSTM.class);
    /** The configuration classes of those layers. */
    private static final List<Class<?>> SUPPORTED_CONFIGURATIONS = List.of(
            org.deeplearning4j.nn.conf.layers.DenseLayer.class, org.deeplearning4j.nn.conf.layers.OutputLayer.class,
            org.deeplearning4j.nn.conf.layers.RnnOutputLayer.class,
            org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class, org.deeplearning4j.nn.conf.layers.LSTM.class);
    /** The methods of those layers that compute gradients (LSTM's private helper included). */
    private static final Set<String> BACKWARD_METHODS = Set.of("backpropGradient", "backpropGradientHelper",
            "tbpttBackpropGradient");
    private static final String READ_METHOD = "getParamWithNoise";
    private static final StackWalker WALKER = StackWalker.getInstance();

    private static final Field NOISE_CACHE = accessible(BaseLayer.class, "weightNoiseParams");
    private static final Field CONV_HELPER = accessible(ConvolutionLayer.class, "helper");

    private final transient Layer layer;
    /** True for output layers: their gradient is complete when the backward pass reads the cached weights. */
    private final boolean gradientBeforeRead;
    /** The masks drawn since the last forward pass whose gradients are not yet masked, by parameter key. */
    private final transient Map<String, Drawn> pending = new LinkedHashMap<>();

    private LayerWeightMasks(Layer layer) {
        this.layer = layer;
        this.gradientBeforeRead = layer instanceof BaseOutputLayer;
    }

    /**
     * @param layer a layer configuration
     * @return true if DropConnect's gradient is exact on layers of exactly that class
     */
    public static boolean supports(org.deeplearning4j.nn.conf.layers.Layer layer) {
        return SUPPORTED_CONFIGURATIONS.contains(layer.getClass());
    }

    /** @return the simple names of the layer classes where DropConnect's gradient is exact, for messages */
    public static String supportedNames() {
        return SUPPORTED.stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
    }

    /**
     * The masks of a layer, installed on its first call.
     *
     * @param layer  the runtime layer an {@code IWeightNoise} was called for
     * @param origin the weight noise, for the message
     * @throws IllegalStateException if the layer is not one where the exact gradient can be given
     */
    public static LayerWeightMasks of(Layer layer, Object origin) {
        Object current = read(layer);
        if (current instanceof LayerWeightMasks) {
            return (LayerWeightMasks) current;
        }
        if (!SUPPORTED.contains(layer.getClass())) {
            throw new IllegalStateException(origin + " is on layer " + describe(layer) + ", a "
                    + layer.getClass().getSimpleName() + ": DropConnect with the exact gradient dL/dW = dL/dW' * m"
                    + " runs on " + supportedNames()
                    + " only, because DL4J's other layers compute their weight gradient where Dropkit cannot mask"
                    + " it. Move .weightNoise(...) to one of those layers, or keep DL4J's own DropConnect on this one"
                    + " (its weight gradient is dL/dW', not exact).");
        }
        LayerWeightMasks masks = new LayerWeightMasks(layer);
        @SuppressWarnings("unchecked")
        Map<String, INDArray> before = (Map<String, INDArray>) current;
        if (before != null) {
            masks.putAll(before);
        }
        try {
            NOISE_CACHE.set(layer, masks);
            if (layer instanceof ConvolutionLayer && CONV_HELPER.get(layer) != null) {
                log.debug("layer {}: DL4J's convolution helper is turned off, its backward pass skips the point"
                        + " where DropConnect masks the weight gradient", describe(layer));
                CONV_HELPER.set(layer, null);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot install DropConnect on layer " + describe(layer), e);
        }
        return masks;
    }

    /**
     * Records the mask a training forward pass drew for one parameter; its gradient is masked after this layer's
     * next backward pass.
     *
     * @param stored the mask itself (STORED), or null to regenerate it from (spec, seed)
     * @param noisy  the noisy parameter returned to DL4J
     */
    public void drawn(String paramKey, MaskSpec spec, long seed, DataType maskType, INDArray stored,
            INDArray noisy) {
        pending.put(paramKey, new Drawn(spec, seed, maskType, stored, noisy));
    }

    /** Records that this pass drew no mask for one parameter (p = 1): its gradient is left as it is. */
    public void forget(String paramKey) {
        pending.remove(paramKey);
    }

    @Override
    public INDArray get(Object key) {
        if (gradientBeforeRead && !pending.isEmpty() && readFromBackward()) {
            maskGradients(false);
        }
        return super.get(key);
    }

    @Override
    public void clear() {
        if (!pending.isEmpty()) {
            if (clearedFromBackward()) {
                maskGradients(true);
            }
            pending.clear();
        }
        super.clear();
    }

    /**
     * Multiplies each pending parameter's gradient view by its mask, once.
     *
     * @param released true when the layer is releasing its noisy parameters (the clear from its backward pass): their
     *                 memory then holds the regenerated mask on its way into the gradient. False where the layer
     *                 still reads them afterwards (an output layer's epsilon).
     */
    private void maskGradients(boolean released) {
        Map<String, INDArray> views = layer.conf().getLayer().initializer()
                .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
        for (Map.Entry<String, Drawn> e : pending.entrySet()) {
            INDArray gradient = flat(views.get(e.getKey()), layer, e.getKey());
            Drawn d = e.getValue();
            if (d.stored != null) {
                MaskEngine.multiply(gradient, d.stored, gradient);
            } else if (released && super.get(e.getKey()) == d.noisy) {
                MaskEngine.backward(d.spec, d.seed, d.maskType, gradient, gradient, flat(d.noisy, layer, e.getKey()));
            } else {
                MaskEngine.backward(d.spec, d.seed, d.maskType, gradient, gradient);
            }
        }
        pending.clear();
    }

    /**
     * A parameter (or its gradient, or its noisy copy) as a vector in its buffer order, a view of the same memory.
     * DropConnect indexes a weight's mask by its position there, the position it has in DL4J's flattened parameter
     * vector: a layer's parameter and its gradient view are laid out alike (both are views DL4J cuts from its
     * flattened arrays in the same order), so forward and gradient agree, and a mask pass is one sweep over
     * contiguous memory whatever the parameter's order (DL4J's dense weights are f-order, where a c-order logical
     * index would cost a strided pass).
     *
     * @throws IllegalStateException if the array is not contiguous in its own order, which DL4J's parameters are
     */
    public static INDArray flat(INDArray a, Layer layer, String paramKey) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        boolean f = a.ordering() == 'f';
        for (int k = 0; k < shape.length; k++) {
            int i = f ? k : shape.length - 1 - k;
            if (shape[i] != 1) {
                if (stride[i] != expected) {
                    throw new IllegalStateException("parameter " + paramKey + " of layer " + describe(layer)
                            + " is not a contiguous " + a.ordering() + "-order array (shape "
                            + java.util.Arrays.toString(shape) + ", strides " + java.util.Arrays.toString(stride)
                            + "): DropConnect needs DL4J's own parameter views");
                }
                expected *= shape[i];
            }
        }
        return a.rank() == 1 ? a : a.reshape(a.ordering(), new long[] {a.length()});
    }

    /** True when the caller of {@link #clear} is a layer's backward method. */
    private static boolean clearedFromBackward() {
        return WALKER.walk(frames -> callers(frames).findFirst()
                .map(f -> BACKWARD_METHODS.contains(f.getMethodName())).orElse(false));
    }

    /** True when {@link #get} was called by DL4J's getParamWithNoise, called by a layer's backward method. */
    private static boolean readFromBackward() {
        return WALKER.walk(frames -> {
            List<String> names = callers(frames).limit(2).map(StackWalker.StackFrame::getMethodName)
                    .collect(Collectors.toList());
            return names.size() == 2 && READ_METHOD.equals(names.get(0)) && BACKWARD_METHODS.contains(names.get(1));
        });
    }

    /** The frames below this class's own (the compiler's bridge method for {@code get} among them). */
    private static Stream<StackWalker.StackFrame> callers(Stream<StackWalker.StackFrame> frames) {
        return frames.dropWhile(f -> f.getClassName().equals(LayerWeightMasks.class.getName()));
    }

    private static Object read(Layer layer) {
        if (!(layer instanceof BaseLayer)) {
            return null;
        }
        try {
            return NOISE_CACHE.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read DL4J's weight noise cache of layer " + describe(layer), e);
        }
    }

    private static String describe(Layer layer) {
        String name = layer.conf() == null ? null : layer.conf().getLayer().getLayerName();
        return (name == null ? "" : "'" + name + "' ") + "(index " + layer.getIndex() + ")";
    }

    private static Field accessible(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("DL4J's " + owner.getName() + " has no field " + name
                    + ": this Dropkit release supports DL4J 1.0.0-M2.1");
        }
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** One parameter's mask, as its gradient needs it. */
    private static final class Drawn {
        final MaskSpec spec;
        final long seed;
        final DataType maskType;
        final INDArray stored;
        /** The noisy parameter as returned to DL4J. */
        final INDArray noisy;

        Drawn(MaskSpec spec, long seed, DataType maskType, INDArray stored, INDArray noisy) {
            this.spec = spec;
            this.seed = seed;
            this.maskType = maskType;
            this.stored = stored;
            this.noisy = noisy;
        }
    }
}

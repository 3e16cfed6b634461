package org.dropkit.benchmarks;

import java.lang.reflect.Field;
import java.util.Optional;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;

/**
 * Alpha dropout and Gaussian noise under test, as one JMH parameter: DL4J's {@code AlphaDropout} and
 * {@code GaussianNoise} and Dropkit's {@code MaskDropout.alpha} and {@code MaskDropout.gaussianNoise}. Each Dropkit
 * implementation names the built-in one it is compared with ({@link #baseline()}).
 */
public enum FamilyImpl {

    /** DL4J's {@code AlphaDropout(p)}: a Bernoulli mask, then five arithmetic passes; keeps the mask. */
    DL4J_ALPHA(null),
    DROPKIT_ALPHA_RECOMPUTE(DL4J_ALPHA),
    DROPKIT_ALPHA_STORED(DL4J_ALPHA),
    /** DL4J's {@code GaussianNoise(sigma)}: a fresh noise array each pass, then an add; backward copies. */
    DL4J_GAUSSIAN_NOISE(null),
    /** Dropkit's noise keeps nothing for backward, whatever the storage. */
    DROPKIT_GAUSSIAN_NOISE(DL4J_GAUSSIAN_NOISE);

    private final FamilyImpl baseline;

    FamilyImpl(FamilyImpl baseline) {
        this.baseline = baseline;
    }

    /** The built-in implementation this one is compared with; null for a built-in one. */
    public FamilyImpl baseline() {
        return baseline;
    }

    /** A fresh instance: alpha dropout of retain probability p, or noise of standard deviation sigma. */
    public IDropout create(double p, double sigma) {
        switch (this) {
            case DL4J_ALPHA:
                return new AlphaDropout(p);
            case DROPKIT_ALPHA_RECOMPUTE:
                return MaskDropout.alpha(p).storage(MaskStorage.RECOMPUTE);
            case DROPKIT_ALPHA_STORED:
                return MaskDropout.alpha(p).storage(MaskStorage.STORED);
            case DL4J_GAUSSIAN_NOISE:
                return new GaussianNoise(sigma);
            case DROPKIT_GAUSSIAN_NOISE:
                return MaskDropout.gaussianNoise(sigma);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * What a forward pass leaves for its backward pass, read by reflection so that a backward-only benchmark can put it
     * back before each call: DL4J AlphaDropout's private {@code mask}, Dropkit's per-thread {@code pending} pass, and
     * nothing for DL4J's GaussianNoise, whose backward pass needs no state.
     */
    static Object pendingState(IDropout d) {
        Field f = stateField(d);
        if (f == null) {
            return Boolean.TRUE;
        }
        try {
            Object held = f.get(d);
            return held instanceof ThreadLocal ? ((ThreadLocal<?>) held).get() : held;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts back what {@link #pendingState} read, on the thread that read it. */
    @SuppressWarnings("unchecked")
    static void restorePendingState(IDropout d, Object state) {
        Field f = stateField(d);
        if (f == null) {
            return;
        }
        try {
            Object held = f.get(d);
            if (held instanceof ThreadLocal) {
                ((ThreadLocal<Object>) held).set(state);
            } else {
                f.set(d, state);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The state field of each class, looked up once: a lookup per call ({@code getDeclaredField} copies the field and
     * {@code setAccessible} checks access) would be timed with Dropkit's backward pass and not with GaussianNoise's,
     * which has no field, and at 1e4 elements it costs about as much as the pass.
     */
    private static final ClassValue<Optional<Field>> STATE_FIELDS = new ClassValue<>() {
        @Override
        protected Optional<Field> computeValue(Class<?> type) {
            if (GaussianNoise.class.isAssignableFrom(type)) {
                return Optional.empty();
            }
            String name = MaskDropout.class.isAssignableFrom(type) ? "pending" : "mask";
            try {
                Field f = type.getDeclaredField(name);
                f.setAccessible(true);
                return Optional.of(f);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("no field " + name + " in " + type.getName()
                        + ": the benchmarks know DL4J 1.0.0-M2.1 and Dropkit 0.1", e);
            }
        }
    };

    private static Field stateField(IDropout d) {
        return STATE_FIELDS.get(d.getClass()).orElse(null);
    }
}

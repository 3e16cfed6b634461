package org.dropkit.benchmarks;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The dropout implementations under test, as one JMH parameter. Each Dropkit implementation names the built-in
 * implementation it is compared with ({@link #baseline()}); all use the same retain probability p.
 */
public enum Impl {

    /** DL4J's {@code Dropout(p)}: assign(1), DropOutInverted, MulOp; keeps the mask. */
    DL4J_DROPOUT(null),
    /** DL4J's {@code GaussianDropout(1 - p)}: N(1, (1-p)/p) noise, MulOp; keeps the noise. */
    DL4J_GAUSSIAN(null),
    /** DL4J's {@code SpatialDropout(p)}: one value per (example, dim 1), broadcast; rank 3 to 5 only. */
    DL4J_SPATIAL(null),
    DROPKIT_BERNOULLI_RECOMPUTE(DL4J_DROPOUT),
    DROPKIT_BERNOULLI_STORED(DL4J_DROPOUT),
    DROPKIT_GAUSSIAN_RECOMPUTE(DL4J_GAUSSIAN),
    DROPKIT_GAUSSIAN_STORED(DL4J_GAUSSIAN),
    /** Bernoulli shared over every axis after 1: spatial (NCHW, axes 2,3) for 4-D, time-locked (NCW, axis 2) for 3-D. */
    DROPKIT_SHARED_RECOMPUTE(DL4J_SPATIAL),
    DROPKIT_SHARED_STORED(DL4J_SPATIAL);

    private final Impl baseline;

    Impl(Impl baseline) {
        this.baseline = baseline;
    }

    /** The built-in implementation this one is compared with; null for a built-in one. */
    public Impl baseline() {
        return baseline;
    }

    public boolean isBuiltIn() {
        return baseline == null;
    }

    /** A fresh instance for input of the given rank. */
    public IDropout create(double p, int rank) {
        switch (this) {
            case DL4J_DROPOUT:
                return new Dropout(p);
            case DL4J_GAUSSIAN:
                return new GaussianDropout(1.0 - p);
            case DL4J_SPATIAL:
                requireSpatialRank(rank);
                return new SpatialDropout(p);
            case DROPKIT_BERNOULLI_RECOMPUTE:
                return MaskDropout.bernoulli(p).storage(MaskStorage.RECOMPUTE);
            case DROPKIT_BERNOULLI_STORED:
                return MaskDropout.bernoulli(p).storage(MaskStorage.STORED);
            case DROPKIT_GAUSSIAN_RECOMPUTE:
                return MaskDropout.gaussian(p).storage(MaskStorage.RECOMPUTE);
            case DROPKIT_GAUSSIAN_STORED:
                return MaskDropout.gaussian(p).storage(MaskStorage.STORED);
            case DROPKIT_SHARED_RECOMPUTE:
                return MaskDropout.bernoulli(p).sharedAxes(sharedAxes(rank)).storage(MaskStorage.RECOMPUTE);
            case DROPKIT_SHARED_STORED:
                return MaskDropout.bernoulli(p).sharedAxes(sharedAxes(rank)).storage(MaskStorage.STORED);
            default:
                throw new AssertionError(this);
        }
    }

    /** Axes 2.. of the input: what SpatialDropout shares over (one mask value per example and dim 1). */
    static int[] sharedAxes(int rank) {
        requireSpatialRank(rank);
        int[] axes = new int[rank - 2];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 2;
        }
        return axes;
    }

    private static void requireSpatialRank(int rank) {
        if (rank < 3 || rank > 5) {
            throw new IllegalArgumentException("shared-axes (spatial / time-locked) dropout needs rank 3 to 5 input,"
                    + " got rank " + rank + ": run the SHARED and SPATIAL implementations on 3-D or 4-D shapes only");
        }
    }

    /**
     * What a forward pass leaves for its backward pass, read and written by reflection so that a backward-only
     * benchmark can restore it before each call (every implementation clears it in backprop): DL4J's private
     * {@code mask} / {@code noise} fields, Dropkit's private transient {@code pending} field (a {@code Pass}, or
     * a {@code ThreadLocal<Pass>} since Dropkit keeps it per thread).
     */
    static Object pendingState(IDropout d) {
        try {
            Object held = stateField(d).get(d);
            return held instanceof ThreadLocal ? ((ThreadLocal<?>) held).get() : held;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts back what {@link #pendingState} read; call on the thread that read it (Dropkit keeps it per thread). */
    @SuppressWarnings("unchecked")
    static void restorePendingState(IDropout d, Object state) {
        try {
            Field f = stateField(d);
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

    /** Bytes of mask kept by the last forward pass, until backward: the built-in's array, or Dropkit's own count. */
    static long keptMaskBytes(IDropout d) {
        if (d instanceof MaskDropout) {
            return ((MaskDropout) d).keptMaskBytes();
        }
        INDArray kept = (INDArray) pendingState(d);
        return kept == null ? 0L : kept.length() * kept.dataType().width();
    }

    private static final ClassValue<Field> STATE_FIELDS = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            String name = type == MaskDropout.class ? "pending" : type == GaussianDropout.class ? "noise" : "mask";
            try {
                Field f = type.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("no field " + name + " in " + type.getName()
                        + ": the benchmarks know DL4J 1.0.0-M2.1 and Dropkit 0.1", e);
            }
        }
    };

    private static Field stateField(IDropout d) {
        return STATE_FIELDS.get(d.getClass());
    }
}

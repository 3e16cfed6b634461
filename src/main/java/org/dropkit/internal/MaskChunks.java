package org.dropkit.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * One thread's generator of host masks, a chunk of {@value #CHUNK} elements at a time: the FLOAT mask values of
 * chunk {@code c} (logical elements {@code c * CHUNK ..}) from the counter streams of {@link CounterHash}. A value
 * depends only on the stream keys and its element's index, never on which thread or call computes it.
 *
 * <p><b>Gaussian: Box-Muller, vectorized.</b> Pair q of a chunk gives elements {@code q} and {@code q + CHUNK / 2}:
 * {@code z0 = r cos(theta)}, {@code z1 = r sin(theta)}, {@code r = sqrt(-2 ln u)}, two independent N(0, 1) values (Box
 * and Muller 1958), and the masks {@code 1 + sigma z}. u in (0, 1) is an odd 32-bit integer times 2^-32 (so |z| stays
 * below sqrt(64 ln 2) = 6.66; a larger value has probability 2.7e-11), value q of the chunk in the radius stream; theta
 * is uniform on (-pi, pi) from the top 23 bits of value q in the angle stream. C2 (JDK 17) vectorizes loops of
 * arithmetic of one width but not int/float conversions or bit casts, so every step is a short loop of one kind, and
 * values change type by a bulk copy through a direct buffer ({@link #castInts}): the leading-zero count that splits u
 * into 2^e * m is a branch-free binary search with multiplies; ln m (m in [sqrt(1/2), sqrt(2))) is 2
 * atanh((m - 1) / (m + 1)) to its s^9 term (error below 7e-10); sin and cos of theta / 2 are Taylor polynomials to
 * degree 13 and 12 on (-pi/2, pi/2) (errors below 6e-10 and 6e-9), and the double-angle formulas give theta. Computed
 * in float, z agrees with a double-precision evaluation of the same transform of the same bits to 1e-5 (1 + |z|), and
 * to 1e-4 where r is below 0.01 (u within 5e-5 of 1, where the float spacing of u limits it); the tests check both
 * bounds.
 *
 * <p><b>Bernoulli.</b> Element j of chunk c is kept when the top 31 bits of value j of the chunk are below
 * {@code round(p * 2^31)}; the mask value (T) (1/p) or 0 is selected with 32-bit lane masks.
 *
 * <p>Not thread-safe: each thread uses its own instance ({@link #get()}); the arrays are reused from pass to pass.
 */
final class MaskChunks {

    /** Elements per chunk: 16 KiB of FLOAT, well inside L1/L2 with the scratch arrays. */
    static final int CHUNK = 4096;
    private static final int PAIRS = CHUNK / 2;

    private static final int FLOAT_ONE = 0x3F800000;
    /** Bits of the float 2^23: (MAGIC | k) read as a float is 2^23 + k for 0 <= k < 2^23. */
    private static final int MAGIC = 0x4B000000;
    private static final float TWO_23 = 0x1p23f;
    /** Bits of the largest float below sqrt(2): mantissas above it are halved so that ln m stays small. */
    private static final int SQRT2_BITS = 0x3FB504F3;
    /** The exponent field of u's decomposition is stored plus this bias, to stay non-negative. */
    private static final int EXPONENT_BIAS = 64;
    private static final float LN2 = 0.6931471805599453f;
    private static final float HALF_ANGLE_SCALE = (float) (Math.PI * 0x1p-23);

    private static final ThreadLocal<MaskChunks> PER_THREAD = ThreadLocal.withInitial(MaskChunks::new);

    private final int[] bits = new int[CHUNK];
    private final int[] radiusBits = new int[PAIRS];
    private final int[] angleBits = new int[PAIRS];
    private final int[] normalized = new int[PAIRS];
    private final int[] leadingZeros = new int[PAIRS];
    private final float[] mantissa = new float[PAIRS];
    private final float[] exponent = new float[PAIRS];
    private final float[] halfAngle = new float[PAIRS];
    private final float[] radius = new float[PAIRS];
    private final float[] sinHalf = new float[PAIRS];
    private final float[] cosHalf = new float[PAIRS];

    /** Scratch of the caller (HostMasks): input, product and mask values of one chunk. */
    final float[] floats = new float[CHUNK];
    final float[] products = new float[CHUNK];
    final float[] mask = new float[CHUNK];
    final double[] doubles = new double[CHUNK];
    final double[] doubleProducts = new double[CHUNK];

    private final IntBuffer castAsInts;
    private final FloatBuffer castAsFloats;

    private MaskChunks() {
        ByteBuffer cast = ByteBuffer.allocateDirect(CHUNK * Float.BYTES).order(ByteOrder.nativeOrder());
        castAsInts = cast.asIntBuffer();
        castAsFloats = cast.asFloatBuffer();
    }

    /** This thread's instance. */
    static MaskChunks get() {
        return PER_THREAD.get();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Gaussian

    /**
     * The FLOAT masks {@code 1 + sigma z} of chunk {@code chunk} into {@code out[0 .. CHUNK)}.
     *
     * @param radiusKey key of the stream whose values give u (see {@link CounterHash#key})
     * @param angleKey  key of the stream whose values give theta
     */
    void gaussian(long radiusKey, long angleKey, long chunk, float sigma, float[] out) {
        gaussianFields(radiusKey, angleKey, chunk);
        gaussianValues(sigma, true, out);
    }

    /**
     * The FLOAT noise values {@code sigma z} of chunk {@code chunk} into {@code out[0 .. CHUNK)}: the same transform
     * as {@link #gaussian}, without the 1.
     */
    void normal(long radiusKey, long angleKey, long chunk, float sigma, float[] out) {
        gaussianFields(radiusKey, angleKey, chunk);
        gaussianValues(sigma, false, out);
    }

    /*
     * The two halves below are long on purpose: each is one compilation unit of a few short loops. HotSpot inlines
     * a hot method only up to 325 bytes of bytecode (FreqInlineSize), so these two stay apart; compiled as one
     * method (every step inlined into gaussian) C2 runs out of its loop-optimization budget and leaves most loops
     * scalar, about 3x slower (measured on JDK 17).
     */

    /**
     * Integer half: the values of both streams; u = (bits | 1) 2^-32 split into m 2^e with m in [sqrt(1/2),
     * sqrt(2)) (the float bits of m into {@link #mantissa}, those of 2^23 + e + EXPONENT_BIAS into
     * {@link #exponent}); the float bits of 2^23 + t (t: the top 23 angle bits) into {@link #halfAngle}.
     */
    private void gaussianFields(long radiusKey, long angleKey, long chunk) {
        CounterHash.values(radiusKey, chunk, radiusBits, PAIRS);
        CounterHash.values(angleKey, chunk, angleBits, PAIRS);
        int[] k = normalized;
        int[] zeros = leadingZeros;
        // k = bits | 1 (odd, so u is never 0) shifted left until its top bit is set, n = the shift: a branch-free
        // binary search, each step shifting by S (a multiply by 2^S) when the top S bits are all 0.
        for (int q = 0; q < PAIRS; q++) {
            int v = radiusBits[q] | 1;
            int n = 0;
            int z = ((v >>> 16) - 1) >> 31; // -1 when the top 16 bits are all 0, else 0
            v *= 1 + (z & 0xFFFF);
            n += z & 16;
            z = ((v >>> 24) - 1) >> 31;
            v *= 1 + (z & 0xFF);
            n += z & 8;
            z = ((v >>> 28) - 1) >> 31;
            v *= 1 + (z & 0xF);
            n += z & 4;
            z = ((v >>> 30) - 1) >> 31;
            v *= 1 + (z & 0x3);
            n += z & 2;
            z = ((v >>> 31) - 1) >> 31;
            v *= 1 + (z & 0x1);
            n += z & 1;
            k[q] = v;
            zeros[q] = n;
        }
        // u = k 2^-(32 + n) = m 2^e with m = k / 2^31 in [1, 2), e = -1 - n; m above sqrt(2) is halved and e raised
        // by 1. (The 8 lowest bits of k are dropped: u shrinks by at most 2^-23 of itself.)
        for (int q = 0; q < PAIRS; q++) {
            int m = FLOAT_ONE | ((k[q] >>> 8) & 0x7FFFFF);
            int halve = (SQRT2_BITS - m) >>> 31;
            k[q] = m - (halve << 23);
            zeros[q] = MAGIC | (EXPONENT_BIAS - 1 - zeros[q] + halve);
        }
        int[] a = angleBits;
        for (int q = 0; q < PAIRS; q++) {
            a[q] = MAGIC | (a[q] >>> 9);
        }
        castInts(k, PAIRS, mantissa);
        castInts(zeros, PAIRS, exponent);
        castInts(a, PAIRS, halfAngle);
    }

    /**
     * Float half: r = sqrt(-2 ln u), ln u = e ln 2 + ln m, ln m = 2 atanh(s), s = (m - 1) / (m + 1) (|s| < 0.172, so
     * the series to s^9 is within 7e-10); theta / 2 = (t - 2^22 + 1/2) pi 2^-23 in (-pi/2, pi/2) (every step exact
     * but the last multiply); its sin and cos by Taylor polynomials to degree 13 and 12 (remainders below
     * (pi/2)^15 / 15! = 6e-10 and (pi/2)^14 / 14! = 6e-9); cos theta = 1 - 2 sin^2(theta/2), sin theta =
     * 2 sin(theta/2) cos(theta/2); masks 1 + sigma r cos theta (first half) and 1 + sigma r sin theta (second), or
     * without the 1 (additive noise) when {@code plusOne} is false.
     */
    private void gaussianValues(float sigma, boolean plusOne, float[] out) {
        float[] m = mantissa;
        float[] e = exponent;
        float[] r = radius;
        float[] h = halfAngle;
        float[] s = sinHalf;
        float[] c = cosHalf;
        for (int q = 0; q < PAIRS; q++) {
            r[q] = (m[q] - 1f) / (m[q] + 1f);
        }
        for (int q = 0; q < PAIRS; q++) {
            float t = r[q];
            float t2 = t * t;
            r[q] = 2f * t * (1f + t2 * (1f / 3 + t2 * (1f / 5 + t2 * (1f / 7 + t2 * (1f / 9)))));
        }
        for (int q = 0; q < PAIRS; q++) {
            float lnU = (e[q] - TWO_23 - EXPONENT_BIAS) * LN2 + r[q];
            r[q] = (float) Math.sqrt(-2f * lnU);
        }
        for (int q = 0; q < PAIRS; q++) {
            h[q] = ((h[q] - TWO_23) - 0x1p22f + 0.5f) * HALF_ANGLE_SCALE;
        }
        for (int q = 0; q < PAIRS; q++) {
            float t = h[q];
            float t2 = t * t;
            s[q] = t * (1f + t2 * (-1f / 6 + t2 * (1f / 120 + t2 * (-1f / 5040 + t2 * (1f / 362880
                    + t2 * (-1f / 39916800 + t2 * (1f / 6227020800f)))))));
        }
        for (int q = 0; q < PAIRS; q++) {
            float t = h[q];
            float t2 = t * t;
            c[q] = 1f + t2 * (-0.5f + t2 * (1f / 24 + t2 * (-1f / 720 + t2 * (1f / 40320
                    + t2 * (-1f / 3628800 + t2 * (1f / 479001600))))));
        }
        if (plusOne) {
            for (int q = 0; q < PAIRS; q++) {
                out[q] = 1f + sigma * (r[q] * (1f - 2f * s[q] * s[q]));
            }
            for (int q = 0; q < PAIRS; q++) {
                out[PAIRS + q] = 1f + sigma * (r[q] * (2f * s[q] * c[q]));
            }
        } else {
            for (int q = 0; q < PAIRS; q++) {
                out[q] = sigma * (r[q] * (1f - 2f * s[q] * s[q]));
            }
            for (int q = 0; q < PAIRS; q++) {
                out[PAIRS + q] = sigma * (r[q] * (2f * s[q] * c[q]));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bernoulli

    /**
     * The FLOAT masks of chunk {@code chunk} into {@code out[0 .. CHUNK)}: {@code keptValue} where the top 31 bits
     * of the element's value are below {@code threshold}, else +0.
     *
     * @param threshold round(p * 2^31), in [0, 2^31], as an int (2^31 wraps to {@link Integer#MIN_VALUE}, and the
     *                  difference below wraps with it: every element is kept)
     */
    void bernoulli(long key, long chunk, int threshold, float keptValue, float[] out) {
        castInts(bernoulliBits(key, chunk, threshold, keptValue), CHUNK, out);
    }

    /**
     * The masks of {@link #bernoulli} as their float bits, for a caller that writes them to memory as ints (the cast
     * is then free): valid until this instance's next call.
     *
     * @return this thread's array of the chunk's {@value #CHUNK} mask bits
     */
    int[] bernoulliBits(long key, long chunk, int threshold, float keptValue) {
        int[] v = bits;
        CounterHash.values(key, chunk, v, CHUNK);
        int kept = Float.floatToRawIntBits(keptValue);
        for (int j = 0; j < CHUNK; j++) {
            // (v >>> 1) - threshold is negative, its sign bit set, exactly when the element is kept
            v[j] = (((v[j] >>> 1) - threshold) >> 31) & kept;
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bit casts: a bulk copy through a direct buffer, in native byte order.

    private void castInts(int[] src, int n, float[] dst) {
        castAsInts.clear();
        castAsInts.put(src, 0, n);
        castAsFloats.clear();
        castAsFloats.get(dst, 0, n);
    }
}

package org.dropkit.internal;

/**
 * The random bits of host masks: SplitMix64 used as a counter-based generator. Word {@code j} of the stream with key
 * {@code k} is {@code mix(k + (j + 1) * GAMMA)}, which is exactly the j-th output of a SplitMix64 generator seeded
 * with k (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA; the finalizer is
 * Stafford's "Mix13" variant of MurmurHash3's). Any word is computable from (key, j) alone, so work can be split at
 * any element boundary, over any number of threads, and every element still gets the same bits.
 *
 * <p>Two streams of a pass (different keys) are SplitMix64 sequences started at unrelated points of the same
 * 2^64-long cycle; they overlap only if those points are closer than the number of words drawn, which for keys
 * spread by a 64-bit mix has probability about {@code words / 2^63}.
 */
final class CounterHash {

    /** The golden-ratio increment of SplitMix64: odd, so j -> k + j * GAMMA visits all 2^64 values. */
    static final long GAMMA = 0x9E3779B97F4A7C15L;

    /** Words a chunk kernel hashes in one vectorized loop; {@link #STEPS}[j] = (j + 1) * GAMMA. */
    static final int MAX_WORDS = 2048;

    private static final long[] STEPS = new long[MAX_WORDS];

    static {
        for (int j = 0; j < MAX_WORDS; j++) {
            STEPS[j] = (j + 1) * GAMMA;
        }
    }

    /** Salts that make the keys of one seed's streams differ (arbitrary odd constants). */
    static final long BERNOULLI_SALT = 0x2545F4914F6CDD1DL;
    static final long RADIUS_SALT = 0x6A09E667F3BCC909L;
    static final long ANGLE_SALT = 0xBB67AE8584CAA73BL;
    /** The streams of additive noise: not those of a Gaussian mask, so the two kinds of one seed are independent. */
    static final long NOISE_RADIUS_SALT = 0x3C6EF372FE94F82BL;
    static final long NOISE_ANGLE_SALT = 0xA54FF53A5F1D36F1L;

    private CounterHash() {
    }

    /** The 64-bit finalizer: a bijection whose output bits each depend on every input bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The key of one stream of a mask: a mix of the pass's seed and the stream's salt. */
    static long key(long seed, long salt) {
        return mix(seed ^ salt);
    }

    /** Word {@code j} of stream {@code key}. */
    static long word(long key, long j) {
        return mix(key + (j + 1) * GAMMA);
    }

    /**
     * Words {@code first .. first + n - 1} of stream {@code key} into {@code out[0 .. n)}; n at most
     * {@link #MAX_WORDS}. One loop of 64-bit multiplies, shifts and xors, which C2 vectorizes (AVX-512DQ: 8 lanes).
     */
    static void words(long key, long first, long[] out, int n) {
        long base = key + first * GAMMA;
        long[] steps = STEPS;
        for (int j = 0; j < n; j++) {
            long z = base + steps[j];
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            out[j] = z ^ (z >>> 31);
        }
    }
}

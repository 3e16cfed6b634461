package org.dropkit.internal;

/**
 * The random bits of host masks, counter-based: 32-bit value {@code j} of chunk {@code c} of the stream with key
 * {@code k} is a function of (k, c, j) alone, so work can be split at any chunk boundary, over any number of
 * threads, and every element still gets the same bits.
 *
 * <p><b>Two levels.</b> Chunk c of stream k gets a 64-bit word {@code w = mix(k + (c + 1) * GAMMA)}, the c-th output
 * of a SplitMix64 generator seeded with k (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number
 * generators", OOPSLA; the finalizer is Stafford's "Mix13" variant of MurmurHash3's). Its halves give an odd
 * multiplier {@code a} and an offset {@code b}, and value j of the chunk is {@code mix32(j * a + b)}, with
 * {@link #mix32} a 32-bit integer hash of two multiplies (the low-bias 32-bit hash found by C. Wellons' hash
 * prospector, 2018). The second level is all 32-bit arithmetic, which C2 vectorizes on every x86-64 CPU with AVX2
 * (8 lanes) or AVX-512 (16); 64-bit multiplies vectorize only with AVX-512DQ, and without it a SplitMix64 word per
 * two elements cost 6.2 ms per 1e7 elements at one thread (AVX2 EPYC, JDK 17) against 1.4 to 1.8 ms here.
 *
 * <p><b>Independence.</b> Within a chunk the inputs {@code j * a + b} are distinct (a is odd) and so are the values
 * (mix32 is a bijection). Two chunks, of one stream or two, have multipliers that are equal with probability
 * 2^-31, so no chunk's values are a shifted copy of another's, as they would be for a fixed increment. Two streams'
 * chunk words are SplitMix64 sequences started at unrelated points of one 2^64-long cycle; they overlap only if
 * those points are closer than the number of chunks drawn, which for keys spread by a 64-bit mix has probability
 * about {@code chunks / 2^63}.
 */
final class CounterHash {

    /** The golden-ratio increment of SplitMix64: odd, so c -> k + c * GAMMA visits all 2^64 values. */
    static final long GAMMA = 0x9E3779B97F4A7C15L;

    /** Values a chunk kernel hashes in one vectorized loop: the largest j + 1 of {@link #values}. */
    static final int MAX_VALUES = 4096;

    /** IOTA[j] = j: the loop reads j from memory, since C2 (JDK 17) does not vectorize the loop index itself. */
    private static final int[] IOTA = new int[MAX_VALUES];

    static {
        for (int j = 0; j < MAX_VALUES; j++) {
            IOTA[j] = j;
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

    /** The 32-bit finalizer: a bijection of two xor-shift-multiply rounds and a last xor-shift. */
    static int mix32(int x) {
        x = (x ^ (x >>> 16)) * 0x21F0AAAD;
        x = (x ^ (x >>> 15)) * 0xD35A2D97;
        return x ^ (x >>> 15);
    }

    /** The key of one stream of a mask: a mix of the pass's seed and the stream's salt. */
    static long key(long seed, long salt) {
        return mix(seed ^ salt);
    }

    /** The 64-bit word of chunk {@code chunk} of stream {@code key}, whose halves parameterize its values. */
    static long chunkWord(long key, long chunk) {
        return mix(key + (chunk + 1) * GAMMA);
    }

    /** Value {@code j} of chunk {@code chunk} of stream {@code key} (the scalar form of {@link #values}). */
    static int value(long key, long chunk, int j) {
        long w = chunkWord(key, chunk);
        return mix32(j * ((int) (w >>> 32) | 1) + (int) w);
    }

    /**
     * Values {@code 0 .. n - 1} of chunk {@code chunk} of stream {@code key} into {@code out[0 .. n)}; n at most
     * {@link #MAX_VALUES}. One loop of 32-bit multiplies, shifts and xors.
     */
    static void values(long key, long chunk, int[] out, int n) {
        long w = chunkWord(key, chunk);
        int a = (int) (w >>> 32) | 1;
        int b = (int) w;
        int[] iota = IOTA;
        for (int j = 0; j < n; j++) {
            out[j] = mix32(iota[j] * a + b);
        }
    }
}

package org.dropkit.internal;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The seed of each mask: the calling thread's {@code Nd4j.getRandom().nextLong()}, made distinct between threads
 * whose generators ND4J or DL4J seeded alike.
 *
 * <p>ND4J creates each thread's generator on first use and seeds it with {@code System.currentTimeMillis()}, so
 * threads started within the same millisecond draw identical "random" sequences; and each worker of DL4J's
 * {@code ParallelWrapper} rebuilds its network and calls {@code init()}, which seeds the worker's generator with the
 * network's seed, so every worker but the first draws the same masks. Left alone, both repeat masks across threads:
 * Monte Carlo samples that are not independent, data-parallel workers that drop the same units.
 *
 * <p>A salt, mixed into the seed, separates them. It is zero, so masks are exactly those of
 * {@code Nd4j.getRandom()}, unless
 * <ul>
 *   <li>the thread is a DL4J {@code ParallelWrapper} trainer or {@code ParallelInference} worker: the salt derives
 *       from the worker's index, so each worker has its own reproducible stream; or</li>
 *   <li>the generator's seed is a clock reading from this JVM's lifetime (ND4J's default, and DL4J's default network
 *       seed) and another thread has been seen with the same seed: that thread keeps its stream, this one gets a
 *       salt unique in this JVM. Nothing seeded these threads, so there is nothing to reproduce.</li>
 * </ul>
 * A thread seeded explicitly ({@code Nd4j.getRandom().setSeed(42)}, a network's {@code .seed(42)}) therefore draws
 * exactly the masks it drew before, on whichever thread, and two threads seeded alike draw alike, as with DL4J's own
 * dropout.
 */
public final class ThreadStreams {

    /** How many clock seeds are remembered; older ones belong to threads started long ago, which cannot collide. */
    private static final int REMEMBERED_CLOCK_SEEDS = 4096;
    private static final long CLOCK_SLACK_MS = 1000;
    private static final long JVM_START_MS = ManagementFactory.getRuntimeMXBean().getStartTime();

    private static final AtomicLong UNIQUE = new AtomicLong();
    /** Clock seeds seen, with the id of the first thread seen with each. */
    private static final Map<Long, Long> CLOCK_SEED_OWNERS = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > REMEMBERED_CLOCK_SEEDS;
        }
    };

    /** Per thread: {generator seed the salt was decided for, salt}; recomputed when the generator is reseeded. */
    private static final ThreadLocal<long[]> SALT = new ThreadLocal<>();

    private ThreadStreams() {
    }

    /** The seed of one mask, taken from the calling thread's ND4J generator. */
    public static long nextSeed() {
        Random rng = Nd4j.getRandom();
        return rng.nextLong() ^ salt(rng.getSeed());
    }

    private static long salt(long generatorSeed) {
        long[] cached = SALT.get();
        if (cached != null && cached[0] == generatorSeed) {
            return cached[1];
        }
        long salt = decideSalt(generatorSeed, Thread.currentThread());
        SALT.set(new long[] {generatorSeed, salt});
        return salt;
    }

    static long decideSalt(long generatorSeed, Thread thread) {
        int worker = Dl4jWorker.indexOf(thread);
        if (worker >= 0) {
            return mix(0x5A17_0000_0000_0000L + worker);
        }
        if (isClockReading(generatorSeed) && seenOnAnotherThread(generatorSeed, thread.getId())) {
            return mix(0x7E57_0000_0000_0000L + UNIQUE.incrementAndGet());
        }
        return 0L;
    }

    static boolean isClockReading(long seed) {
        return seed >= JVM_START_MS - CLOCK_SLACK_MS && seed <= System.currentTimeMillis() + CLOCK_SLACK_MS;
    }

    private static boolean seenOnAnotherThread(long seed, long threadId) {
        synchronized (CLOCK_SEED_OWNERS) {
            Long owner = CLOCK_SEED_OWNERS.putIfAbsent(seed, threadId);
            return owner != null && owner != threadId;
        }
    }

    /** SplitMix64's finalizer: a bijection on 64-bit values that spreads consecutive inputs over all bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Recognises the worker threads of DL4J's deeplearning4j-parallel-wrapper 1.0.0-M2.1 (an optional dependency of
     * users, so by name): {@code ParallelWrapper} runs worker k's trainer on a pool thread it names
     * {@code ParallelWrapper training thread <k>}; a {@code DefaultTrainer} started as a thread of its own keeps k in
     * its field {@code threadId}; {@code ParallelInference} names its workers {@code InferenceThread-<k>}.
     */
    static final class Dl4jWorker {

        private static final String WRAPPER_THREAD = "ParallelWrapper training thread ";
        private static final String TRAINER = "org.deeplearning4j.parallelism.trainer.DefaultTrainer";
        private static final String INFERENCE_WORKER = "org.deeplearning4j.parallelism.ParallelInference$";
        private static final String INFERENCE_NAME = "InferenceThread-";

        private Dl4jWorker() {
        }

        /** The worker's index, or -1 when the thread is not a DL4J parallel worker. */
        static int indexOf(Thread thread) {
            String name = thread.getName();
            if (thread.getClass() == Thread.class && name.startsWith(WRAPPER_THREAD)) {
                return parseIndex(name.substring(WRAPPER_THREAD.length()));
            }
            for (Class<?> c = thread.getClass(); c != null && c != Thread.class; c = c.getSuperclass()) {
                if (c.getName().equals(TRAINER)) {
                    return trainerIndex(thread, c);
                }
                if (c.getName().startsWith(INFERENCE_WORKER) && name.startsWith(INFERENCE_NAME)) {
                    return parseIndex(name.substring(INFERENCE_NAME.length()));
                }
            }
            return -1;
        }

        private static int trainerIndex(Thread thread, Class<?> trainerClass) {
            try {
                Field f = trainerClass.getDeclaredField("threadId");
                f.setAccessible(true);
                return f.getInt(thread);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // A DL4J version without the field: the name "DefaultTrainer thread <index>" carries it too.
                String name = thread.getName();
                return parseIndex(name.substring(name.lastIndexOf(' ') + 1));
            }
        }

        /** The index, or -1 (not recognised as a worker) when the text is not a non-negative number. */
        private static int parseIndex(String digits) {
            try {
                int index = Integer.parseInt(digits.trim());
                return index >= 0 ? index : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}

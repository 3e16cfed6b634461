package org.dropkit.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the blocks of one host-mask pass on the calling thread and up to {@code threads - 1} helpers from a small
 * fixed pool of daemon threads. Blocks are claimed from a shared counter, so which thread computes a block varies
 * from pass to pass; the result cannot, because a block's output depends only on its index (see
 * {@link CounterHash}). The caller claims blocks too and waits only for blocks another thread has claimed, so a pass
 * completes even when every helper is busy with another caller's pass.
 */
final class BlockPool {

    /** The work of one pass: block b of the array. */
    interface Blocks {
        void run(int block);
    }

    /** Helper threads: one per core beyond the caller's, at most 7. */
    static final int HELPERS = Math.max(0, Math.min(7, Runtime.getRuntime().availableProcessors() - 1));

    private static volatile ThreadPoolExecutor pool;

    private BlockPool() {
    }

    /** Runs {@code blocks.run(b)} once for every b in [0, count), on at most {@code threads} threads. */
    static void run(int count, int threads, Blocks blocks) {
        int helpers = Math.min(Math.min(threads, count) - 1, HELPERS);
        if (helpers <= 0) {
            for (int b = 0; b < count; b++) {
                blocks.run(b);
            }
            return;
        }
        Pass pass = new Pass(count, blocks, Thread.currentThread());
        ThreadPoolExecutor executor = executor();
        for (int i = 0; i < helpers; i++) {
            try {
                executor.execute(pass);
            } catch (RejectedExecutionException queueFull) {
                break; // the caller does the rest
            }
        }
        pass.work();
        pass.awaitAll();
    }

    private static ThreadPoolExecutor executor() {
        ThreadPoolExecutor p = pool;
        if (p == null) {
            synchronized (BlockPool.class) {
                p = pool;
                if (p == null) {
                    AtomicInteger n = new AtomicInteger();
                    p = new ThreadPoolExecutor(HELPERS, HELPERS, 30, TimeUnit.SECONDS,
                            new ArrayBlockingQueue<>(64), r -> {
                                Thread t = new Thread(r, "dropkit-mask-" + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
                    p.allowCoreThreadTimeOut(true);
                    pool = p;
                }
            }
        }
        return p;
    }

    /** One pass: the block counter, the count of finished blocks and the first failure. */
    private static final class Pass implements Runnable {
        private final int count;
        private final Blocks blocks;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Pass(int count, Blocks blocks, Thread caller) {
            this.count = count;
            this.blocks = blocks;
            this.caller = caller;
        }

        @Override
        public void run() {
            work();
        }

        void work() {
            int b;
            while ((b = next.getAndIncrement()) < count) {
                try {
                    blocks.run(b);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                }
                if (done.incrementAndGet() == count && Thread.currentThread() != caller) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void awaitAll() {
            int spins = 0;
            while (done.get() < count) {
                if (++spins < 1000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000L);
                }
            }
            Throwable t = failure;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new IllegalStateException("host mask block failed", t);
            }
        }
    }
}

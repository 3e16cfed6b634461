package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelInference;
import org.deeplearning4j.parallelism.inference.InferenceMode;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.inference.MonteCarloDropout;
import org.dropkit.internal.MaskEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Masks differ between threads that nothing seeded apart, and stay reproducible where a seed was given. ND4J seeds a
 * new thread's generator with the clock in milliseconds, so threads started together draw the same numbers; the tests
 * put every thread's generator at one clock reading to make that collision certain instead of likely.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreadStreamsTest {

    private static final int THREADS = 8;

    /** Runs the task on THREADS threads released together, each with its generator seeded {@code seed}. */
    private static <T> List<T> onThreadsSeeded(long seed, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    Nd4j.getRandom().setSeed(seed);
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A clock reading in this JVM's lifetime, as ND4J seeds a new thread's generator (and DL4J an unseeded net). */
    private static long clockSeed() {
        return System.currentTimeMillis() - 100;
    }

    private static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seeds.add(MaskEngine.drawSeed());
        }
        return seeds;
    }

    @Test
    void threadsWhoseGeneratorsTheClockSeededAlikeDrawDistinctMaskSeeds() throws Exception {
        List<List<Long>> perThread = onThreadsSeeded(clockSeed(), ThreadStreamsTest::seeds);
        Set<Long> all = new HashSet<>();
        perThread.forEach(all::addAll);
        assertEquals(THREADS * 3, all.size(), "every seed of every thread is distinct: " + perThread);
    }

    @Test
    void threadsSeededAlikeExplicitlyDrawTheSameMasksAsWithDl4jsDropout() throws Exception {
        List<List<Long>> perThread = onThreadsSeeded(42, ThreadStreamsTest::seeds);
        Nd4j.getRandom().setSeed(42);
        List<Long> expected = List.of(Nd4j.getRandom().nextLong(), Nd4j.getRandom().nextLong(),
                Nd4j.getRandom().nextLong());
        for (List<Long> seeds : perThread) {
            assertEquals(expected, seeds, "exactly Nd4j.getRandom()'s numbers, on every thread");
        }
    }

    /**
     * dense(64) -> Monte Carlo MaskDropoutLayer(0.5) -> out(3): 2^64 equally likely masks, so two samples with
     * independent masks coincide with probability about 2^-64.
     */
    private static MultiLayerNetwork monteCarloNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12).list()
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(0.5).monteCarlo(true).name("mc").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void monteCarloPredictionsOfWorkersStartedTogetherDiffer() throws Exception {
        MultiLayerNetwork net = monteCarloNetwork();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4);
        List<MultiLayerNetwork> copies = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            copies.add(net.clone());
        }
        List<String> means = onThreadsSeeded(clockSeed(), () -> {
            MultiLayerNetwork copy;
            synchronized (copies) {
                copy = copies.remove(copies.size() - 1);
            }
            return MonteCarloDropout.of(copy).samples(4).predict(x).mean().toString();
        });
        assertEquals(THREADS, new HashSet<>(means).size(), "one distinct prediction per worker: " + means);
    }

    @Test
    void parallelInferenceMonteCarloRequestsAreAllDistinctSamples() throws Exception {
        MultiLayerNetwork net = monteCarloNetwork();
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4);
        ParallelInference inference = new ParallelInference.Builder(net).workers(8)
                .inferenceMode(InferenceMode.SEQUENTIAL).build();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<INDArray>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(clients.submit(() -> inference.output(x.dup())));
            }
            Set<String> distinct = new HashSet<>();
            for (Future<INDArray> a : answers) {
                distinct.add(a.get(60, TimeUnit.SECONDS).toString());
            }
            // Workers drawing identical streams repeat each other's samples (a quarter distinct with 4 workers).
            assertEquals(200, distinct.size(), "distinct outputs of 200 requests");
        } finally {
            clients.shutdownNow();
            inference.shutdown();
        }
    }

    @Test
    void theFirstThreadSeenWithAClockSeedKeepsNd4jsOwnStream() throws Exception {
        long clock = clockSeed() - 7;
        List<List<Long>> first = onThreadsSeededOne(clock);
        Nd4j.getRandom().setSeed(clock);
        List<Long> raw = List.of(Nd4j.getRandom().nextLong(), Nd4j.getRandom().nextLong(),
                Nd4j.getRandom().nextLong());
        assertEquals(raw, first.get(0), "a thread alone with its clock seed draws exactly Nd4j.getRandom()'s numbers");
        Nd4j.getRandom().setSeed(clock);
        assertNotEquals(raw, seeds(), "this thread, seeded with the same clock reading after it, is salted");
    }

    private static List<List<Long>> onThreadsSeededOne(long seed) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return List.of(pool.submit(() -> {
                Nd4j.getRandom().setSeed(seed);
                return seeds();
            }).get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }
}

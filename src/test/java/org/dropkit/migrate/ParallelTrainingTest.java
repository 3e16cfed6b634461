package org.dropkit.migrate;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.parallelism.ParallelInference;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.parallelism.inference.InferenceMode;
import org.dropkit.MaskDropout;
import org.dropkit.MaskStorage;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Single-machine parallel training and inference with Dropkit dropout: DL4J's ParallelWrapper (2 and 3 workers) and
 * ParallelInference, and threads training clones that share a dropout instance. Each worker must draw its own masks,
 * pair every backward pass with its own forward pass, and produce finite results.
 *
 * <p>Pinned down here: ParallelWrapper trains the original network on worker 0 and rebuilds the other workers' copies
 * from JSON, so no Dropkit instance is shared between workers. DL4J seeds every rebuilt copy's generator with the
 * network's seed, so with 3 or more workers DL4J's built-in dropout draws the same masks on workers 1..n-1; Dropkit
 * gives each worker a stream of its own (see ThreadStreams).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ParallelTrainingTest {

    private static final INDArray X;
    private static final INDArray Y;

    static {
        Nd4j.getRandom().setSeed(41);
        X = Nd4j.rand(DataType.FLOAT, 8, 5).addi(0.1);
        Y = DropoutSwapNetworkTest.labels(8, 3);
    }

    /** dense -> drop (MaskDropoutLayer 0.5) -> dense (.dropOut Gaussian 0.8, stored) -> out (.dropOut 0.9) */
    static MultiLayerNetwork network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.5)).name("drop").build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(0.8).storage(MaskStorage.STORED)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.bernoulli(0.9)).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static List<DataSet> batches(int n) {
        List<DataSet> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new DataSet(X, Y)); // identical batches: any difference between workers' masks is the RNG's
        }
        return list;
    }

    /** What each worker's training forward passes saw: its model, its dropout instances, its masks. */
    static final class Recorder extends BaseTrainingListener {
        final Map<String, Set<Integer>> models = new ConcurrentHashMap<>();
        final Map<String, Set<Integer>> dropouts = new ConcurrentHashMap<>();
        final Map<String, List<String>> masks = new ConcurrentHashMap<>();

        @Override
        public void onForwardPass(Model model, List<INDArray> activations) {
            String thread = Thread.currentThread().getName();
            models.computeIfAbsent(thread, k -> ConcurrentHashMap.newKeySet()).add(System.identityHashCode(model));
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            Set<Integer> ids = dropouts.computeIfAbsent(thread, k -> ConcurrentHashMap.newKeySet());
            ids.add(System.identityHashCode(net.getLayer(1).conf().getLayer().getIDropout()));
            ids.add(System.identityHashCode(net.getLayer(2).conf().getLayer().getIDropout()));
            // activations.get(2) is the MaskDropoutLayer's output: its zeros are the dropped units
            masks.computeIfAbsent(thread, k -> new CopyOnWriteArrayList<>())
                    .add(activations.get(2).eq(0.0).castTo(DataType.INT32).toString().replaceAll("\\s", ""));
        }
    }

    private static void assertFinite(INDArray a, String what) {
        for (double v : a.dup().data().asDouble()) {
            assertTrue(Double.isFinite(v), what + " are finite, found " + v);
        }
    }

    /**
     * Every worker draws its own masks. With 3 workers this needs Dropkit's worker streams: DL4J seeds every rebuilt
     * copy's generator with the network's seed, so workers 1 and 2 would otherwise drop the same units.
     */
    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {2, 3})
    void parallelWrapperWorkersTrainWithTheirOwnDropoutAndMasks(int workers) throws Exception {
        MultiLayerNetwork net = network();
        double before = net.score(new DataSet(X, Y));
        Recorder recorder = new Recorder();
        net.setListeners(recorder);

        try (ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(workers).prefetchBuffer(2)
                .averagingFrequency(1).build()) {
            wrapper.fit(new ExistingDataSetIterator(batches(20 * workers)));
        }

        assertEquals(workers, recorder.masks.size(), "forward passes ran on each worker thread: "
                + recorder.masks.keySet());
        List<String> threads = new ArrayList<>(recorder.masks.keySet());
        for (int a = 0; a < workers; a++) {
            for (int b = a + 1; b < workers; b++) {
                String pair = threads.get(a) + " and " + threads.get(b);
                assertTrue(disjoint(recorder.models.get(threads.get(a)), recorder.models.get(threads.get(b))),
                        pair + " train their own copies of the network");
                assertTrue(disjoint(recorder.dropouts.get(threads.get(a)), recorder.dropouts.get(threads.get(b))),
                        pair + " share no MaskDropout instance");
                assertTrue(disjoint(new HashSet<>(recorder.masks.get(threads.get(a))),
                        new HashSet<>(recorder.masks.get(threads.get(b)))),
                        pair + " never drew the same mask for identical batches");
            }
        }
        assertFinite(net.params(), "averaged parameters");
        double after = net.score(new DataSet(X, Y));
        assertTrue(Double.isFinite(after) && after < before, "training lowered the score: " + before + " -> "
                + after);
    }

    private static <T> boolean disjoint(Set<T> a, Set<T> b) {
        Set<T> both = new HashSet<>(a);
        both.retainAll(b);
        return both.isEmpty();
    }

    @Test
    void parallelWrapperTrainsAComputationGraphWithDropkit() throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(43).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("drop", new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.6)).build(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.gaussian(0.9)).build(), "drop")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void onForwardPass(Model model, Map<String, INDArray> activations) {
                threads.add(Thread.currentThread().getName());
            }
        });
        double before = net.score(new DataSet(X, Y));

        try (ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(2).prefetchBuffer(2)
                .averagingFrequency(1).build()) {
            wrapper.fit(new ExistingDataSetIterator(batches(40)));
        }

        assertEquals(2, threads.size(), "two workers trained: " + threads);
        assertFinite(net.params(), "averaged parameters");
        assertTrue(net.score(new DataSet(X, Y)) < before, "training lowered the score");
    }

    @Test
    void parallelInferenceWithoutMonteCarloGivesExactlyTheNetworksOutputs() throws Exception {
        MultiLayerNetwork net = network();
        for (int i = 0; i < 5; i++) {
            net.fit(new DataSet(X, Y));
        }
        List<INDArray> requests = new ArrayList<>();
        List<INDArray> expected = new ArrayList<>();
        Nd4j.getRandom().setSeed(44);
        for (int i = 0; i < 16; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 3, 5);
            requests.add(x);
            expected.add(net.output(x));
        }
        ParallelInference inference = new ParallelInference.Builder(net).workers(2)
                .inferenceMode(InferenceMode.SEQUENTIAL).build();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<INDArray>> answers = new ArrayList<>();
            for (INDArray x : requests) {
                answers.add(clients.submit(() -> inference.output(x)));
            }
            for (int i = 0; i < answers.size(); i++) {
                INDArray out = answers.get(i).get(60, TimeUnit.SECONDS);
                assertFinite(out, "outputs");
                assertBitwiseEqual(expected.get(i), out, "request " + i);
            }
        } finally {
            clients.shutdownNow();
            inference.shutdown();
        }
    }

    /**
     * DL4J's clone() of a network does not clone the dropout of no-parameter layers (Upsampling2D here), so two
     * clones trained on two threads share one MaskDropout. Each thread must still back-propagate its own masks:
     * concurrent training must give bit for bit the parameters that training each clone alone gives.
     */
    @Test
    void threadsTrainingClonesThatShareADropoutInstanceDoNotMixTheirMasks() throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(45).updater(new Adam(1e-2))
                .dropOut(MaskDropout.bernoulli(0.7)).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.TANH).build())
                .layer(new Upsampling2D.Builder(2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2, CNN2DFormat.NCHW)).build();
        MultiLayerNetwork original = new MultiLayerNetwork(conf);
        original.init();
        Nd4j.getRandom().setSeed(46);
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 6, 2, 5, 5), DropoutSwapNetworkTest.labels(6, 3));
        MultiLayerNetwork a = original.clone();
        MultiLayerNetwork b = original.clone();
        assertSame(a.getLayer(1).conf().getLayer().getIDropout(), b.getLayer(1).conf().getLayer().getIDropout(),
                "premise: DL4J's clones share the Upsampling2D's dropout");

        int iterations = 10;
        CyclicBarrier step = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> fa = pool.submit(() -> train(a, data, 100, iterations, step));
            Future<?> fb = pool.submit(() -> train(b, data, 200, iterations, step));
            fa.get(120, TimeUnit.SECONDS);
            fb.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        MultiLayerNetwork aloneA = original.clone();
        MultiLayerNetwork aloneB = original.clone();
        train(aloneA, data, 100, iterations, null);
        train(aloneB, data, 200, iterations, null);
        assertBitwiseEqual(aloneA.params(), a.params(), "clone A trained concurrently vs alone");
        assertBitwiseEqual(aloneB.params(), b.params(), "clone B trained concurrently vs alone");
        assertTrue(!aloneA.params().equals(aloneB.params()), "different seeds, different training: not vacuous");
    }

    private static Void train(MultiLayerNetwork net, DataSet data, long seed, int iterations, CyclicBarrier step) {
        try {
            for (int i = 0; i < iterations; i++) {
                Nd4j.getRandom().setSeed(seed + i);
                net.fit(data);
                if (step != null) {
                    step.await(60, TimeUnit.SECONDS);
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

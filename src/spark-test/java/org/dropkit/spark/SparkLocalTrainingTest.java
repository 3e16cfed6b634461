package org.dropkit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.EqualRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * Training a Dropkit network on Spark in local mode ({@code local[2]}: one JVM, two executor threads), the way DL4J
 * trains on a cluster: with parameter averaging and with shared gradients (DL4J's parameter server over Aeron UDP on
 * 127.0.0.1). Each run must reach the held-out accuracy of the same network trained on one machine, within
 * {@link #TOLERANCE}, and the model it trains must save and load. Runs only in the {@code spark} Maven profile:
 * {@code mvn -B -Pspark test -Dtest=SparkLocalTrainingTest}.
 *
 * <p>Shared gradients run with one worker and one trainer thread, which is what local mode (one executor JVM) can
 * hold reliably with DL4J 1.0.0-M2. Seen here with more: two trainer threads in the JVM ({@code workersPerNode(2)})
 * deadlocked once (trainer 0 inside the network's synchronized {@code fit}, waiting in
 * {@code EncodedGradientsAccumulator.synchronize} for trainer 1, which waits for that network's monitor in
 * {@code MultiLayerNetwork.getLayers} while creating its updater); several Spark tasks in the JVM (DL4J's default
 * repartitioner makes one per minibatch) hung once (a task waiting in {@code BlockingObserver.waitTillDone} after the
 * JVM's trainer had finished).
 */
class SparkLocalTrainingTest {

    private static final int FEATURES = 10;
    private static final int CLASSES = 3;
    /** Examples per {@code DataSet} object in the RDD, and the minibatch size of every worker and of the local run. */
    private static final int BATCH = 16;
    private static final int TRAIN_BATCHES = 64;
    private static final int EPOCHS = 6;

    /**
     * How far below the single-machine accuracy a Spark run may end, in accuracy (0.06 = 6 percentage points).
     * Distributed training is not the same optimization: with 2 workers, parameter averaging takes one averaged step
     * where one machine takes two, and shared-gradient training applies only the gradient entries above a threshold
     * (the rest carried over as a residual). On this task one machine reaches 0.959 and the Spark runs 0.936
     * (parameter averaging) and 0.947 (shared gradients); chance is 1/3.
     */
    private static final double TOLERANCE = 0.06;
    /** Every run must clearly have learned: far above chance (1/3). */
    private static final double MINIMUM_ACCURACY = 0.85;

    private static JavaSparkContext sc;
    private static List<DataSet> train;
    private static DataSet test;
    private static double singleMachineAccuracy;

    @TempDir
    static Path temp;

    @BeforeAll
    static void startSparkAndTrainOnOneMachine() {
        Nd4j.getRandom().setSeed(2024);
        INDArray teacher = Nd4j.randn(DataType.FLOAT, FEATURES, CLASSES);
        train = new ArrayList<>();
        for (int i = 0; i < TRAIN_BATCHES; i++) {
            train.add(examples(BATCH, teacher));
        }
        test = examples(1024, teacher);

        long start = System.nanoTime();
        MultiLayerNetwork local = new MultiLayerNetwork(configuration());
        local.init();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (DataSet batch : train) {
                local.fit(batch);
            }
        }
        singleMachineAccuracy = accuracy(local);
        System.out.printf("SparkLocalTrainingTest, one machine: %d epochs in %.1f s%n", EPOCHS,
                (System.nanoTime() - start) / 1e9);
        assertTrue(singleMachineAccuracy > MINIMUM_ACCURACY,
                "the single-machine baseline learns the task: accuracy " + singleMachineAccuracy);

        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("dropkit-spark-test")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        sc = new JavaSparkContext(conf);
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.close();
        }
    }

    /** Two dense layers, a MaskDropoutLayer between them, and Dropkit dropout on the second dense layer's input. */
    static MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder().seed(61).updater(new Adam(5e-3)).list()
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.8)).name("drop").build())
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU)
                        .dropOut(MaskDropout.gaussian(0.9)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(FEATURES)).build();
    }

    /** Gaussian features, labelled by the largest of three fixed linear functions: learnable, not trivially. */
    private static DataSet examples(int n, INDArray teacher) {
        INDArray x = Nd4j.randn(DataType.FLOAT, n, FEATURES);
        INDArray classes = x.mmul(teacher).argMax(1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, classes.getInt(i), 1.0);
        }
        return new DataSet(x, y);
    }

    private static double accuracy(MultiLayerNetwork net) {
        return net.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(
                test.asList(), 256)).accuracy();
    }

    @Test
    void parameterAveragingReachesSingleMachineAccuracyAndTheModelSavesAndLoads() throws IOException {
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(BATCH)
                .batchSizePerWorker(BATCH).averagingFrequency(2).workerPrefetchNumBatches(0)
                .exportDirectory(temp.resolve("pa-export").toUri().toString()).rngSeed(7).build();
        MultiLayerNetwork trained = trainOnSpark(master);
        assertReachesSingleMachineAccuracy("parameter averaging", trained);
        assertSavesAndLoads(trained, temp.resolve("pa-model.zip").toFile());
    }

    @Test
    void sharedGradientsReachSingleMachineAccuracyAndTheModelSavesAndLoads() throws IOException {
        VoidConfiguration voidConfiguration = VoidConfiguration.builder()
                .controllerAddress("127.0.0.1").unicastPort(40123).build();
        // local mode has one executor JVM: one worker, one trainer thread, one partition (see the class comment)
        SharedTrainingMaster master = new SharedTrainingMaster.Builder(voidConfiguration, 1,
                new FixedThresholdAlgorithm(1e-3), BATCH)
                .batchSizePerWorker(BATCH).workersPerNode(1).repartitioner(new EqualRepartitioner())
                .exportDirectory(temp.resolve("shared-export").toUri().toString()).rngSeed(7).build();
        MultiLayerNetwork trained = trainOnSpark(master);
        assertReachesSingleMachineAccuracy("shared gradients", trained);
        assertSavesAndLoads(trained, temp.resolve("shared-model.zip").toFile());
    }

    private static MultiLayerNetwork trainOnSpark(TrainingMaster<?, ?> master) {
        long start = System.nanoTime();
        MultiLayerNetwork net = new MultiLayerNetwork(configuration());
        net.init();
        JavaRDD<DataSet> rdd = sc.parallelize(train, 2);
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net, master);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            spark.fit(rdd);
        }
        master.deleteTempFiles(sc);
        System.out.printf("SparkLocalTrainingTest, %s: %d epochs in %.1f s%n", master.getClass().getSimpleName(), EPOCHS,
                (System.nanoTime() - start) / 1e9);
        return spark.getNetwork();
    }

    private static void assertReachesSingleMachineAccuracy(String how, MultiLayerNetwork trained) {
        for (double v : trained.params().dup().data().asDouble()) {
            assertTrue(Double.isFinite(v), how + ": finite parameters");
        }
        double accuracy = accuracy(trained);
        System.out.printf("SparkLocalTrainingTest, %s: held-out accuracy %.4f (one machine: %.4f; tolerance %.2f)%n",
                how, accuracy, singleMachineAccuracy, TOLERANCE);
        assertTrue(accuracy > MINIMUM_ACCURACY, how + ": held-out accuracy " + accuracy + " (chance: 1/3)");
        assertTrue(accuracy >= singleMachineAccuracy - TOLERANCE, how + ": held-out accuracy " + accuracy
                + " is more than " + TOLERANCE + " below the single-machine run's " + singleMachineAccuracy);
        assertEquals(MaskDropout.bernoulli(0.8), ((MaskDropoutLayer) trained.getLayerWiseConfigurations()
                .getConf(1).getLayer()).getDropout(), how + ": the trained network keeps its Dropkit layer");
        assertEquals(MaskDropout.gaussian(0.9), trained.getLayerWiseConfigurations().getConf(2).getLayer()
                .getIDropout(), how + ": the trained network keeps its Dropkit .dropOut");
    }

    /** ModelSerializer round trip: same configuration, parameters and updater state, same outputs bit for bit. */
    private static void assertSavesAndLoads(MultiLayerNetwork trained, File file) throws IOException {
        ModelSerializer.writeModel(trained, file, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(trained.getLayerWiseConfigurations(), loaded.getLayerWiseConfigurations());
        assertEquals(trained.params(), loaded.params());
        assertEquals(trained.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        INDArray expected = trained.output(test.getFeatures());
        INDArray actual = loaded.output(test.getFeatures());
        assertArrayEquals(expected.data().asFloat(), actual.data().asFloat());
        loaded.fit(train.get(0));
        assertTrue(Double.isFinite(loaded.score()), "the loaded model trains on");
    }
}

package org.dropkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.dropkit.MaskDropout;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Training a network with Dropkit dropout on Spark in local mode (2 executor threads), with DL4J's parameter
 * averaging: the way DL4J trains on a cluster. Runs only in the {@code spark} Maven profile:
 * {@code mvn -Pspark test -Dtest=SparkLocalTrainingTest}.
 */
class SparkLocalTrainingTest {

    @Test
    void parameterAveragingOnLocalSparkTrainsANetworkWithDropkitDropout() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(61).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build())
                .layer(new MaskDropoutLayer.Builder(MaskDropout.bernoulli(0.6)).name("drop").build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.TANH)
                        .dropOut(MaskDropout.gaussian(0.8)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).dropOut(MaskDropout.bernoulli(0.9)).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(62);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 5).addi(0.1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        DataSet all = new DataSet(x, y);
        double before = net.score(all);
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            batches.add(all.copy());
        }

        SparkConf sparkConf = new SparkConf().setMaster("local[2]").setAppName("dropkit-spark-test")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            JavaRDD<DataSet> rdd = sc.parallelize(batches, 2);
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(8)
                    .batchSizePerWorker(8).averagingFrequency(2).workerPrefetchNumBatches(0).build();
            SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net, master);
            for (int epoch = 0; epoch < 3; epoch++) {
                spark.fit(rdd);
            }
            MultiLayerNetwork trained = spark.getNetwork();

            for (double v : trained.params().dup().data().asDouble()) {
                assertTrue(Double.isFinite(v), "finite parameters");
            }
            double after = trained.score(all);
            assertTrue(after < before, "training on Spark lowered the score: " + before + " -> " + after);
            assertEquals(MaskDropout.bernoulli(0.6), ((MaskDropoutLayer) trained.getLayerWiseConfigurations()
                    .getConf(1).getLayer()).getDropout());
        }
    }
}

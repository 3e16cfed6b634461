package org.dropkit.demo;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Trains one network epoch by epoch, evaluating train and held-out accuracy and loss after every epoch. */
final class Trainer {

    private static final double MIN_PROBABILITY = 1e-10;

    private final int epochs;
    private final int batchSize;

    Trainer(int epochs, int batchSize) {
        this.epochs = epochs;
        this.batchSize = batchSize;
    }

    RunResult train(String experiment, Variant variant, MultiLayerNetwork net, DataSet train, DataSet test,
            long seed) {
        MaskBytesListener maskBytes = new MaskBytesListener();
        net.setListeners(maskBytes);
        double[] trainAcc = new double[epochs];
        double[] testAcc = new double[epochs];
        double[] trainLoss = new double[epochs];
        double[] testLoss = new double[epochs];
        ProgressBar bar = new ProgressBar(experiment + " / " + variant.name, epochs);
        bar.update(0, Double.NaN, Double.NaN);
        long fitNanos = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            DataSet shuffled = train.copy();
            shuffled.shuffle(seed * 1_000_003L + epoch);
            List<DataSet> batches = shuffled.batchBy(batchSize);
            long start = System.nanoTime();
            for (DataSet batch : batches) {
                net.fit(batch);
            }
            fitNanos += System.nanoTime() - start;
            net.incrementEpochCount();
            double[] onTrain = evaluate(net, train);
            double[] onTest = evaluate(net, test);
            trainAcc[epoch] = onTrain[0];
            trainLoss[epoch] = onTrain[1];
            testAcc[epoch] = onTest[0];
            testLoss[epoch] = onTest[1];
            bar.update(epoch + 1, trainLoss[epoch], testAcc[epoch]);
        }
        net.setListeners();
        return new RunResult(experiment, variant, trainAcc, testAcc, trainLoss, testLoss,
                fitNanos / 1e6 / epochs, maskBytes.maxBytes());
    }

    /**
     * Accuracy and mean cross-entropy of the network's inference output, from one forward pass. The loss is DL4J's
     * MCXENT score (probabilities clipped at 1e-10), without computing the output twice.
     */
    static double[] evaluate(MultiLayerNetwork net, DataSet data) {
        INDArray probabilities = net.output(data.getFeatures(), false).castTo(DataType.DOUBLE);
        INDArray labels = data.getLabels().castTo(DataType.DOUBLE);
        double accuracy = probabilities.argMax(1).eq(labels.argMax(1)).castTo(DataType.DOUBLE).meanNumber()
                .doubleValue();
        INDArray logP = Transforms.log(Transforms.max(probabilities, MIN_PROBABILITY, false), false);
        double loss = -labels.muli(logP).sumNumber().doubleValue() / data.numExamples();
        return new double[] {accuracy, loss};
    }
}

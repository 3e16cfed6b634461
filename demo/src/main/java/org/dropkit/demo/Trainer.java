package org.dropkit.demo;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Trains one network epoch by epoch, evaluating train and held-out accuracy and loss (dropout off) after every few
 * epochs and after the last.
 */
final class Trainer {

    private static final double MIN_PROBABILITY = 1e-10;

    private final int epochs;
    private final int evaluateEvery;
    private final boolean terminal;

    /**
     * @param evaluateEvery evaluate after every this many epochs, and after the last
     * @param terminal      whether a progress bar may redraw one console line (one run at a time)
     */
    Trainer(int epochs, int evaluateEvery, boolean terminal) {
        this.epochs = epochs;
        this.evaluateEvery = evaluateEvery;
        this.terminal = terminal;
    }

    /** The epochs (1-based) after which a run is evaluated. */
    int[] evaluatedEpochs() {
        int n = 0;
        for (int e = 1; e <= epochs; e++) {
            n += e % evaluateEvery == 0 || e == epochs ? 1 : 0;
        }
        int[] out = new int[n];
        int k = 0;
        for (int e = 1; e <= epochs; e++) {
            if (e % evaluateEvery == 0 || e == epochs) {
                out[k++] = e;
            }
        }
        return out;
    }

    RunResult train(String experiment, Variant variant, MultiLayerNetwork net, DataSet train, DataSet test,
            int batchSize, long seed) {
        MaskBytesListener maskBytes = new MaskBytesListener();
        net.setListeners(maskBytes);
        int[] evaluated = evaluatedEpochs();
        double[] trainAcc = new double[evaluated.length];
        double[] testAcc = new double[evaluated.length];
        double[] trainLoss = new double[evaluated.length];
        double[] testLoss = new double[evaluated.length];
        ProgressBar bar = new ProgressBar(String.format("%s / %s / seed %d", experiment, variant.name, seed), epochs,
                terminal);
        bar.update(0, Double.NaN, Double.NaN);
        int point = 0;
        long fitNanos = 0;
        INDArray testProbabilities = null;
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
            if (point < evaluated.length && evaluated[point] == epoch + 1) {
                double[] onTrain = score(output(net, train), train.getLabels());
                testProbabilities = output(net, test);
                double[] onTest = score(testProbabilities, test.getLabels());
                trainAcc[point] = onTrain[0];
                trainLoss[point] = onTrain[1];
                testAcc[point] = onTest[0];
                testLoss[point] = onTest[1];
                point++;
            }
            bar.update(epoch + 1, trainLoss[Math.max(0, point - 1)], testAcc[Math.max(0, point - 1)]);
        }
        net.setListeners();
        return new RunResult(experiment, variant, seed, evaluated, trainAcc, testAcc, trainLoss, testLoss,
                Predictions.of(testProbabilities, test.getLabels(), null), fitNanos / 1e6 / epochs,
                maskBytes.maxBytes());
    }

    /** The network's inference output (dropout off), in double precision. */
    static INDArray output(MultiLayerNetwork net, DataSet data) {
        return net.output(data.getFeatures(), false).castTo(DataType.DOUBLE);
    }

    /**
     * Accuracy and mean cross-entropy of class probabilities against one-hot labels. The loss is DL4J's MCXENT score
     * (probabilities clipped at 1e-10), without computing the output twice.
     */
    static double[] score(INDArray probabilities, INDArray labels) {
        INDArray y = labels.castTo(DataType.DOUBLE);
        double accuracy = probabilities.argMax(1).eq(y.argMax(1)).castTo(DataType.DOUBLE).meanNumber()
                .doubleValue();
        INDArray logP = Transforms.log(Transforms.max(probabilities, MIN_PROBABILITY, true), false);
        double loss = -y.mul(logP).sumNumber().doubleValue() / probabilities.size(0);
        return new double[] {accuracy, loss};
    }
}

package org.dropkit.demo;

/**
 * The sizes of the demo: the full run and the quick one for CI. They were chosen by trying: without dropout both
 * networks fit every training label, random ones included, within the epochs; with p = 0.5 they do not.
 */
final class Settings {

    static final Settings FULL = new Settings(2000, 1000, 50);
    static final Settings QUICK = new Settings(500, 300, 20);

    // The MLP task: 200 examples, 50 features of which 5 carry the class, 30 % of training labels random.
    final int mlpTrain = 200;
    final int mlpTest;
    final int features = 50;
    final int informative = 5;
    final int classes = 4;
    final double separation = 3.5;
    final double mlpLabelNoise = 0.3;
    final double oodScale = 3.0;
    final int hidden = 128;

    // The CNN task: 300 noisy 12x12 images of short bars, 20 % of training labels random.
    final int cnnTrain = 300;
    final int cnnTest;
    final int imageSize = 12;
    final int barLength = 5;
    final double pixelNoise = 0.5;
    final double cnnLabelNoise = 0.2;
    final int channels = 16;

    final int batchSize = 32;
    final double learningRate = 1e-3;
    /** T, the number of Monte Carlo dropout passes. */
    final int monteCarloSamples;

    private Settings(int mlpTest, int cnnTest, int monteCarloSamples) {
        this.mlpTest = mlpTest;
        this.cnnTest = cnnTest;
        this.monteCarloSamples = monteCarloSamples;
    }

    TabularTask tabular(long seed) {
        return TabularTask.generate(seed, mlpTrain, mlpTest, features, informative, classes, separation,
                mlpLabelNoise, oodScale);
    }

    ImageTask images(long seed) {
        return ImageTask.generate(seed + 1, cnnTrain, cnnTest, imageSize, barLength, pixelNoise, cnnLabelNoise);
    }
}

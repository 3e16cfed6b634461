package org.dropkit.demo;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A classification task that an MLP overfits without dropout: few examples, many features of which only a few carry
 * the class, and noisy training labels. Generated from a seed, the same on every machine.
 *
 * <p>Class c has a mean vector mu_c (length {@code separation}) in the informative features; an example of class c is
 * mu_c plus standard normal noise there, and standard normal noise in every other feature. A fraction
 * {@code labelNoise} of the training labels is replaced by a uniformly random class; held-out labels are clean, so
 * held-out accuracy measures how well the true rule was learned.
 *
 * <p>Out-of-distribution inputs keep the class signal but come from a wider distribution: every feature is scaled by
 * {@code oodScale}, the kind of shift (a sensor with a different gain) that a network never saw in training.
 */
final class TabularTask {

    final DataSet train;
    final DataSet test;
    final INDArray outOfDistribution;
    final int features;
    final int informative;
    final int classes;
    final double labelNoise;
    final double oodScale;

    private TabularTask(DataSet train, DataSet test, INDArray ood, int features, int informative, int classes,
            double labelNoise, double oodScale) {
        this.train = train;
        this.test = test;
        this.outOfDistribution = ood;
        this.features = features;
        this.informative = informative;
        this.classes = classes;
        this.labelNoise = labelNoise;
        this.oodScale = oodScale;
    }

    static TabularTask generate(long seed, int trainSize, int testSize, int features, int informative, int classes,
            double separation, double labelNoise, double oodScale) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] means = new double[classes][informative];
        for (double[] mean : means) {
            double norm = 0;
            for (int j = 0; j < informative; j++) {
                mean[j] = random.nextDouble(-1, 1) + Math.signum(random.nextDouble(-1, 1));
                norm += mean[j] * mean[j];
            }
            for (int j = 0; j < informative; j++) {
                mean[j] *= separation / Math.sqrt(norm);
            }
        }
        DataSet train = sample(random, trainSize, features, means, labelNoise, 1.0);
        DataSet test = sample(random, testSize, features, means, 0.0, 1.0);
        INDArray ood = sample(random, testSize, features, means, 0.0, oodScale).getFeatures();
        return new TabularTask(train, test, ood, features, informative, classes, labelNoise, oodScale);
    }

    private static DataSet sample(SplittableRandom random, int n, int features, double[][] means, double labelNoise,
            double scale) {
        int classes = means.length;
        float[][] x = new float[n][features];
        float[][] y = new float[n][classes];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            for (int j = 0; j < features; j++) {
                double mean = j < means[c].length ? means[c][j] : 0.0;
                x[i][j] = (float) (scale * (mean + gaussian(random)));
            }
            int label = random.nextDouble() < labelNoise ? random.nextInt(classes) : c;
            y[i][label] = 1f;
        }
        return new DataSet(Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(y));
    }

    /** A standard normal draw (Box-Muller), so the data depends on the seed alone. */
    static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }
}

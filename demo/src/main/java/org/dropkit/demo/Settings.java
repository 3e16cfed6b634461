package org.dropkit.demo;

/**
 * The sizes of the demo: the full run and the quick one for CI. Chosen by trying on the shipped digits: without dropout
 * every network fits its 200 training images exactly within the default epochs and its held-out loss has passed its
 * minimum, while the whole run takes about 11 minutes of CPU time (the LSTM about half of it).
 */
final class Settings {

    static final Settings FULL = new Settings(5, 1000, 50);
    static final Settings QUICK = new Settings(2, 400, 20);

    /** Training images of each digit: 20, so 200 of the 1,797 images. */
    final int perClass = 20;
    /** At most this many of the other images are held out. */
    final int maxHeldOut;
    /** How many seeds each variant is trained with (seed, seed + 1, ...): the default of --seeds. */
    final int seeds;

    /** Retain probability of the MLP's dropout on its input pixels; --p sets its hidden layers'. */
    final double inputRetain = 0.8;
    /** Retain probability of the CNN's spatial dropout (one value per feature map); --p sets its dense dropout's. */
    final double spatialRetain = 0.8;

    final int mlpHidden = 256;
    final int mlpBatchSize = 16;
    final double mlpLearningRate = 2e-3;

    final int cnnChannels = 8;
    final int cnnDense = 64;
    final int cnnBatchSize = 32;
    final double cnnLearningRate = 2e-3;

    final int lstmHidden = 64;
    /** The LSTM learns more slowly per step, and each of its steps costs more: larger batches, a larger rate. */
    final int lstmBatchSize = 50;
    final double lstmLearningRate = 1e-2;

    /** Training runs at a time, each on its own thread (never more than the cores). */
    final int workers = 2;
    /** About this many points on each learning curve: evaluated every epochs / curvePoints epochs. */
    final int curvePoints = 20;
    /** T, the number of Monte Carlo dropout passes. */
    final int monteCarloSamples;

    private Settings(int seeds, int maxHeldOut, int monteCarloSamples) {
        this.seeds = seeds;
        this.maxHeldOut = maxHeldOut;
        this.monteCarloSamples = monteCarloSamples;
    }
}

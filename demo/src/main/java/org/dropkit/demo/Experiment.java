package org.dropkit.demo;

import java.util.List;

/** One architecture of the demo: a name, how it sees a digit, its variants, and one line on what it is. */
final class Experiment {

    final String name;
    final Input input;
    final List<Variant> variants;
    final String description;
    final int batchSize;

    Experiment(String name, Input input, List<Variant> variants, String description, int batchSize) {
        this.name = name;
        this.input = input;
        this.variants = variants;
        this.description = description;
        this.batchSize = batchSize;
    }

    /** The three experiments, at these settings and retain probability. */
    static List<Experiment> all(Settings s, double p) {
        return List.of(
                new Experiment("MLP", Input.FLAT, Models.mlp(s, p), String.format(java.util.Locale.ROOT,
                        "64-%d-%d-10, ReLU, softmax; the dropout variants drop the input pixels (retain %s) and"
                                + " each hidden layer's activations (retain p); Adam(%s), batch %d",
                        s.mlpHidden, s.mlpHidden, DropkitDemo.fmt(s.inputRetain), s.mlpLearningRate,
                        s.mlpBatchSize), s.mlpBatchSize),
                new Experiment("CNN", Input.IMAGE, Models.cnn(s, p), String.format(java.util.Locale.ROOT,
                        "8x8x1 -> conv3x3(%d, same) -> [spatial dropout] -> conv3x3(%d, same) -> [spatial dropout] ->"
                                + " max pool 2x2 ->"
                                + " dense(%d) -> [dropout] -> softmax; spatial dropout after each convolution retains %s,"
                                + " the dropout before the output p; Adam(%s), batch %d", s.cnnChannels,
                        2 * s.cnnChannels, s.cnnDense, DropkitDemo.fmt(s.spatialRetain), s.cnnLearningRate,
                        s.cnnBatchSize), s.cnnBatchSize),
                new Experiment("LSTM", Input.ROWS, Models.lstm(s, p), String.format(java.util.Locale.ROOT,
                        "the digit read row by row (8 steps of 8 pixels) -> LSTM(%d) -> [dropout] -> LSTM(%d), last"
                                + " step -> softmax; Adam(%s), batch %d", s.lstmHidden, s.lstmHidden,
                        s.lstmLearningRate, s.lstmBatchSize), s.lstmBatchSize));
    }
}

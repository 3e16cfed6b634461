package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.testsupport.RecordingSchedule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * A schedule for p during {@code fit(DataSetIterator, epochs)}: DL4J hands the dropout each step's (iteration, epoch),
 * and each step's mask is drawn with the p the schedule gives for that step, also where p changes within an epoch
 * and where it changes from one epoch to the next.
 *
 * <p>The mask is observed directly: the masked site gets input ones, and the layer that carries the dropout is an
 * identity (weights the identity matrix, no bias, identity activation, and learning rate 0, so it stays one: DL4J's
 * NoOp updater would subtract the raw gradient), so its output in each training forward pass is the mask itself.
 * Every kept unit must be exactly (float) (1/p) for that step's p, and the kept fraction of the step's
 * {@value #BATCH} x {@value #FEATURES} units must be within six binomial standard errors of p (a correct mask fails
 * that with probability about 2e-9 per step; the schedules' neighbouring values differ by at least 0.2, 18 or more
 * standard errors).
 */
class ScheduleDuringFitTest {

    private static final int BATCH = 32;
    private static final int FEATURES = 64;
    private static final int BATCHES_PER_EPOCH = 3;
    private static final int EPOCHS = 3;
    private static final double SIGMAS = 6.0;

    enum Site { DROP_OUT, LAYER }

    enum Schedule {
        /** Changes at iterations 2 and 5, neither of which starts an epoch (epochs start at 0, 3 and 6). */
        ITERATION_MAP {
            @Override
            ISchedule create() {
                return new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.9).add(2, 0.6).add(5, 0.3).build();
            }
        },
        /** 0.8, 0.4, 0.2 in epochs 0, 1 and 2. */
        EPOCH_STEP {
            @Override
            ISchedule create() {
                return new StepSchedule(ScheduleType.EPOCH, 0.8, 0.5, 1);
            }
        };

        abstract ISchedule create();
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean graph : new boolean[] {false, true}) {
            for (Site site : Site.values()) {
                for (Schedule schedule : Schedule.values()) {
                    cases.add(Arguments.of(graph ? "ComputationGraph" : "MultiLayerNetwork", site, schedule));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void everyFitStepDrawsItsMaskWithThePTheScheduleGivesForThatIterationAndEpoch(String network, Site site,
            Schedule schedule) {
        RecordingSchedule recording = new RecordingSchedule(schedule.create());
        Layer masked = maskedSite(site, MaskDropout.bernoulli(recording));
        Layer out = new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY)
                .build();
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.0));
        Steps steps = new Steps(recording);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES_PER_EPOCH; b++) {
            batches.add(new DataSet(Nd4j.ones(DataType.FLOAT, BATCH, FEATURES), Nd4j.zeros(DataType.FLOAT, BATCH, 1)));
        }
        ExistingDataSetIterator data = new ExistingDataSetIterator(batches);
        if (network.equals("ComputationGraph")) {
            ComputationGraph net = new ComputationGraph(base.graphBuilder().addInputs("in")
                    .addLayer("masked", masked, "in").addLayer("out", out, "masked").setOutputs("out")
                    .setInputTypes(InputType.feedForward(FEATURES)).build());
            net.init();
            net.setListeners(steps);
            net.fit(data, EPOCHS);
        } else {
            MultiLayerNetwork net = new MultiLayerNetwork(base.list().layer(masked).layer(out)
                    .setInputType(InputType.feedForward(FEATURES)).build());
            net.init();
            net.setListeners(steps);
            net.fit(data, EPOCHS);
        }

        assertEquals(EPOCHS * BATCHES_PER_EPOCH, steps.masks.size(), "one training forward pass per fit step");
        ISchedule reference = schedule.create();
        List<Double> used = new ArrayList<>();
        for (int k = 0; k < steps.masks.size(); k++) {
            int[] expected = {k, k / BATCHES_PER_EPOCH};
            String step = "step " + k + " (iteration " + expected[0] + ", epoch " + expected[1] + ")";
            assertArrayEquals(expected, steps.counters.get(k), step + ": the network's (iteration, epoch) counters");
            List<int[]> asked = recording.asked(steps.askedBefore.get(k), steps.askedBefore.get(k + 1));
            assertFalse(asked.isEmpty(), step + ": the dropout asked its schedule for p");
            for (int[] a : asked) {
                assertArrayEquals(expected, a, step + ": (iteration, epoch) the dropout asked its schedule for");
            }
            double p = reference.valueAt(expected[0], expected[1]);
            used.add(p);
            INDArray m = steps.masks.get(k);
            long n = m.length();
            long kept = m.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
            long scaled = m.eq((float) (1.0 / p)).castTo(DataType.INT64).sumNumber().longValue();
            assertEquals(kept, scaled, step + ": every kept unit is scaled by exactly 1/p for p = " + p);
            assertEquals(p, (double) kept / n, SIGMAS * Math.sqrt(p * (1 - p) / n),
                    step + ": kept fraction within six binomial standard errors of p = " + p);
        }
        assertEquals(3, used.stream().distinct().count(), "the schedule took three values during fit: " + used);
    }

    private static Layer maskedSite(Site site, MaskDropout dropout) {
        if (site == Site.LAYER) {
            return new MaskDropoutLayer.Builder(dropout).build();
        }
        return new DenseLayer.Builder().nOut(FEATURES).activation(Activation.IDENTITY).weightInit(WeightInit.IDENTITY)
                .hasBias(false).dropOut(dropout).build();
    }

    /**
     * Per fit step: the network's (iteration, epoch) counters and a copy of the masked site's output, seen at the
     * training forward pass, and how many values the schedule had been asked for before the step began.
     */
    private static final class Steps extends BaseTrainingListener {

        final RecordingSchedule schedule;
        final List<int[]> counters = new ArrayList<>();
        final List<INDArray> masks = new ArrayList<>();
        final List<Integer> askedBefore = new ArrayList<>(List.of(0));

        Steps(RecordingSchedule schedule) {
            this.schedule = schedule;
        }

        @Override
        public void onForwardPass(Model model, List<INDArray> activations) {
            record(model, activations.get(1));
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            record(model, activations.get("masked"));
        }

        private void record(Model model, INDArray maskedOutput) {
            if (model instanceof MultiLayerNetwork) {
                MultiLayerNetwork net = (MultiLayerNetwork) model;
                counters.add(new int[] {net.getIterationCount(), net.getEpochCount()});
            } else {
                ComputationGraph net = (ComputationGraph) model;
                counters.add(new int[] {net.getIterationCount(), net.getEpochCount()});
            }
            masks.add(maskedOutput.detach());
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            askedBefore.add(schedule.count());
        }
    }
}

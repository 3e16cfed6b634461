package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Every variant of every experiment builds and trains, its dropout acts where the demo says, and the mask bytes the
 * table reports are what each dropout keeps.
 */
class ModelsTest {

    private static final Digits SOME = Digits.load().subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});

    @Test
    void everyVariantTrainsAndKeepsTheMaskBytesItsStorageSays() {
        Settings s = Settings.QUICK;
        for (Experiment e : Experiment.all(s, 0.5)) {
            DataSet data = e.input.dataSet(SOME);
            for (Variant v : e.variants) {
                MultiLayerNetwork net = v.build(3);
                MaskBytesListener bytes = new MaskBytesListener();
                net.setListeners(bytes);
                net.fit(data);
                INDArray out = net.output(data.getFeatures());
                assertArrayEquals(new long[] {SOME.size(), 10}, out.shape(), e.name + " " + v.name);
                String where = e.name + " " + v.name + ": " + bytes.maxBytes() + " bytes";
                if (v.name.equals(Variant.NONE) || v.name.startsWith("Dropkit") && !v.name.endsWith("STORED")) {
                    // no dropout, or Dropkit's RECOMPUTE: nothing kept
                    assertEquals(0, bytes.maxBytes(), where);
                } else {
                    // DL4J's dropout and STORED keep a mask (DL4J's spatial one value per example and channel)
                    assertTrue(bytes.maxBytes() > 0, where);
                }
            }
        }
    }

    @Test
    void lstmDropoutSeesTheFirstLstmsOutputInNcwSoTimeIsAxisTwo() {
        List<long[]> seen = new ArrayList<>();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).list();
        list.layer(new LSTM.Builder().nOut(64).activation(Activation.TANH).build());
        list.layer(new LastTimeStep(new LSTM.Builder().nOut(64).activation(Activation.TANH)
                .dropOut(new ShapeRecorder(seen)).build()));
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(Input.ROWS.type()).build());
        net.init();
        net.fit(Input.ROWS.dataSet(SOME));
        assertTrue(!seen.isEmpty(), "the dropout inside LastTimeStep was applied");
        // [examples, units, time steps]: one mask per (example, unit) shares axis 2, timeLocked(RNNFormat.NCW)
        assertArrayEquals(new long[] {SOME.size(), 64, 8}, seen.get(0));
        assertEquals(InputType.Type.RNN, Input.ROWS.type().getType());
    }

    /** An IDropout that records the shape of what it is applied to and passes it through. */
    static final class ShapeRecorder implements IDropout {
        private final List<long[]> seen;

        ShapeRecorder(List<long[]> seen) {
            this.seen = seen;
        }

        @Override
        public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch,
                LayerWorkspaceMgr workspaceMgr) {
            seen.add(input.shape());
            return result.assign(input);
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
            return gradAtInput.assign(gradAtOutput);
        }

        @Override
        public void clear() {
        }

        @Override
        public IDropout clone() {
            return this;
        }
    }
}

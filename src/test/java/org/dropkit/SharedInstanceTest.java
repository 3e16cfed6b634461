package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's no-parameter layers (SubsamplingLayer and others) do not clone their dropout when a configuration or
 * network is cloned, so copies trained by parallel workers can share one MaskDropout. Each thread's forward pass
 * must still be paired with its own backward pass.
 */
class SharedInstanceTest {

    @Test
    void dl4jCloneOfANoParameterLayerSharesItsDropout() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dropOut(MaskDropout.bernoulli(0.8))
                .list()
                .layer(new SubsamplingLayer.Builder(2, 2).build())
                .layer(new OutputLayer.Builder().nOut(2).build())
                .setInputType(InputType.convolutional(4, 4, 1, CNN2DFormat.NCHW)).build();
        MultiLayerConfiguration copy = conf.clone();
        // The premise of this class: if DL4J ever fixes this, the test below still holds, but this one tells us.
        org.junit.jupiter.api.Assertions.assertSame(conf.getConf(0).getLayer().getIDropout(),
                copy.getConf(0).getLayer().getIDropout());
    }

    @ParameterizedTest
    @EnumSource(MaskStorage.class)
    void threadsSharingOneInstanceEachBackpropagateTheirOwnMask(MaskStorage storage) throws Exception {
        MaskDropout shared = MaskDropout.bernoulli(0.5).storage(storage);
        int threads = 2;
        CyclicBarrier bothForwardsDone = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 100 + t;
                results.add(pool.submit(() -> {
                    INDArray x = Passes.randomNonZero(DataType.FLOAT, seed, 'c', 64, 32);
                    INDArray dy = Passes.randomNonZero(DataType.FLOAT, seed + 10, 'c', 64, 32);
                    INDArray y = Passes.forward(shared, seed, x);
                    bothForwardsDone.await(30, TimeUnit.SECONDS);
                    INDArray dx = shared.backprop(dy, dy.ulike(), 0, 0);
                    INDArray m = Passes.materializeMask(shared, seed, x.shape(), DataType.FLOAT);
                    assertBitwiseEqual(x.mul(m), y, "forward of seed " + seed);
                    assertBitwiseEqual(dy.mul(m), dx, "backward of seed " + seed + " uses its own mask");
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

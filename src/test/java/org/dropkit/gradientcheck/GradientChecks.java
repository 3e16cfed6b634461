package org.dropkit.gradientcheck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's numerical gradient check with the generator reseeded before every pass, so each pass sees one mask. */
final class GradientChecks {

    static final long RESEED = 12345;

    private GradientChecks() {
    }

    static void assertGradientsMatch(MultiLayerNetwork net, INDArray input, INDArray labels, INDArray inputMask,
            INDArray labelMask) {
        assertDropoutActive(net, input, inputMask, labelMask);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).inputMask(inputMask).labelMask(labelMask)
                .callEachIter(n -> Nd4j.getRandom().setSeed(RESEED)));
        assertTrue(ok, "analytic gradients match numerical ones (eps 1e-6, max relative error 1e-3)");
    }

    static void assertGradientsMatch(ComputationGraph net, INDArray[] inputs, INDArray[] labels) {
        Nd4j.getRandom().setSeed(RESEED);
        INDArray train = net.output(true, inputs)[0];
        INDArray test = net.output(false, inputs)[0];
        assertFalse(train.equalsWithEps(test, 1e-12), "dropout is active in training: the check is not vacuous");
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net).inputs(inputs)
                .labels(labels).callEachIter(n -> Nd4j.getRandom().setSeed(RESEED)));
        assertTrue(ok, "analytic gradients match numerical ones (eps 1e-6, max relative error 1e-3)");
    }

    /** Training output differs from inference output, so dropout does act in the network under check. */
    static void assertDropoutActive(MultiLayerNetwork net, INDArray input, INDArray inputMask, INDArray labelMask) {
        Nd4j.getRandom().setSeed(RESEED);
        INDArray train = net.output(input, true, inputMask, labelMask);
        INDArray test = net.output(input, false, inputMask, labelMask);
        assertFalse(train.equalsWithEps(test, 1e-12), "dropout is active in training: the check is not vacuous");
    }
}

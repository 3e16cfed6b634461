package org.dropkit.testsupport;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dropkit.MaskDropout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runs MaskDropout passes the way DL4J does, with the global generator seeded first. */
public final class Passes {

    private Passes() {
    }

    /** Seeds {@code Nd4j.getRandom()}, then runs a training forward pass of {@code dropout} on x into out. */
    public static INDArray forward(MaskDropout dropout, long seed, INDArray x, INDArray out) {
        Nd4j.getRandom().setSeed(seed);
        return dropout.applyDropout(x, out, 0, 0, LayerWorkspaceMgr.noWorkspaces());
    }

    /** Seeds the generator, runs a training forward pass into a new array, returns the output. */
    public static INDArray forward(MaskDropout dropout, long seed, INDArray x) {
        return forward(dropout, seed, x, Nd4j.createUninitialized(x.dataType(), x.shape(), x.ordering()));
    }

    /**
     * The mask m that a forward pass with this seed applies to data of this shape, materialized independently of
     * that pass: a fresh clone applied to ones. Broadcast to the full shape.
     */
    public static INDArray materializeMask(MaskDropout dropout, long seed, long[] shape, DataType type) {
        INDArray ones = Nd4j.ones(type, shape);
        return forward(dropout.clone(), seed, ones, ones.ulike());
    }

    /** Values with magnitude uniform in [0.5, 2) and a random sign: never zero. */
    public static INDArray randomNonZero(DataType type, long seed, char order, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        INDArray magnitude = Nd4j.rand(type, shape).muli(1.5).addi(0.5);
        INDArray sign = Nd4j.rand(type, shape).gt(0.5).castTo(type).muli(2.0).subi(1.0);
        return magnitude.muli(sign).dup(order);
    }
}

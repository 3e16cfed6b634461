package org.dropkit.benchmarks;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Shapes as JMH parameters: "1024x10000" (2-D, [batch, features]), "64x64x50x50" (4-D CNN, NCHW), "64x400x400"
 * (3-D RNN, NCW). The run script uses three sizes in each rank: about 1e4, 1e6 and 1e7 elements (10,240,
 * 1,048,576 and 10,240,000).
 */
final class Shapes {

    private Shapes() {
    }

    static long[] parse(String shape) {
        return Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).toArray();
    }

    static DataType dataType(String name) {
        return DataType.valueOf(name);
    }

    /** A c-order array of the shape filled with U(-1, 1) values: no zeros, both signs. */
    static INDArray random(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray a = Nd4j.rand(DataType.DOUBLE, shape).muli(2).subi(1);
        return type == DataType.DOUBLE ? a : a.castTo(type);
    }

    static INDArray zeros(DataType type, long[] shape) {
        return Nd4j.create(type, shape, 'c');
    }
}

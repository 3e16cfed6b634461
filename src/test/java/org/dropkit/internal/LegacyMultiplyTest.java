package org.dropkit.internal;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/** The legacy multiply kernel the engine uses for same-shape products agrees with ND4J's MulOp bit for bit. */
class LegacyMultiplyTest {

    @Test
    void legacyKernelIsMultiplyOnTheCpuBackend() {
        assertTrue(LegacyMultiply.isUsable(), "otherwise every same-shape product falls back to the slower MulOp");
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE", "HALF"})
    void agreesWithMulOpForAnyMemoryOrder(DataType type) {
        INDArray x = Passes.randomNonZero(type, 1, 'f', 7, 9, 4);
        INDArray y = Passes.randomNonZero(type, 2, 'c', 7, 9, 4).permute(2, 1, 0).dup('c').permute(2, 1, 0);
        y.putScalar(0, -0.0);
        INDArray expected = Nd4j.createUninitialized(type, x.shape(), 'c');
        Nd4j.getExecutioner().exec(new MulOp(x, y, expected));
        INDArray actual = Nd4j.createUninitialized(type, x.shape(), 'c');
        Nd4j.getExecutioner().exec(new LegacyMultiply(x, y, actual));
        assertBitwiseEqual(expected, actual, "legacy multiply vs MulOp, f-order x times a permuted y");
    }
}

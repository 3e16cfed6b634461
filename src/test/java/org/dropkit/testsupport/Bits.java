package org.dropkit.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bit-for-bit comparison of arrays: same shape, same data type, same bits in every element (signed zeros too). */
public final class Bits {

    private Bits() {
    }

    public static void assertBitwiseEqual(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dataType(), actual.dataType(), what + ": data type");
        long[] e = rawBits(expected);
        long[] a = rawBits(actual);
        for (int i = 0; i < e.length; i++) {
            if (e[i] != a[i]) {
                int differing = 0;
                for (int j = 0; j < e.length; j++) {
                    differing += e[j] != a[j] ? 1 : 0;
                }
                fail(what + ": " + differing + " of " + e.length + " elements differ in their bits; first at c-order"
                        + " index " + i + ": expected " + expected.dup('c').getDouble(i) + " (bits "
                        + Long.toHexString(e[i]) + "), got " + actual.dup('c').getDouble(i) + " (bits "
                        + Long.toHexString(a[i]) + ")");
            }
        }
    }

    /** The raw bits of every element in logical c-order. */
    public static long[] rawBits(INDArray array) {
        INDArray c = array.dup('c');
        long[] bits = new long[(int) c.length()];
        if (c.dataType() == DataType.DOUBLE) {
            double[] v = c.data().asDouble();
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Double.doubleToRawLongBits(v[i]);
            }
        } else if (c.dataType() == DataType.FLOAT) {
            float[] v = c.data().asFloat();
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Float.floatToRawIntBits(v[i]);
            }
        } else {
            // HALF and BFLOAT16 widen to float without rounding, so the float bits identify the value.
            float[] v = c.castTo(DataType.FLOAT).data().asFloat();
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Float.floatToRawIntBits(v[i]);
            }
        }
        return bits;
    }
}

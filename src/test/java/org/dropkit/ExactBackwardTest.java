package org.dropkit;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The defining identity: backward is the upstream gradient times the very mask forward used, bit for bit. The
 * mask m is materialized independently (a fresh copy of the dropout applied to ones with the same seed), and the
 * reference products x * m and dy * m are computed with the same multiplication the forward pass uses.
 */
class ExactBackwardTest {

    private static final long[] SHAPE = {3, 4, 5, 6};
    private static final long SEED = 42;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        int[][] axesSettings = {{}, {2, 3}, {1}, {0, 2, 3}};
        for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) { // DropBlock: DropBlockTest
            for (MaskStorage storage : MaskStorage.values()) {
                for (int[] axes : axesSettings) {
                    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                        for (char order : new char[] {'c', 'f'}) {
                            for (boolean inPlace : new boolean[] {false, true}) {
                                cases.add(Arguments.of(kind, storage, axes, type, order, inPlace));
                            }
                        }
                    }
                }
            }
        }
        return cases;
    }

    private static MaskDropout dropout(MaskKind kind, MaskStorage storage, int[] axes) {
        MaskDropout d = kind == MaskKind.BERNOULLI ? MaskDropout.bernoulli(0.7) : MaskDropout.gaussian(0.7);
        return d.storage(storage).sharedAxes(axes);
    }

    @ParameterizedTest(name = "{0} {1} axes={2} {3} order={4} inPlace={5}")
    @MethodSource("cases")
    void backwardIsGradientTimesMaskBitForBit(MaskKind kind, MaskStorage storage, int[] axes, DataType type,
            char order, boolean inPlace) {
        MaskDropout dropout = dropout(kind, storage, axes);
        INDArray x = Passes.randomNonZero(type, 1, order, SHAPE);
        INDArray dy = Passes.randomNonZero(type, 2, order, SHAPE);
        INDArray xCopy = x.dup();
        INDArray dyCopy = dy.dup();

        INDArray out = inPlace ? x : Nd4j.createUninitialized(type, SHAPE, order);
        INDArray y = Passes.forward(dropout, SEED, x, out);
        assertSame(out, y, "forward returns its output array");
        INDArray dx = dropout.backprop(dy, inPlace ? dy : dy.ulike(), 0, 0);

        INDArray m = Passes.materializeMask(dropout, SEED, SHAPE, type);
        assertBitwiseEqual(xCopy.mul(m), y, "forward y = x * m");
        assertBitwiseEqual(dyCopy.mul(m), dx, "backward dx = dy * m");

        long zerosInMask = m.eq(0.0).castTo(DataType.INT32).sumNumber().longValue();
        long zerosInGrad = dx.eq(0.0).castTo(DataType.INT32).sumNumber().longValue();
        assertEquals(zerosInMask, zerosInGrad, "a unit gets exactly zero gradient if and only if it was dropped");
        if (kind == MaskKind.BERNOULLI) {
            assertTrue(zerosInMask > 0, "a Bernoulli mask of p = 0.7 over " + m.length() + " units drops some");
        }
    }
}

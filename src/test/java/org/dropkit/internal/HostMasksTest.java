package org.dropkit.internal;

import static org.dropkit.testsupport.Bits.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dropkit.MaskDropout;
import org.dropkit.MaskKind;
import org.dropkit.MaskStorage;
import org.dropkit.Scaling;
import org.dropkit.testsupport.Bits;
import org.dropkit.testsupport.Passes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The CPU path of the mask engine: when it is taken (nd4j-native, FLOAT and DOUBLE), that it writes exactly the
 * mask of the seed and the logical index wherever and however the work is split, and that everything else (other
 * backends, HALF and BFLOAT16) still goes through ND4J's random ops.
 */
class HostMasksTest {

    private static final long SEED = 20261202L;
    /** Not a multiple of a chunk or a block: the last block and chunk are partial. */
    private static final long LENGTH = 3L * HostMasks.BLOCK + 1234;
    /**
     * The kinds whose masks the Java path makes: Bernoulli-decided (BERNOULLI, ALPHA) and GAUSSIAN. Additive noise has
     * no mask and DropBlock builds its own from a Bernoulli seed map (DropBlockTest).
     */
    private static final MaskKind[] HOST_KINDS = {MaskKind.BERNOULLI, MaskKind.GAUSSIAN, MaskKind.ALPHA};

    private static MaskSpec spec(MaskKind kind, double p) {
        return MaskSpec.of(kind, p, Scaling.INVERTED, new int[0]);
    }

    private static INDArray fill(MaskKind kind, DataType type, long length, long seed) {
        INDArray target = Nd4j.createUninitialized(type, length);
        return MaskEngine.fill(spec(kind, 0.7), seed, target);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The decision.

    @Test
    void theCpuBackendMakesFloatAndDoubleMasksInJavaAndOnlyThose() {
        assertTrue(HostMasks.cpuBackend(), "these tests run on nd4j-native");
        assertTrue(HostMasks.appliesTo(true, DataType.FLOAT));
        assertTrue(HostMasks.appliesTo(true, DataType.DOUBLE));
        assertFalse(HostMasks.appliesTo(true, DataType.HALF), "HALF keeps ND4J's ops");
        assertFalse(HostMasks.appliesTo(true, DataType.BFLOAT16), "BFLOAT16 keeps ND4J's ops");
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            assertFalse(HostMasks.appliesTo(false, type), "another backend (CUDA) keeps ND4J's ops for " + type);
        }
    }

    @Test
    void anArrayIsTakenOnlyWhenItsBufferIsInCOrder() {
        INDArray c = Nd4j.create(DataType.FLOAT, 4, 6);
        assertTrue(HostMasks.accessible(c));
        assertTrue(HostMasks.accessible(c.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all())),
                "a block of whole rows is c-contiguous at an offset");
        assertFalse(HostMasks.accessible(c.dup('f')), "f-order");
        assertFalse(HostMasks.accessible(c.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3))), "a column slice");
        assertFalse(HostMasks.accessible(c.castTo(DataType.HALF)), "HALF");
    }

    /** On this backend a FLOAT mask is the Java generator's, not ND4J's BernoulliDistribution's. */
    @Test
    void floatMasksOnTheCpuComeFromTheJavaGenerator() {
        INDArray engine = fill(MaskKind.BERNOULLI, DataType.FLOAT, MaskChunks.CHUNK, SEED);
        float[] expected = new float[MaskChunks.CHUNK];
        MaskChunks.get().bernoulli(CounterHash.key(SEED, CounterHash.BERNOULLI_SALT), 0,
                Math.round(0.7 * 0x1p32), (float) (1 / 0.7), expected);
        assertBitwiseEqual(Nd4j.createFromArray(expected), engine, "the engine's FLOAT mask vs MaskChunks");
        assertFalse(Arrays.equals(Bits.rawBits(nd4jBernoulli(DataType.FLOAT, MaskChunks.CHUNK, SEED)),
                Bits.rawBits(engine)), "ND4J's draw of the same seed is another mask");
    }

    /** HALF is left to ND4J's ops: its mask is exactly ND4J's seeded Bernoulli draw, scaled. */
    @Test
    void halfMasksStillComeFromNd4jsRandomOps() {
        INDArray engine = fill(MaskKind.BERNOULLI, DataType.HALF, 1000, SEED);
        assertBitwiseEqual(nd4jBernoulli(DataType.HALF, 1000, SEED), engine, "HALF mask vs ND4J's draw");
    }

    /** What the engine's ND4J path draws (MaskEngine.draw and scaleKept): the generator set to (seed, seed ^ mix). */
    private static INDArray nd4jBernoulli(DataType type, long length, long seed) {
        INDArray m = Nd4j.createUninitialized(type, length);
        Random rng = Nd4j.getRandom();
        long root = rng.rootState();
        long node = rng.nodeState();
        rng.setStates(seed, seed ^ 0xdeadbeefL);
        Nd4j.getExecutioner().exec(new BernoulliDistribution(m, 0.7), rng);
        rng.setStates(root, node);
        return m.muli(1 / 0.7);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Determinism of the Java generator.

    static List<Arguments> kindsAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskKind kind : HOST_KINDS) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                cases.add(Arguments.of(kind, type));
            }
        }
        return cases;
    }

    /** Blocks go to whichever thread claims them first; the output cannot depend on it. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndTypes")
    void theSameMaskOnOneTwoAndFourThreads(MaskKind kind, DataType type) {
        INDArray x = Passes.randomNonZero(type, 5, 'c', LENGTH);
        INDArray one = x.ulike();
        HostMasks.applyOnThreads(spec(kind, 0.6), SEED, x, one, 1);
        for (int threads : new int[] {2, 4}) {
            for (int repeat = 0; repeat < 3; repeat++) {
                INDArray many = x.ulike();
                HostMasks.applyOnThreads(spec(kind, 0.6), SEED, x, many, threads);
                assertBitwiseEqual(one, many, "x * m on " + threads + " threads vs 1");
            }
        }
    }

    /** The mask of an element is a function of the seed and its index, not of the length of the array. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndTypes")
    void anElementsMaskDoesNotDependOnTheArrayLength(MaskKind kind, DataType type) {
        INDArray whole = fill(kind, type, LENGTH, SEED);
        for (long prefix : new long[] {1, 2, 3, MaskChunks.CHUNK / 2 + 1, MaskChunks.CHUNK + 7, HostMasks.BLOCK + 1}) {
            INDArray part = fill(kind, type, prefix, SEED);
            assertBitwiseEqual(whole.get(NDArrayIndex.interval(0, prefix)), part, "the first " + prefix
                    + " elements of a mask of length " + LENGTH + " vs a mask of length " + prefix);
        }
    }

    /** DOUBLE masks are the FLOAT masks at double precision: same kept units, values (double) (1/p) or widened. */
    @ParameterizedTest
    @EnumSource(value = MaskKind.class, names = {"BERNOULLI", "GAUSSIAN"})
    void aDoubleMaskIsTheFloatMaskAtDoublePrecision(MaskKind kind) {
        INDArray f = fill(kind, DataType.FLOAT, LENGTH, SEED);
        INDArray d = fill(kind, DataType.DOUBLE, LENGTH, SEED);
        INDArray expected = kind == MaskKind.GAUSSIAN ? f.castTo(DataType.DOUBLE)
                : f.neq(0.0).castTo(DataType.DOUBLE).muli(1 / 0.7);
        assertBitwiseEqual(expected, d, "DOUBLE mask vs FLOAT mask");
        if (kind == MaskKind.BERNOULLI) {
            assertEquals(1 / 0.7, d.maxNumber().doubleValue(), 0.0, "kept value (double) (1/p), not (float) (1/p)");
        }
    }

    /** A c-contiguous view at an offset is read and written at its own elements only. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndTypes")
    void aViewAtAnOffsetGetsTheMaskOfAFreshArray(MaskKind kind, DataType type) {
        INDArray base = Passes.randomNonZero(type, 6, 'c', 9, 5000);
        INDArray before = base.dup();
        INDArray view = base.get(NDArrayIndex.interval(3, 7), NDArrayIndex.all());
        assertTrue(view.offset() > 0 && HostMasks.accessible(view), "a c-contiguous view at an offset");
        INDArray expected = MaskEngine.apply(spec(kind, 0.6), SEED, view.dup(), view.ulike());
        MaskEngine.apply(spec(kind, 0.6), SEED, view, view);
        assertBitwiseEqual(expected, view, "in place in the view vs into a fresh array");
        assertBitwiseEqual(before.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()),
                base.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()), "rows before the view");
        assertBitwiseEqual(before.get(NDArrayIndex.interval(7, 9), NDArrayIndex.all()),
                base.get(NDArrayIndex.interval(7, 9), NDArrayIndex.all()), "rows after the view");
    }

    /** The Java multiply is IEEE multiplication, as libnd4j's: the same bits, signed zeros and NaN included. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void theJavaMultiplyAgreesWithMulOpBitForBit(DataType type) {
        long length = HostMasks.MULTIPLY_MAX - 77; // a partial last chunk
        INDArray x = Passes.randomNonZero(type, 7, 'c', length);
        INDArray m = Passes.randomNonZero(type, 8, 'c', length);
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40};
        for (int i = 0; i < special.length; i++) {
            x.putScalar(i, special[i]);
            m.putScalar(special.length + i, special[i]);
            x.putScalar(2 * special.length + i, special[i]);
            m.putScalar(2 * special.length + i, special[(i + 1) % special.length]);
        }
        INDArray expected = x.ulike();
        Nd4j.getExecutioner().exec(new MulOp(x, m, expected));
        INDArray actual = x.ulike();
        assertTrue(HostMasks.multiply(x, m, actual), "three c-order arrays of one type take the Java path");
        assertBitwiseEqual(expected, actual, "Java x * m vs MulOp");
    }

    /** Above MULTIPLY_MAX ND4J's vectorized multiply is faster, and the engine's multiply gives the same bits. */
    @Test
    void largeMultipliesGoToNd4jWithTheSameProduct() {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 9, 'c', LENGTH);
        INDArray m = Passes.randomNonZero(DataType.FLOAT, 10, 'c', LENGTH);
        assertFalse(HostMasks.multiply(x, m, x.ulike()), LENGTH + " elements: not the Java path");
        INDArray expected = x.ulike();
        Nd4j.getExecutioner().exec(new MulOp(x, m, expected));
        assertBitwiseEqual(expected, MaskEngine.multiply(x, m, x.ulike()), "MaskEngine.multiply vs MulOp");
    }

    // ------------------------------------------------------------------------------------------------------------
    // HALF and BFLOAT16 (ND4J's ops): still exact.

    static List<Arguments> halfCases() {
        List<Arguments> cases = new ArrayList<>();
        for (MaskKind kind : new MaskKind[] {MaskKind.BERNOULLI, MaskKind.GAUSSIAN}) {
            for (MaskStorage storage : MaskStorage.values()) {
                for (DataType type : new DataType[] {DataType.HALF, DataType.BFLOAT16}) {
                    cases.add(Arguments.of(kind, storage, type));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("halfCases")
    void halfPrecisionBackwardIsGradientTimesMaskBitForBit(MaskKind kind, MaskStorage storage, DataType type) {
        MaskDropout dropout = (kind == MaskKind.BERNOULLI ? MaskDropout.bernoulli(0.7) : MaskDropout.gaussian(0.7))
                .storage(storage);
        long[] shape = {6, 50};
        INDArray x = Passes.randomNonZero(type, 1, 'c', shape);
        INDArray dy = Passes.randomNonZero(type, 2, 'c', shape);
        INDArray y = Passes.forward(dropout, SEED, x, x.ulike());
        INDArray dx = dropout.backprop(dy, dy.ulike(), 0, 0);
        INDArray m = Passes.materializeMask(dropout, SEED, shape, type);
        assertBitwiseEqual(x.mul(m), y, "forward y = x * m");
        assertBitwiseEqual(dy.mul(m), dx, "backward dx = dy * m");
        double mean = m.castTo(DataType.DOUBLE).meanNumber().doubleValue();
        // 300 values of variance (1 - p) / p = 0.43: the mean is 1 within 6 standard errors (0.23).
        assertEquals(1.0, mean, 6 * Math.sqrt(0.3 / 0.7 / 300), "mask mean");
    }
}

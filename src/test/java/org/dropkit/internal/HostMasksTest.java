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
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
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
                (int) Math.round(0.7 * 0x1p31), (float) (1 / 0.7), expected);
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

    /**
     * The Java copy (dx = dy of additive noise, identity passes) writes exactly the source's bits, NaN payloads and
     * signed zeros included, into a view at an offset without touching the elements around it.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void theJavaCopyIsBitForBitAndStaysInsideTheView(DataType type) {
        int rows = 8;
        int cols = 1000;
        INDArray x = Passes.randomNonZero(type, 11, 'c', rows - 2, cols);
        x.putScalar(0, -0.0);
        x.putScalar(1, Double.NaN);
        x.putScalar(2, Double.NEGATIVE_INFINITY);
        INDArray base = Passes.randomNonZero(type, 12, 'c', rows, cols);
        INDArray before = base.dup();
        INDArray view = base.get(NDArrayIndex.interval(1, rows - 1), NDArrayIndex.all());
        assertTrue(HostMasks.copy(x, view), "c-order arrays of one type and shape take the Java path");
        assertBitwiseEqual(x, view, "the copy");
        assertBitwiseEqual(before.getRow(0), base.getRow(0), "the row before the view");
        assertBitwiseEqual(before.getRow(rows - 1), base.getRow(rows - 1), "the row after the view");
    }

    @Test
    void theJavaCopyLeavesOtherCasesToNd4j() {
        INDArray x = Passes.randomNonZero(DataType.FLOAT, 13, 'c', 50, 40);
        assertFalse(HostMasks.copy(x, x), "the same array");
        assertFalse(HostMasks.copy(x, Nd4j.createUninitialized(DataType.DOUBLE, 50, 40)), "another type");
        assertFalse(HostMasks.copy(x, Nd4j.createUninitialized(DataType.FLOAT, 40, 50)), "another shape");
        assertFalse(HostMasks.copy(x, Nd4j.createUninitialized(DataType.FLOAT, new long[] {50, 40}, 'f')), "f-order");
        INDArray large = Passes.randomNonZero(DataType.FLOAT, 14, 'c', HostMasks.MULTIPLY_MAX + 1);
        assertFalse(HostMasks.copy(large, large.ulike()), "above MULTIPLY_MAX");
        INDArray wide = Nd4j.createUninitialized(DataType.DOUBLE, 50, 40);
        assertBitwiseEqual(x.castTo(DataType.DOUBLE), MaskEngine.apply(MaskSpec.noise(0.5, new int[0]), 1, x, wide),
                "noise backward into another type: ND4J's assign converts");
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
    // Masks written alone, and passes in two steps.

    /**
     * A FLOAT Bernoulli mask written alone goes to memory as its float bits, with no cast in Java: the values of
     * MaskChunks.bernoulli, chunk by chunk (the last one partial), on one, two and four threads.
     */
    @Test
    void aFloatBernoulliMaskIsWrittenAsTheChunksValuesOnAnyNumberOfThreads() {
        MaskSpec spec = spec(MaskKind.BERNOULLI, 0.7);
        float[] expected = new float[(int) LENGTH];
        float[] chunk = new float[MaskChunks.CHUNK];
        for (int c = 0; c * MaskChunks.CHUNK < LENGTH; c++) {
            MaskChunks.get().bernoulli(CounterHash.key(SEED, CounterHash.BERNOULLI_SALT), c,
                    (int) Math.round(0.7 * 0x1p31), (float) (1 / 0.7), chunk);
            int from = c * MaskChunks.CHUNK;
            System.arraycopy(chunk, 0, expected, from, (int) Math.min(MaskChunks.CHUNK, LENGTH - from));
        }
        for (int threads : new int[] {1, 2, 4}) {
            INDArray mask = Nd4j.createUninitialized(DataType.FLOAT, LENGTH);
            HostMasks.applyOnThreads(spec, SEED, null, mask, threads);
            assertBitwiseEqual(Nd4j.createFromArray(expected), mask, "mask on " + threads + " threads vs MaskChunks");
        }
    }

    /** Above the Java multiply's size and below a thread's share of a parallel pass: partial last chunk. */
    private static final long TWO_STEP_LENGTH = HostMasks.BLOCK + 3 * MaskChunks.CHUNK + 1234;

    /**
     * In the two-step range a Bernoulli pass (the multiply of dropout and of every backward pass) writes the mask into
     * its output (when that is not its input) or into a spare array, then lets ND4J multiply: the bits of the
     * one-sweep pass, special values included; x is left alone when it is not the output; in place without a spare
     * array the pass is the one sweep.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndTypes")
    void twoStepPassesGiveTheOneSweepBits(MaskKind kind, DataType type) {
        MaskSpec spec = spec(kind, 0.6);
        INDArray x = withSpecialValues(type, 13, TWO_STEP_LENGTH);
        INDArray xCopy = x.dup();
        assertTrue(HostMasks.inTwoStepRange(x), TWO_STEP_LENGTH + " " + type + " elements are in range");
        assertEquals(kind != MaskKind.GAUSSIAN, MaskEngine.takesTwoSteps(spec, x), "Bernoulli decisions only");
        assertEquals(kind == MaskKind.BERNOULLI, HostMasks.twoSteps(spec, true, x),
                "a training forward pass in two steps only where it is a multiply (not ALPHA's)");
        INDArray oneSweep = x.dup();
        HostMasks.applyOnThreads(spec, SEED, oneSweep, oneSweep, 1);

        INDArray z = x.ulike();
        assertTrue(HostMasks.apply(spec, SEED, x, z));
        assertBitwiseEqual(oneSweep, z, "two steps, the mask in z, vs one sweep");
        assertBitwiseEqual(xCopy, x, "x is not written");

        INDArray inPlace = x.dup();
        assertTrue(HostMasks.apply(spec, SEED, inPlace, inPlace));
        assertBitwiseEqual(oneSweep, inPlace, "in place, one sweep");

        INDArray spare = x.ulike().assign(3.0);
        INDArray withSpare = x.dup();
        assertTrue(HostMasks.apply(spec, SEED, withSpare, withSpare, spare));
        assertBitwiseEqual(oneSweep, withSpare, "in place, the mask in the spare array");
        if (kind != MaskKind.GAUSSIAN) {
            assertBitwiseEqual(MaskEngine.fill(spec, SEED, x.ulike()), spare, "the spare array holds the mask");
        } else {
            assertTrue(spare.eq(3.0).all(), "a Gaussian pass leaves the spare array alone");
        }

        INDArray overlapping = x.dup();
        assertTrue(HostMasks.apply(spec, SEED, overlapping, overlapping, overlapping.reshape(overlapping.shape())));
        assertBitwiseEqual(oneSweep, overlapping, "a spare array on the input's memory is not used");
    }

    /** Arrays overlap when their elements share memory: views of one buffer by their element ranges. */
    @Test
    void arraysOverlapWhenTheirElementsShareMemory() {
        INDArray base = Nd4j.create(DataType.FLOAT, 10, 100);
        INDArray first = base.get(NDArrayIndex.interval(0, 5), NDArrayIndex.all());
        INDArray second = base.get(NDArrayIndex.interval(5, 10), NDArrayIndex.all());
        INDArray middle = base.get(NDArrayIndex.interval(4, 7), NDArrayIndex.all());
        assertFalse(HostMasks.overlap(first, second), "adjacent row blocks");
        assertFalse(HostMasks.overlap(second, first), "adjacent row blocks, the other way");
        assertTrue(HostMasks.overlap(first, middle), "row 4 in common");
        assertTrue(HostMasks.overlap(middle, second), "rows 5 and 6 in common");
        assertTrue(HostMasks.overlap(base, middle), "a view and its base");
        assertTrue(HostMasks.overlap(base, base), "an array and itself");
        assertFalse(HostMasks.overlap(base, base.dup()), "a copy");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Forward passes in one sweep: alpha dropout's affine form and additive noise.

    private static final double ALPHA_P = 0.7;
    private static final double NOISE_SIGMA = 0.3;

    private static MaskSpec noiseSpec(double sigma) {
        return MaskSpec.noise(sigma, new int[0]);
    }

    /** x with zeros of both signs, NaN, infinities, a subnormal and alpha' itself (which the shift takes to 0). */
    private static INDArray withSpecialValues(DataType type, long seed, long length) {
        INDArray x = Passes.randomNonZero(type, seed, 'c', length);
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40,
            MaskSpec.ALPHA_PRIME, -MaskSpec.ALPHA_PRIME, 1e30};
        for (int i = 0; i < special.length; i++) {
            for (long at : new long[] {i, MaskChunks.CHUNK - 1 - i, HostMasks.BLOCK + i, length - 1 - i}) {
                x.putScalar(at, special[i]);
            }
        }
        return x;
    }

    /**
     * The one-pass alpha forward is the ND4J-op composition it replaces, bit for bit: scalar subtraction of
     * (T) alpha', multiplication by the mask (MulOp), scalar addition of (T) c; into another array and in place, on
     * arrays of several blocks (several threads), and with x left alone when z is not x.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void alphaForwardInOnePassIsTheNd4jOpCompositionBitForBit(DataType type) {
        MaskSpec spec = spec(MaskKind.ALPHA, ALPHA_P);
        INDArray x = withSpecialValues(type, 11, LENGTH);
        INDArray xCopy = x.dup();
        INDArray mask = MaskEngine.fill(spec, SEED, Nd4j.createUninitialized(type, LENGTH));
        INDArray shifted = x.sub(MaskSpec.ALPHA_PRIME);
        INDArray product = shifted.ulike();
        Nd4j.getExecutioner().exec(new MulOp(shifted, mask, product));
        INDArray expected = product.addi(MaskSpec.alphaDropped(ALPHA_P));

        INDArray z = x.ulike();
        assertTrue(HostMasks.forward(spec, SEED, x, z), "c-order arrays of one type take the one-pass path");
        assertBitwiseEqual(expected, z, "one pass vs sub, MulOp, add");
        assertBitwiseEqual(xCopy, x, "x is not written");
        assertTrue(HostMasks.forward(spec, SEED, x, x), "in place");
        assertBitwiseEqual(expected, x, "in place vs sub, MulOp, add");
    }

    /** MaskEngine's alpha forward takes the one-pass path and gives what it gave on ND4J ops: ALPHA's STORED form. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void alphaForwardRecomputedEqualsTheStoredForm(DataType type) {
        MaskSpec spec = spec(MaskKind.ALPHA, ALPHA_P);
        INDArray x = Passes.randomNonZero(type, 12, 'c', 7, LENGTH / 7);
        INDArray mask = MaskEngine.fill(spec, SEED, x.ulike());
        INDArray stored = MaskEngine.forwardStored(spec, x, mask, x.ulike());
        INDArray recomputed = MaskEngine.forward(spec, SEED, type, x, x.ulike());
        assertBitwiseEqual(stored, recomputed, "forward from (spec, seed) vs forward from the kept mask");
        INDArray f = MaskEngine.forward(spec, SEED, type, x.dup('f'), Nd4j.createUninitialized(type, x.shape(), 'f'));
        assertBitwiseEqual(recomputed, f, "f-order (the ND4J-op path) vs c-order (one pass)");
    }

    /** The noise of a FLOAT pass is sigma times the Java generator's normal values (its own streams), not ND4J's. */
    @Test
    void floatNoiseOnTheCpuComesFromTheJavaGenerator() {
        int n = 2 * MaskChunks.CHUNK;
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, n);
        INDArray noise = MaskEngine.forward(noiseSpec(NOISE_SIGMA), SEED, DataType.FLOAT, zeros, zeros.ulike());
        float[] expected = new float[n];
        float[] chunk = new float[MaskChunks.CHUNK];
        for (int c = 0; c < 2; c++) {
            MaskChunks.get().normal(CounterHash.key(SEED, CounterHash.NOISE_RADIUS_SALT),
                    CounterHash.key(SEED, CounterHash.NOISE_ANGLE_SALT), c, (float) NOISE_SIGMA, chunk);
            for (int j = 0; j < MaskChunks.CHUNK; j++) {
                expected[c * MaskChunks.CHUNK + j] = 0f + chunk[j];
            }
        }
        assertBitwiseEqual(Nd4j.createFromArray(expected), noise, "0 + n vs MaskChunks.normal");

        // Were the streams the Gaussian mask's, sign(m - 1) would be sign(n) everywhere; independent, half the time
        // (8192 elements: the agreement is 0.5 within 6 standard errors, 0.033).
        float[] m = fill(MaskKind.GAUSSIAN, DataType.FLOAT, n, SEED).toFloatVector();
        float[] v = noise.toFloatVector();
        int same = 0;
        for (int i = 0; i < n; i++) {
            same += (m[i] > 1f) == (v[i] > 0f) ? 1 : 0;
        }
        assertEquals(0.5, (double) same / n, 6 * Math.sqrt(0.25 / n), "the noise streams are not the Gaussian mask's");
        INDArray drawn = Nd4j.createUninitialized(DataType.FLOAT, n);
        nd4jDraw(new GaussianDistribution(drawn, 0.0, NOISE_SIGMA), SEED);
        assertFalse(Arrays.equals(Bits.rawBits(drawn), Bits.rawBits(noise)), "ND4J's draw of the same seed differs");
    }

    /** DOUBLE noise is the FLOAT noise widened, as DOUBLE Gaussian masks are; x + n is rounded once, in T. */
    @Test
    void doubleNoiseIsTheFloatNoiseWidened() {
        INDArray x = Passes.randomNonZero(DataType.DOUBLE, 13, 'c', LENGTH);
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, LENGTH);
        INDArray floatNoise = MaskEngine.forward(noiseSpec(NOISE_SIGMA), SEED, DataType.FLOAT, zeros,
                zeros.ulike());
        INDArray y = MaskEngine.forward(noiseSpec(NOISE_SIGMA), SEED, DataType.DOUBLE, x, x.ulike());
        assertBitwiseEqual(x.add(floatNoise.castTo(DataType.DOUBLE)), y, "DOUBLE x + (double) FLOAT noise");
    }

    static List<Arguments> forwardKindsAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean noise : new boolean[] {false, true}) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                cases.add(Arguments.of(noise ? "GAUSSIAN_NOISE" : "ALPHA", type));
            }
        }
        return cases;
    }

    private static MaskSpec forwardSpec(String kind) {
        return kind.equals("ALPHA") ? spec(MaskKind.ALPHA, ALPHA_P) : noiseSpec(NOISE_SIGMA);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("forwardKindsAndTypes")
    void theSameForwardPassOnOneTwoAndFourThreads(String kind, DataType type) {
        INDArray x = Passes.randomNonZero(type, 14, 'c', LENGTH);
        INDArray one = x.ulike();
        HostMasks.forwardOnThreads(forwardSpec(kind), SEED, x, one, 1);
        for (int threads : new int[] {2, 4}) {
            for (int repeat = 0; repeat < 3; repeat++) {
                INDArray many = x.ulike();
                HostMasks.forwardOnThreads(forwardSpec(kind), SEED, x, many, threads);
                assertBitwiseEqual(one, many, kind + " forward on " + threads + " threads vs 1");
            }
        }
    }

    /**
     * Views at an offset are read and written at their own elements; f-order arrays and column slices (ND4J ops, or
     * noise through a temporary) give the values of the logical index too.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("forwardKindsAndTypes")
    void forwardPassesOfViewsAndFOrderArraysAreThoseOfFreshArrays(String kind, DataType type) {
        MaskSpec spec = forwardSpec(kind);
        INDArray base = Passes.randomNonZero(type, 15, 'c', 9, 5000);
        INDArray before = base.dup();
        INDArray view = base.get(NDArrayIndex.interval(3, 7), NDArrayIndex.all());
        INDArray expected = MaskEngine.forward(spec, SEED, type, view.dup(), view.ulike());
        MaskEngine.forward(spec, SEED, type, view, view);
        assertBitwiseEqual(expected, view, "in place in the view vs into a fresh array");
        assertBitwiseEqual(before.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()),
                base.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()), "rows before the view");
        assertBitwiseEqual(before.get(NDArrayIndex.interval(7, 9), NDArrayIndex.all()),
                base.get(NDArrayIndex.interval(7, 9), NDArrayIndex.all()), "rows after the view");

        INDArray x = Passes.randomNonZero(type, 16, 'c', 40, 300);
        INDArray c = MaskEngine.forward(spec, SEED, type, x, x.ulike());
        INDArray xf = x.dup('f');
        assertBitwiseEqual(c, MaskEngine.forward(spec, SEED, type, xf, xf.ulike()), "f-order into f-order");
        assertBitwiseEqual(c, MaskEngine.forward(spec, SEED, type, xf, x.ulike()), "f-order into c-order");
        INDArray wide = Passes.randomNonZero(type, 17, 'c', 40, 400);
        INDArray slice = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(50, 350));
        slice.assign(x);
        MaskEngine.forward(spec, SEED, type, slice, slice);
        assertBitwiseEqual(c, slice, "in place in a column slice");
    }

    /** Noise shared along axes is one Java value per remaining index: the temporary of the mask shape. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void sharedNoiseIsTheJavaNoiseOfTheMaskShape(DataType type) {
        MaskSpec spec = MaskSpec.noise(NOISE_SIGMA, new int[] {2, 3});
        INDArray x = Passes.randomNonZero(type, 18, 'c', 3, 4, 5, 6);
        INDArray y = MaskEngine.forward(spec, SEED, type, x, x.ulike());
        INDArray noise = Nd4j.createUninitialized(type, 3, 4, 1, 1);
        assertTrue(HostMasks.fill(spec, SEED, noise));
        INDArray flat = MaskEngine.forward(noiseSpec(NOISE_SIGMA), SEED, type, Nd4j.zeros(type, 12),
                Nd4j.createUninitialized(type, 12));
        assertBitwiseEqual(flat.reshape(3, 4, 1, 1), noise, "noise of the mask shape vs unshared noise of 12");
        assertBitwiseEqual(x.add(noise.broadcast(3, 4, 5, 6)), y, "y = x + noise broadcast");
    }

    /** HALF noise still comes from ND4J's Gaussian op, drawn in FLOAT and converted. */
    @Test
    void halfNoiseStillComesFromNd4jsRandomOps() {
        INDArray zeros = Nd4j.zeros(DataType.HALF, 1000);
        INDArray noise = MaskEngine.forward(noiseSpec(NOISE_SIGMA), SEED, DataType.HALF, zeros, zeros.ulike());
        INDArray drawn = Nd4j.createUninitialized(DataType.FLOAT, 1000);
        nd4jDraw(new GaussianDistribution(drawn, 0.0, NOISE_SIGMA), SEED);
        assertBitwiseEqual(zeros.add(drawn.castTo(DataType.HALF)), noise, "HALF noise vs ND4J's FLOAT draw");
    }

    private static void nd4jDraw(org.nd4j.linalg.api.ops.random.BaseRandomOp op, long seed) {
        Random rng = Nd4j.getRandom();
        long root = rng.rootState();
        long node = rng.nodeState();
        rng.setStates(seed, seed ^ 0xdeadbeefL);
        Nd4j.getExecutioner().exec(op, rng);
        rng.setStates(root, node);
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

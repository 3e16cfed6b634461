package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Calibration error, reliability bins, AUROC and accuracy by spread, against values worked out by hand. */
class MetricsTest {

    @Test
    void eceIsZeroWhenEveryBinsAccuracyEqualsItsConfidence() {
        // bin [0.5, 0.6): confidence 0.5, one of two right; bin [0.9, 1]: confidence 1.0, both right
        assertEquals(0.0, Metrics.expectedCalibrationError(new double[] {0.5, 0.5, 1.0, 1.0},
                new boolean[] {true, false, true, true}), 1e-12);
    }

    @Test
    void eceWeighsEachBinsGapByItsShare() {
        // bin [0.9, 1]: 3 examples, mean confidence 0.9, accuracy 1/3, gap 0.5667, weight 3/4;
        // bin [0.6, 0.7): 1 example, confidence 0.6, accuracy 1, gap 0.4, weight 1/4
        double ece = Metrics.expectedCalibrationError(new double[] {0.9, 0.9, 0.9, 0.6},
                new boolean[] {true, false, false, true});
        assertEquals(0.75 * (0.9 - 1.0 / 3) + 0.25 * 0.4, ece, 1e-12);
    }

    @Test
    void reliabilityBinsAreTenEqualWidthBinsWithOneAtTheTop() {
        assertEquals(0, Metrics.bin(0.0));
        assertEquals(1, Metrics.bin(0.1));
        assertEquals(9, Metrics.bin(0.95));
        assertEquals(9, Metrics.bin(1.0));
        Metrics.Reliability r = Metrics.reliability(new double[] {0.15, 0.19, 0.99}, new boolean[] {true, false, true});
        assertEquals(2, r.count[1]);
        assertEquals(0.17, r.meanConfidence[1], 1e-12);
        assertEquals(0.5, r.accuracy[1], 1e-12);
        assertTrue(Double.isNaN(r.accuracy[5]), "an empty bin has no accuracy");
        assertThrows(IllegalArgumentException.class, () -> Metrics.bin(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Metrics.bin(1.01));
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.reliability(new double[] {0.5}, new boolean[] {true, false}));
    }

    @Test
    void aurocIsTheChanceAPositiveOutscoresANegativeWithTiesHalf() {
        assertEquals(1.0, Metrics.auroc(new double[] {3, 4}, new double[] {1, 2}), 1e-12);
        assertEquals(0.0, Metrics.auroc(new double[] {1, 2}, new double[] {3, 4}), 1e-12);
        assertEquals(0.5, Metrics.auroc(new double[] {2, 2}, new double[] {2, 2, 2}), 1e-12);
        // pairs (positive, negative): (1,0) win, (1,2) loss, (3,0) win, (3,2) win -> 3 of 4
        assertEquals(0.75, Metrics.auroc(new double[] {1, 3}, new double[] {0, 2}), 1e-12);
        // a tie with one of two negatives: 1.5 of 2
        assertEquals(0.75, Metrics.auroc(new double[] {2}, new double[] {2, 1}), 1e-12);
        assertTrue(Double.isNaN(Metrics.auroc(new double[0], new double[] {1})));
    }

    @Test
    void accuracyBySpreadPoolsTheSetsAndCutsEqualBinsBySpread() {
        // spreads 0.1 .. 0.6, right where the spread is small
        Predictions a = new Predictions(new double[] {0.9, 0.9, 0.9}, new boolean[] {true, true, false},
                new double[] {0.1, 0.2, 0.5});
        Predictions b = new Predictions(new double[] {0.9, 0.9, 0.9}, new boolean[] {true, false, false},
                new double[] {0.3, 0.4, 0.6});
        double[][] bins = Metrics.accuracyBySpread(List.of(a, b), 3);
        assertArrayEquals(new double[] {0.15, 0.35, 0.55}, bins[0], 1e-12);
        assertArrayEquals(new double[] {1.0, 0.5, 0.0}, bins[1], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracyBySpread(List.of(a), 4));
    }

    @Test
    void predictionsTakeTheTopClassAndCompareItWithTheLabel() {
        Predictions p = Predictions.of(Nd4j.createFromArray(new double[][] {{0.2, 0.8}, {0.6, 0.4}}),
                Nd4j.createFromArray(new float[][] {{0, 1}, {0, 1}}), new double[] {0.01, 0.3});
        assertArrayEquals(new double[] {0.8, 0.6}, p.confidence, 1e-12);
        assertArrayEquals(new boolean[] {true, false}, p.correct);
        assertEquals(0.5, p.accuracy(), 1e-12);
        assertArrayEquals(new double[] {0.3}, p.spreadWhere(false));
    }
}

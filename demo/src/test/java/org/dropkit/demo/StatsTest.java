package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Means, sample standard deviations and the paired comparisons the findings print. */
class StatsTest {

    @Test
    void sampleStandardDeviationDividesByNMinusOne() {
        assertEquals(2.5, Stats.mean(new double[] {1, 2, 3, 4}), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), Stats.sd(new double[] {1, 2, 3, 4}), 1e-12);
        assertEquals(0.0, Stats.sd(new double[] {7}), 0.0);
    }

    @Test
    void meanSdPrintsScaledValuesAndASignForDifferences() {
        assertEquals("94.0 ± 1.4", Stats.meanSd(new double[] {0.93, 0.95}, 100, 1));
        assertEquals("0.250", Stats.meanSd(new double[] {0.25}, 1, 3));
        assertEquals("+1.0 ± 0.0", Stats.signedMeanSd(new double[] {0.01, 0.01}, 100, 1));
        assertEquals("-2.0 ± 1.4", Stats.signedMeanSd(new double[] {-0.01, -0.03}, 100, 1));
    }

    @Test
    void aDifferenceIsClearOnlyBeyondTwoStandardErrors() {
        // mean 0.02, sd 0.01, se 0.005: 4 se from 0
        String clear = Report.compare(new double[] {0.01, 0.02, 0.03, 0.02, 0.02}, "points");
        assertTrue(clear.startsWith("+2.0 ± 0.7 points, ahead in 5 of 5 seeds"), clear);
        assertTrue(clear.contains("more than 2 standard errors"), clear);
        String noise = Report.compare(new double[] {0.02, -0.02, 0.01, -0.01}, "points");
        assertTrue(noise.contains("ahead in 2 of 4 seeds") && noise.contains("not a clear difference"), noise);
        assertTrue(Report.significance(new double[] {0.5}).contains("one seed"));
    }
}

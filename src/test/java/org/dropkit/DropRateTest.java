package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.dropkit.conf.MaskDropoutLayer;
import org.dropkit.internal.Checks;
import org.dropkit.migrate.OneMinusSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A drop rate becomes the retain probability a person would write: 1 - 0.8 is 0.2, not the 0.19999999999999996 of
 * binary floating point, in the value itself, in {@code toString} and in the JSON.
 */
class DropRateTest {

    @Test
    void complementOfEveryThreeDigitRateIsTheDecimalOneMinusIt() {
        int floatNoiseAvoided = 0;
        for (int k = 0; k < 1000; k++) {
            double rate = k / 1000.0;               // the double a person gets by typing 0.k
            double expected = (1000 - k) / 1000.0;  // the double nearest the decimal 1 - rate

            assertEquals(expected, Checks.complement(rate), 0.0, "1 - " + rate);
            assertEquals(expected, Checks.dropRateToRetain(rate, "test"), 0.0, "1 - " + rate);
            floatNoiseAvoided += 1.0 - rate != expected ? 1 : 0;
        }
        assertTrue(floatNoiseAvoided > 100, "1.0 - rate differs from the decimal result for " + floatNoiseAvoided
                + " of 1000 rates: the comparison above can fail");
    }

    @Test
    void complementOfNonFiniteValuesIsPlainSubtraction() {
        assertTrue(Double.isNaN(Checks.complement(Double.NaN)));
        assertEquals(Double.NEGATIVE_INFINITY, Checks.complement(Double.POSITIVE_INFINITY));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.8, 0.7, 0.9, 0.35, 0.01})
    void ofDropRatePrintsAndSavesTheRetainProbabilityAPersonWrites(double rate) {
        String p = BigDecimal.ONE.subtract(new BigDecimal(Double.toString(rate))).toPlainString();
        MaskDropout bernoulli = MaskDropout.ofDropRate(rate);
        MaskDropout gaussian = MaskDropout.gaussianOfDropRate(rate);

        assertEquals(Double.parseDouble(p), bernoulli.getP(), 0.0);
        assertEquals("MaskDropout(BERNOULLI, p=" + p + ", RECOMPUTE)", bernoulli.toString());
        assertEquals("MaskDropout(GAUSSIAN, p=" + p + ", RECOMPUTE)", gaussian.toString());

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nOut(3).dropOut(bernoulli).build())
                .layer(new MaskDropoutLayer.Builder(gaussian).build())
                .layer(new OutputLayer.Builder().nOut(2).build())
                .setInputType(InputType.feedForward(4)).build();
        String json = conf.toJson();
        assertTrue(json.contains("\"p\" : " + p + ","), json);
        assertFalse(json.contains("9999"), json);
        assertEquals(conf, MultiLayerConfiguration.fromJson(json));
    }

    @Test
    void oneMinusScheduleGivesDecimalComplements() {
        OneMinusSchedule p = new OneMinusSchedule(new MapSchedule.Builder(ScheduleType.EPOCH).add(0, 0.8)
                .add(1, 0.7).add(2, 0.1).build());

        assertEquals(0.2, p.valueAt(0, 0), 0.0);
        assertEquals(0.3, p.valueAt(0, 1), 0.0);
        assertEquals(0.9, p.valueAt(0, 2), 0.0);
    }
}

package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.dropkit.conf.MaskDropoutLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A retain probability below 0.5 is most often a drop rate passed as p: the factory a person calls says so once, at
 * INFO; nothing else logs it. The test logger (slf4j-simple, test resources) shows org.dropkit.MaskDropout at INFO
 * on System.err, which the test captures.
 */
class DropRateHintTest {

    /** ND4J logs its backend at INFO on first use: load it before anything is captured. */
    @BeforeAll
    static void loadNd4j() {
        Nd4j.create(1);
    }

    private static String logged(Runnable action) {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void retainProbabilityBelowHalfNamesTheDropRateFactoryOnce() {
        String log = logged(() -> MaskDropout.bernoulli(0.2));
        assertTrue(log.contains("INFO") && log.contains("MaskDropout.bernoulli(0.2)") && log.contains("drops 80.0%")
                && log.contains("retain probability") && log.contains("MaskDropout.ofDropRate(0.2)"), log);
        assertEquals(1, log.lines().count(), log);
        String gaussian = logged(() -> MaskDropout.gaussian(0.3));
        assertTrue(gaussian.contains("MaskDropout.gaussianOfDropRate(0.3)"), gaussian);
    }

    @Test
    void nothingIsLoggedForOrdinaryRetainProbabilitiesDropRatesCopiesOrJson() {
        MaskDropout low = MaskDropout.bernoulli(0.3);
        String log = logged(() -> {
            MaskDropout.bernoulli(0.5);
            MaskDropout.gaussian(0.8);
            MaskDropout.ofDropRate(0.8);
            MaskDropout.gaussianOfDropRate(0.9);
            low.clone();
            low.storage(MaskStorage.STORED).sharedAxes(1);
            NeuralNetConfiguration.fromJson(new NeuralNetConfiguration.Builder()
                    .layer(new MaskDropoutLayer.Builder(low).build()).build().toJson());
        });
        assertEquals("", log);
    }
}

package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import org.dropkit.demo.Options.OptionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line: defaults, both value forms, and one-line errors that name the option, value and range. */
class OptionsTest {

    private static void assertMessageHas(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\\n"), "one line");
    }

    @Test
    void defaultsAreTheFullRun() {
        Options o = Options.parse();
        assertEquals(Options.DEFAULT_EPOCHS, o.epochs);
        assertEquals(Options.DEFAULT_SEED, o.seed);
        assertEquals(Options.DEFAULT_P, o.p);
        assertFalse(o.quick);
        assertFalse(o.help);
    }

    @Test
    void quickLowersTheEpochsUnlessTheyAreGiven() {
        assertEquals(Options.QUICK_EPOCHS, Options.parse("--quick").epochs);
        assertEquals(5, Options.parse("--quick", "--epochs", "5").epochs);
        assertEquals(5, Options.parse("--epochs=5", "--quick").epochs);
    }

    @Test
    void seedsDefaultToTheFullOrQuickRunAndAreChecked() {
        assertEquals(Settings.FULL.seeds, Options.parse().seeds);
        assertEquals(Settings.QUICK.seeds, Options.parse("--quick").seeds);
        assertEquals(3, Options.parse("--quick", "--seeds", "3").seeds);
        assertEquals(1, Options.parse("--seeds=1").seeds);
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--seeds", "0")), "--seeds 0",
                "[1, 100]");
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--seeds", "two")),
                "--seeds 'two' is not an integer");
    }

    @Test
    void valuesComeAsTheNextArgumentOrAfterEquals() {
        Options o = Options.parse("--seed", "-3", "--p=0.8", "--out", "my results", "--epochs=7");
        assertEquals(-3, o.seed);
        assertEquals(0.8, o.p);
        assertEquals(Paths.get("my results"), o.out);
        assertEquals(7, o.epochs);
        assertTrue(Options.parse("--help").help);
        assertTrue(Options.parse("-h").help);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.5", "1.5", "NaN", "Infinity"})
    void rejectsRetainProbabilityOutsideZeroToOneAndExplainsDropRate(String p) {
        OptionException e = assertThrows(OptionException.class, () -> Options.parse("--p", p));
        assertMessageHas(e, "--p " + p, "(0, 1]", "KEEPING", "drop rate of 0.2 is --p 0.8");
    }

    @Test
    void rejectsANonNumericRetainProbability() {
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--p", "half")), "--p 'half'",
                "not a number", "(0, 1]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "10001", "99999999999"})
    void rejectsEpochsOutOfRange(String epochs) {
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--epochs", epochs)),
                "--epochs " + epochs, "[1, 10000]");
    }

    @Test
    void rejectsNonIntegersMissingValuesAndUnknownOptions() {
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--epochs", "1.5")),
                "--epochs '1.5' is not an integer", "[1, 10000]");
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--seed", "x")),
                "--seed 'x' is not an integer");
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--seed")), "--seed needs a value");
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--out", "")), "--out ''");
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--quick=yes")),
                "--quick takes no value");
        assertMessageHas(assertThrows(OptionException.class, () -> Options.parse("--epoch", "3")),
                "unknown option '--epoch'", "--epochs N", "--seeds N");
    }
}

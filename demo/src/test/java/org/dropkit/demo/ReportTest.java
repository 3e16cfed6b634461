package org.dropkit.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables, findings and charts, from made-up runs whose numbers are known: what the README shows is computed from
 * the runs, paired by seed.
 */
class ReportTest {

    private static Variant variant(String name) {
        return new Variant(name, name.equals(Variant.NONE) ? "-" : "x", false, seed -> null);
    }

    /** Two epochs; the last epoch's held-out accuracy is {@code heldOut}, train accuracy 1. */
    private static RunResult run(String experiment, Variant v, long seed, double heldOut, double loss) {
        Predictions p = new Predictions(new double[] {0.9, 0.8, 0.7, 0.6}, new boolean[] {true, true, false, true},
                null);
        return new RunResult(experiment, v, seed, new int[] {1, 2}, new double[] {0.5, 1.0}, new double[] {0.4, heldOut},
                new double[] {1.0, 0.01}, new double[] {1.2, loss}, p, 12.0, 0);
    }

    private static List<RunResult> lstmRuns() {
        Variant none = variant(Variant.NONE);
        Variant perStep = variant(Report.PER_STEP);
        Variant locked = variant(Report.TIME_LOCKED);
        List<RunResult> runs = new ArrayList<>();
        double[] base = {0.90, 0.92, 0.91};
        for (int k = 0; k < 3; k++) {
            runs.add(run("LSTM", none, 42 + k, base[k], 0.5));
            runs.add(run("LSTM", perStep, 42 + k, base[k] + 0.01, 0.4));
            runs.add(run("LSTM", locked, 42 + k, base[k] + 0.03 + 0.001 * k, 0.3));
        }
        return runs;
    }

    @Test
    void differencesArePairedBySeedAgainstTheVariantWithoutDropout() {
        List<Summary> summaries = Summary.of(lstmRuns());
        assertEquals(3, summaries.size());
        Summary locked = Report.find(summaries, "LSTM", Report.TIME_LOCKED);
        double[] d = locked.pairedDifference(RunResult::finalHeldOutAccuracy);
        assertEquals(0.030, d[0], 1e-12);
        assertEquals(0.032, d[2], 1e-12);
        assertEquals(3, locked.heldOutWins());
        String row = String.join(" | ", Report.regularization(summaries).rows().get(2));
        assertTrue(row.contains("+3.1 ± 0.1 (3/3)"), row);
        assertTrue(row.contains("94.1 ± 1.1"), row);
    }

    @Test
    void findingsSayTimeLockedMinusPerStepAndWhetherItIsClear() {
        List<String> findings = Report.findings(Summary.of(lstmRuns()));
        String lstm = findings.stream().filter(l -> l.startsWith("LSTM, time-locked minus per-step")).findFirst()
                .orElseThrow();
        assertTrue(lstm.contains("held-out accuracy +2.1 ± 0.1 points, ahead in 3 of 3 seeds (more than 2"), lstm);
        assertTrue(lstm.contains("held-out loss -0.100 ± 0.000, lower in 3 of 3 seeds"), lstm);
    }

    @Test
    void storedAndRecomputeAreReportedTheSameOnlyWhenTheirLossesAreBitForBitEqual() {
        List<RunResult> runs = new ArrayList<>();
        runs.add(run("MLP", variant(Variant.NONE), 1, 0.9, 0.3));
        runs.add(run("MLP", variant(Report.RECOMPUTE), 1, 0.9, 0.3));
        runs.add(run("MLP", variant(Report.STORED), 1, 0.9, 0.3));
        assertTrue(String.join("\n", Report.findings(Summary.of(runs))).contains("bit for bit"));
        runs.set(2, run("MLP", variant(Report.STORED), 1, 0.9, 0.3000001));
        assertTrue(String.join("\n", Report.findings(Summary.of(runs))).contains("DIFFERENT"));
    }

    @Test
    void chartsAreWrittenAsPngs(@TempDir Path dir) throws Exception {
        List<Summary> summaries = Summary.of(lstmRuns());
        Path curves = Charts.learningCurves(summaries, dir.resolve("curves.png"));
        Path heldOut = Charts.heldOut(List.of(summaries), dir.resolve("held-out.png"));
        List<Predictions> perSeed = new ArrayList<>();
        for (RunResult r : summaries.get(0).runs) {
            perSeed.add(r.heldOut);
        }
        Path calibration = Charts.calibration(List.of(new Charts.Reliable("test", perSeed)),
                dir.resolve("calibration.png"));
        for (Path png : List.of(curves, heldOut, calibration)) {
            assertTrue(Files.size(png) > 1000, png + " has a picture");
            assertTrue(ImageIO.read(png.toFile()).getWidth() > 400, png + " is a readable PNG");
        }
    }
}

package org.dropkit.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG charts of the demo, drawn with XChart from the runs of every seed. */
final class Charts {

    private static final Color TRAIN = new Color(0x1f, 0x77, 0xb4);
    private static final Color HELD_OUT = new Color(0xd6, 0x27, 0x28);
    private static final Color[] PALETTE = {
        new Color(0x55, 0x55, 0x55), new Color(0x1f, 0x77, 0xb4), new Color(0xd6, 0x27, 0x28),
        new Color(0x2c, 0xa0, 0x2c), new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd)};
    private static final int PANEL_WIDTH = 460;
    private static final int PANEL_HEIGHT = 320;

    private Charts() {
    }

    /**
     * One panel per variant of an experiment: train and held-out accuracy per epoch, the mean over seeds in bold and
     * each seed's held-out curve thin. Returns the file written.
     */
    static Path learningCurves(List<Summary> variants, Path file) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (Summary s : variants) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title(String.format(Locale.ROOT, "%s: %s (gap %s points)", s.experiment, s.variant.name,
                            Stats.meanSd(s.values(RunResult::gap), 100, 1)))
                    .xAxisTitle("epoch").yAxisTitle("accuracy").build();
            style(chart.getStyler());
            XYStyler styler = chart.getStyler();
            styler.setYAxisMin(0.5);
            styler.setYAxisMax(1.0);
            styler.setYAxisDecimalPattern("0.00");
            styler.setLegendPosition(Styler.LegendPosition.InsideSE);
            double[] epochs = epochAxis(s.runs.get(0).epochs);
            for (RunResult r : s.runs) {
                XYSeries seed = chart.addSeries("held-out, seed " + r.seed, epochs, r.heldOutAccuracy);
                line(seed, light(HELD_OUT), 1f);
                seed.setShowInLegend(false);
            }
            line(chart.addSeries("train (mean of " + s.seeds() + " seeds)", epochs, meanCurve(s, true)), TRAIN, 2.5f);
            line(chart.addSeries("held-out (mean)", epochs, meanCurve(s, false)), HELD_OUT, 2.5f);
            panels.add(chart);
        }
        return saveGrid(panels, Math.min(panels.size(), 3), file);
    }

    /**
     * One row per experiment: held-out loss per epoch, one line per variant (mean over seeds), and the final held-out
     * accuracy of every seed with the mean and standard deviation per variant. Returns the file written.
     */
    static Path heldOut(List<List<Summary>> experiments, Path file) throws IOException {
        List<Chart<?, ?>> panels = new ArrayList<>();
        for (List<Summary> variants : experiments) {
            String experiment = variants.get(0).experiment;
            XYChart loss = new XYChartBuilder().width(PANEL_WIDTH + 40).height(PANEL_HEIGHT + 40)
                    .title(experiment + ": held-out loss (mean of " + variants.get(0).seeds() + " seeds)")
                    .xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
            style(loss.getStyler());
            loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            loss.getStyler().setYAxisDecimalPattern("0.00");
            double lowest = Double.MAX_VALUE;
            double highest = 0;
            for (int v = 0; v < variants.size(); v++) {
                Summary s = variants.get(v);
                double[] curve = meanLossCurve(s);
                // the axis spans the curves after their first quarter: the first epochs' losses would flatten the
                // part that matters
                for (int i = curve.length / 4; i < curve.length; i++) {
                    lowest = Math.min(lowest, curve[i]);
                    highest = Math.max(highest, curve[i]);
                }
                line(loss.addSeries(s.variant.name, epochAxis(s.runs.get(0).epochs), curve),
                        PALETTE[v % PALETTE.length], 2f);
            }
            double margin = 0.1 * (highest - lowest) + 0.01;
            loss.getStyler().setYAxisMin(Math.max(0, lowest - margin));
            loss.getStyler().setYAxisMax(highest + margin);
            panels.add(loss);
            panels.add(accuracyDots(variants));
        }
        return saveGrid(panels, 2, file);
    }

    private static CategoryChart accuracyDots(List<Summary> variants) {
        String experiment = variants.get(0).experiment;
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH + 100).height(PANEL_HEIGHT + 40)
                .title(experiment + ": final held-out accuracy, each seed and mean ± sd").yAxisTitle("accuracy")
                .build();
        style(chart.getStyler());
        CategoryStyler styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        styler.setOverlapped(true);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setYAxisDecimalPattern("0.000");
        styler.setXAxisLabelRotation(20);
        styler.setErrorBarsColorSeriesColor(true);
        List<String> names = new ArrayList<>();
        for (Summary s : variants) {
            names.add(s.variant.name);
        }
        int seeds = variants.get(0).seeds();
        for (int k = 0; k < seeds; k++) {
            List<Double> acc = new ArrayList<>();
            for (Summary s : variants) {
                acc.add(s.runs.get(k).finalHeldOutAccuracy());
            }
            CategorySeries series = chart.addSeries("seed " + variants.get(0).runs.get(k).seed, names, acc);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(light(PALETTE[1 + k % (PALETTE.length - 1)]));
        }
        List<Double> mean = new ArrayList<>();
        List<Double> sd = new ArrayList<>();
        for (Summary s : variants) {
            double[] values = s.values(RunResult::finalHeldOutAccuracy);
            mean.add(Stats.mean(values));
            sd.add(Stats.sd(values));
        }
        CategorySeries m = chart.addSeries("mean ± sd", names, mean, sd);
        m.setMarker(SeriesMarkers.DIAMOND);
        m.setMarkerColor(Color.BLACK);
        m.setLineColor(Color.BLACK);
        return chart;
    }

    /**
     * Monte Carlo dropout, one row per sampled variant, pooled over seeds: histograms of the spread on held-out digits
     * the network gets right, gets wrong, and on the two out-of-distribution sets; and accuracy against spread, the
     * examples of all three sets in ten bins of equal size by spread, with each set's mean as a marker. Returns the
     * file written.
     */
    static Path monteCarlo(List<Summary> sampled, Path file) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (Summary s : sampled) {
            List<double[]> right = new ArrayList<>();
            List<double[]> wrong = new ArrayList<>();
            List<double[]> rotated = new ArrayList<>();
            List<double[]> inverted = new ArrayList<>();
            for (RunResult r : s.runs) {
                right.add(r.monteCarlo.heldOut.spreadWhere(true));
                wrong.add(r.monteCarlo.heldOut.spreadWhere(false));
                rotated.add(r.monteCarlo.rotated.spread);
                inverted.add(r.monteCarlo.inverted.spread);
            }
            double[][] sets = {concat(right), concat(wrong), concat(rotated), concat(inverted)};
            String[] names = {"held-out, right", "held-out, wrong", "rotated 90°", "inverted"};
            double max = 0;
            for (double[] set : sets) {
                for (double v : set) {
                    max = Math.max(max, v);
                }
            }
            max = max <= 0 ? 1e-6 : max * 1.02;
            int samples = s.runs.get(0).monteCarlo.samples;
            XYChart hist = new XYChartBuilder().width(PANEL_WIDTH + 60).height(PANEL_HEIGHT + 20)
                    .title(s.experiment + " " + s.variant.name + ": MC spread (" + s.seeds() + " seeds pooled)")
                    .xAxisTitle("spread: std of class probabilities over " + samples + " passes")
                    .yAxisTitle("fraction of the set").build();
            style(hist.getStyler());
            hist.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            hist.getStyler().setXAxisDecimalPattern("0.00");
            hist.getStyler().setYAxisDecimalPattern("0.00");
            hist.getStyler().setXAxisMin(0.0);
            hist.getStyler().setYAxisMin(0.0);
            Color[] colors = {PALETTE[3], PALETTE[2], PALETTE[4], PALETTE[5]};
            for (int i = 0; i < sets.length; i++) {
                if (sets[i].length > 0) {
                    histogram(hist, String.format(Locale.ROOT, "%s (mean %.3f)", names[i], Stats.mean(sets[i])),
                            sets[i], max, colors[i]);
                }
            }
            panels.add(hist);
            panels.add(accuracyBySpread(s));
        }
        return saveGrid(panels, 2, file);
    }

    private static XYChart accuracyBySpread(Summary s) {
        List<Predictions> sets = new ArrayList<>();
        List<Predictions> heldOut = new ArrayList<>();
        List<Predictions> rotated = new ArrayList<>();
        List<Predictions> inverted = new ArrayList<>();
        for (RunResult r : s.runs) {
            heldOut.add(r.monteCarlo.heldOut);
            rotated.add(r.monteCarlo.rotated);
            inverted.add(r.monteCarlo.inverted);
        }
        sets.addAll(heldOut);
        sets.addAll(rotated);
        sets.addAll(inverted);
        double[][] bins = Metrics.accuracyBySpread(sets, 10);
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH + 60).height(PANEL_HEIGHT + 20)
                .title(s.experiment + " " + s.variant.name + ": accuracy falls as the spread rises")
                .xAxisTitle("MC spread (10 bins of equal size, all three sets)").yAxisTitle("accuracy").build();
        style(chart.getStyler());
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setXAxisDecimalPattern("0.00");
        styler.setYAxisDecimalPattern("0.0");
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(1.0);
        XYSeries curve = chart.addSeries("accuracy per bin", bins[0], bins[1]);
        curve.setLineColor(Color.BLACK);
        curve.setMarker(SeriesMarkers.CIRCLE);
        curve.setMarkerColor(Color.BLACK);
        String[] names = {"held-out", "rotated 90°", "inverted"};
        List<List<Predictions>> groups = List.of(heldOut, rotated, inverted);
        Color[] colors = {PALETTE[3], PALETTE[4], PALETTE[5]};
        for (int g = 0; g < groups.size(); g++) {
            double spread = 0;
            double accuracy = 0;
            for (Predictions p : groups.get(g)) {
                spread += Stats.mean(p.spread);
                accuracy += p.accuracy();
            }
            int n = groups.get(g).size();
            XYSeries point = chart.addSeries(String.format(Locale.ROOT, "%s: acc %.2f, spread %.3f", names[g],
                    accuracy / n, spread / n), new double[] {spread / n}, new double[] {accuracy / n});
            point.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            point.setMarker(SeriesMarkers.DIAMOND);
            point.setMarkerColor(colors[g]);
        }
        return chart;
    }

    /**
     * Reliability diagrams: accuracy against confidence in ten equal-width bins, pooled over seeds, with the expected
     * calibration error (mean ± sd over seeds) in each title. Returns the file written.
     */
    static Path calibration(List<Reliable> diagrams, Path file) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (Reliable d : diagrams) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT + 20)
                    .title(String.format(Locale.ROOT, "%s: ECE %s", d.title, Stats.meanSd(d.ece, 1, 3)))
                    .xAxisTitle("confidence (top class probability)").yAxisTitle("accuracy").build();
            style(chart.getStyler());
            XYStyler styler = chart.getStyler();
            styler.setLegendPosition(Styler.LegendPosition.InsideSE);
            styler.setXAxisMin(0.0);
            styler.setXAxisMax(1.0);
            styler.setYAxisMin(0.0);
            styler.setYAxisMax(1.0);
            styler.setXAxisDecimalPattern("0.0");
            styler.setYAxisDecimalPattern("0.0");
            XYSeries ideal = chart.addSeries("perfectly calibrated", new double[] {0, 1}, new double[] {0, 1});
            ideal.setMarker(SeriesMarkers.NONE);
            ideal.setLineColor(Color.GRAY);
            ideal.setLineStyle(SeriesLines.DASH_DASH);
            Metrics.Reliability r = Metrics.reliability(d.confidence, d.correct);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int b = 0; b < Metrics.BINS; b++) {
                if (r.count[b] > 0) {
                    x.add(r.meanConfidence[b]);
                    y.add(r.accuracy[b]);
                }
            }
            XYSeries observed = chart.addSeries(String.format(Locale.ROOT, "observed (%d examples)",
                    d.confidence.length), x, y);
            observed.setLineColor(HELD_OUT);
            observed.setMarker(SeriesMarkers.CIRCLE);
            observed.setMarkerColor(HELD_OUT);
            panels.add(chart);
        }
        return saveGrid(panels, Math.min(panels.size(), 3), file);
    }

    /** One reliability diagram: the pooled predictions and the ECE of each seed. */
    static final class Reliable {
        final String title;
        final double[] confidence;
        final boolean[] correct;
        final double[] ece;

        Reliable(String title, List<Predictions> perSeed) {
            this.title = title;
            int n = 0;
            for (Predictions p : perSeed) {
                n += p.size();
            }
            confidence = new double[n];
            correct = new boolean[n];
            ece = new double[perSeed.size()];
            int k = 0;
            for (int s = 0; s < perSeed.size(); s++) {
                Predictions p = perSeed.get(s);
                System.arraycopy(p.confidence, 0, confidence, k, p.size());
                System.arraycopy(p.correct, 0, correct, k, p.size());
                k += p.size();
                ece[s] = Metrics.expectedCalibrationError(p.confidence, p.correct);
            }
        }
    }

    private static double[] meanCurve(Summary s, boolean train) {
        double[] mean = new double[s.runs.get(0).points()];
        for (RunResult r : s.runs) {
            double[] curve = train ? r.trainAccuracy : r.heldOutAccuracy;
            for (int e = 0; e < mean.length; e++) {
                mean[e] += curve[e] / s.seeds();
            }
        }
        return mean;
    }

    private static double[] meanLossCurve(Summary s) {
        double[] mean = new double[s.runs.get(0).points()];
        for (RunResult r : s.runs) {
            for (int e = 0; e < mean.length; e++) {
                mean[e] += r.heldOutLoss[e] / s.seeds();
            }
        }
        return mean;
    }

    private static double[] epochAxis(int[] epochs) {
        double[] x = new double[epochs.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs[i];
        }
        return x;
    }

    private static double[] concat(List<double[]> parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] out = new double[n];
        int k = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    /** Draws the charts into one PNG, row by row, {@code cols} to a row, on white. */
    private static Path saveGrid(List<? extends Chart<?, ?>> charts, int cols, Path file) throws IOException {
        int rows = (charts.size() + cols - 1) / cols;
        int[] colWidth = new int[cols];
        int[] rowHeight = new int[rows];
        for (int i = 0; i < charts.size(); i++) {
            colWidth[i % cols] = Math.max(colWidth[i % cols], charts.get(i).getWidth());
            rowHeight[i / cols] = Math.max(rowHeight[i / cols], charts.get(i).getHeight());
        }
        BufferedImage grid = new BufferedImage(Arrays.stream(colWidth).sum(), Arrays.stream(rowHeight).sum(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                int x = Arrays.stream(colWidth, 0, i % cols).sum();
                int y = Arrays.stream(rowHeight, 0, i / cols).sum();
                g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), x, y, null);
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(grid, "png", file.toFile());
        return file;
    }

    private static void histogram(XYChart chart, String name, double[] values, double max, Color color) {
        List<Double> data = new ArrayList<>(values.length);
        for (double v : values) {
            data.add(v);
        }
        int bins = 30;
        Histogram histogram = new Histogram(data, bins, 0.0, max);
        List<Double> fractions = new ArrayList<>(bins);
        for (double count : histogram.getyAxisData()) {
            fractions.add(count / values.length);
        }
        XYSeries series = chart.addSeries(name, histogram.getxAxisData(), fractions);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.StepArea);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color);
        series.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
    }

    private static void line(XYSeries series, Color color, float width) {
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color);
        series.setLineWidth(width);
    }

    private static Color light(Color c) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), 80);
    }

    private static void style(AxesChartStyler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xe0, 0xe0, 0xe0));
        styler.setPlotGridLinesStroke(new BasicStroke(1f));
        styler.setPlotBorderVisible(false);
        styler.setLegendBorderColor(new Color(0xc0, 0xc0, 0xc0));
        styler.setChartTitleBoxVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        styler.setAntiAlias(true);
    }
}

package org.dropkit.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG charts of the demo, drawn with XChart. */
final class Charts {

    private static final Color TRAIN = new Color(0x1f, 0x77, 0xb4);
    private static final Color HELD_OUT = new Color(0xd6, 0x27, 0x28);
    private static final Color IN_DISTRIBUTION = new Color(0x2c, 0xa0, 0x2c);
    private static final Color OUT_OF_DISTRIBUTION = new Color(0xff, 0x7f, 0x0e);
    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 300;

    private Charts() {
    }

    /** One panel per variant: train and held-out accuracy per epoch. Returns the file written. */
    static Path learningCurves(List<RunResult> runs, String title, Path file) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (RunResult run : runs) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title(String.format(Locale.ROOT, "%s: %s (gap %.0f points)", title, run.variant.name,
                            100 * run.gap()))
                    .xAxisTitle("epoch").yAxisTitle("accuracy").build();
            style(chart.getStyler());
            XYStyler styler = chart.getStyler();
            styler.setYAxisMin(0.0);
            styler.setYAxisMax(1.0);
            styler.setYAxisDecimalPattern("0.0");
            styler.setLegendPosition(Styler.LegendPosition.InsideSE);
            styler.setXAxisTickMarkSpacingHint(100);
            double[] epochs = new double[run.epochs()];
            for (int i = 0; i < epochs.length; i++) {
                epochs[i] = i + 1;
            }
            line(chart.addSeries("train", epochs, run.trainAccuracy), TRAIN);
            line(chart.addSeries("held-out", epochs, run.heldOutAccuracy), HELD_OUT);
            panels.add(chart);
        }
        return saveGrid(panels, Math.min(panels.size(), 3), file);
    }

    /** Final train and held-out accuracy of every run, side by side. Returns the file written. */
    static Path accuracySummary(List<RunResult> runs, Path file) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(2 * PANEL_WIDTH).height(PANEL_HEIGHT + 60)
                .title("Final accuracy: the gap between train and held-out is overfitting")
                .yAxisTitle("accuracy").build();
        style(chart.getStyler());
        CategoryStyler styler = chart.getStyler();
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(1.0);
        styler.setYAxisDecimalPattern("0.0");
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setXAxisLabelRotation(20);
        styler.setAvailableSpaceFill(0.8);
        List<String> names = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> heldOut = new ArrayList<>();
        for (RunResult run : runs) {
            names.add(run.experiment + ": " + run.variant.name);
            train.add(run.finalTrainAccuracy());
            heldOut.add(run.finalHeldOutAccuracy());
        }
        chart.addSeries("train", names, train).setFillColor(TRAIN);
        chart.addSeries("held-out", names, heldOut).setFillColor(HELD_OUT);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * One panel per network with Monte Carlo dropout: histograms of the per-example spread on held-out inputs and on
     * out-of-distribution inputs. Returns the file written.
     */
    static Path monteCarloSpread(List<RunResult> runs, String oodDescription, Path file) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (RunResult run : runs) {
            MonteCarloSummary mc = run.monteCarlo;
            double max = 0;
            for (double v : mc.inDistribution) {
                max = Math.max(max, v);
            }
            for (double v : mc.outOfDistribution) {
                max = Math.max(max, v);
            }
            max = max <= 0 ? 1e-6 : max * 1.02;
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH + 80).height(PANEL_HEIGHT)
                    .title(String.format(Locale.ROOT, "%s: mean spread %.3f held-out, %.3f OOD",
                            run.variant.name, mc.meanIn(), mc.meanOut()))
                    .xAxisTitle("spread: std of class probabilities over " + mc.samples + " passes")
                    .yAxisTitle("fraction of examples").build();
            style(chart.getStyler());
            XYStyler styler = chart.getStyler();
            styler.setLegendPosition(Styler.LegendPosition.InsideNE);
            styler.setXAxisDecimalPattern("0.00");
            styler.setYAxisDecimalPattern("0.00");
            styler.setXAxisMin(0.0);
            styler.setYAxisMin(0.0);
            histogram(chart, "held-out (in distribution)", mc.inDistribution, max, IN_DISTRIBUTION);
            histogram(chart, oodDescription, mc.outOfDistribution, max, OUT_OF_DISTRIBUTION);
            panels.add(chart);
        }
        return saveGrid(panels, panels.size(), file);
    }

    /** Draws the charts into one PNG, row by row, {@code cols} to a row, on white. */
    private static Path saveGrid(List<? extends Chart<?, ?>> charts, int cols, Path file) throws IOException {
        int rows = (charts.size() + cols - 1) / cols;
        int width = charts.get(0).getWidth();
        int height = charts.get(0).getHeight();
        BufferedImage grid = new BufferedImage(cols * width, rows * height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * width, (i / cols) * height,
                        null);
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
        series.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 90));
    }

    private static void line(XYSeries series, Color color) {
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color);
        series.setLineWidth(2f);
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

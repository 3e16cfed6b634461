package org.dropkit.benchmarks.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The PNG: grouped bars, Dropkit vs the built-in at each size, for the forward pass as DL4J calls it and for
 * forward+backward (2-D FLOAT, p = 0.8, in a workspace, the selected build, default threads). Bars are nanoseconds per element (median time / elements)
 * on a log axis, so all sizes share one axis; the copy floor is drawn as its own bar. Missing bars were not measured.
 */
final class Chart {

    private static final String[][] SERIES = {
        {"DL4J_DROPOUT", "DL4J Dropout"},
        {"DROPKIT_BERNOULLI_RECOMPUTE", "Dropkit Bernoulli RECOMP."},
        {"DROPKIT_BERNOULLI_STORED", "Dropkit Bernoulli STORED"},
        {"DL4J_GAUSSIAN", "DL4J Gaussian"},
        {"DROPKIT_GAUSSIAN_RECOMPUTE", "Dropkit Gaussian RECOMP."},
    };
    private static final Color[] COLORS = {
        new Color(0x9e9e9e), new Color(0x1f77b4), new Color(0x6baed6), new Color(0x616161), new Color(0xff7f0e),
        new Color(0x2ca02c)};

    private Chart() {
    }

    /** Writes the chart; returns false when the run has no 2-D FLOAT rows to draw. */
    static boolean write(Results results, String build, Path png) throws IOException {
        List<CategoryChart> charts = new ArrayList<>();
        for (String[] bench : new String[][] {
            {"DropoutForward.trainingForwardDl4jStyle", "Training forward (DL4J's call)"},
            {"DropoutForwardBackward.forwardThenBackward", "Forward + backward"}}) {
            CategoryChart c = chart(results, build, bench[0], bench[1]);
            if (c != null) {
                charts.add(c);
            }
        }
        if (charts.isEmpty()) {
            return false;
        }
        String file = png.toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), file, BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    private static CategoryChart chart(Results results, String build, String bench, String title) {
        TreeSet<Long> sizes = new TreeSet<>(Comparator.naturalOrder());
        for (Row r : results.rows) {
            if (isPlotted(r, bench, build) && r.param("impl").equals("DL4J_DROPOUT")) {
                sizes.add(r.elements());
            }
        }
        if (sizes.isEmpty()) {
            return null;
        }
        List<String> categories = new ArrayList<>();
        for (long n : sizes) {
            categories.add(Names.size(n) + " (" + n + ")");
        }
        CategoryChart chart = new CategoryChartBuilder().width(860).height(560)
                .title(title + ", 2-D FLOAT, p = 0.8, in a workspace [" + build + "]")
                .xAxisTitle("elements").yAxisTitle("ns per element, log scale (lower is better)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.getStyler().setLabelsRotation(90);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setDecimalPattern("#,##0.0#");
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        double lo = Double.MAX_VALUE;
        double hi = 0;
        int colour = 0;
        for (String[] s : SERIES) {
            List<Double> ys = new ArrayList<>();
            boolean any = false;
            for (long n : sizes) {
                Optional<Row> r = results.find(x -> isPlotted(x, bench, build) && x.elements() == n
                        && x.param("impl").equals(s[0]));
                ys.add(r.map(x -> x.median * 1000.0 / n).orElse(null));
                any |= r.isPresent();
            }
            if (any) {
                chart.addSeries(s[1], categories, ys).setFillColor(COLORS[colour]);
                for (Double y : ys) {
                    if (y != null) {
                        lo = Math.min(lo, y);
                        hi = Math.max(hi, y);
                    }
                }
            }
            colour++;
        }
        List<Double> copy = new ArrayList<>();
        boolean anyCopy = false;
        for (long n : sizes) {
            Optional<Row> r = results.find(x -> x.benchmark.equals("MemoryFloor.copy") && x.build.equals(build)
                    && x.elements() == n && x.rank() == 2 && x.matches("dtype", "FLOAT"));
            copy.add(r.map(x -> x.median * 1000.0 / n).orElse(null));
            anyCopy |= r.isPresent();
        }
        if (anyCopy) {
            chart.addSeries("copy floor", categories, copy).setFillColor(COLORS[5]);
            for (Double y : copy) {
                if (y != null) {
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            }
        }
        // Bars start at the axis minimum: a log axis needs one above zero.
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi * 1.5))));
        return chart;
    }

    private static boolean isPlotted(Row r, String bench, String build) {
        return r.benchmark.equals(bench) && r.build.equals(build) && r.rank() == 2
                && r.matches("dtype", "FLOAT", "p", "0.8", "workspace", "true") && Report.threads(r).equals("default");
    }
}

package org.dropkit.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.demo.Options.OptionException;
import org.dropkit.inference.MonteCarloDropout;
import org.dropkit.inference.MonteCarloPrediction;
import org.dropkit.util.NativeCpuBuild;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Dropkit demo: trains the same networks without dropout, with DL4J's dropout and with Dropkit's on generated
 * data that overfits, then prints and writes a results table and PNG charts.
 *
 * <ol>
 *   <li>Regularization: an MLP on a small, wide, noisily labelled task; the train/held-out accuracy gap shows how
 *       much each variant overfits.</li>
 *   <li>Monte Carlo dropout: the Dropkit MLPs sampled with {@link MonteCarloDropout}; their spread is larger on
 *       out-of-distribution inputs than on held-out ones.</li>
 *   <li>Shared axes: a small CNN with spatial dropout (one mask value per example and channel), Dropkit's against
 *       DL4J's {@code SpatialDropout}.</li>
 * </ol>
 */
public final class DropkitDemo {

    private static final Logger log = LoggerFactory.getLogger(DropkitDemo.class);

    private DropkitDemo() {
    }

    public static void main(String[] args) {
        String build = NativeCpuBuild.select();
        System.setProperty("java.awt.headless", "true");
        Options options;
        try {
            options = Options.parse(args);
        } catch (OptionException e) {
            System.err.println("dropkit demo: error: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(Options.USAGE);
            System.exit(0);
        }
        if (Files.exists(options.out) && !Files.isDirectory(options.out)) {
            System.err.println("dropkit demo: error: --out " + options.out + " is a file, not a folder: give a"
                    + " folder path (see --help)");
            System.exit(2);
        }
        try {
            Files.createDirectories(options.out);
        } catch (IOException | RuntimeException e) {
            System.err.println("dropkit demo: error: --out " + options.out + " cannot be created as a folder ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "): give a writable folder path"
                    + " (see --help)");
            System.exit(2);
        }
        int status;
        try {
            run(options, build);
            status = 0;
        } catch (Exception | OutOfMemoryError e) {
            log.error("the demo failed", e);
            status = 1;
        }
        System.exit(status);
    }

    private static void run(Options options, String build) throws IOException {
        long start = System.nanoTime();
        Settings settings = options.quick ? Settings.QUICK : Settings.FULL;
        log.info("Dropkit demo{}: seed {}, retain probability p = {}, {} epochs per run, output in {}",
                options.quick ? " (quick)" : "", options.seed, options.p, options.epochs,
                options.out.toAbsolutePath().normalize());
        log.info("ND4J: nd4j-native{} build, {} OpenMP thread(s); {} cores", build.isEmpty() ? " generic" : build,
                Nd4j.getEnvironment().maxThreads(), Runtime.getRuntime().availableProcessors());

        List<RunResult> runs = new ArrayList<>();
        TabularTask tabular = settings.tabular(options.seed);
        log.info("1. Regularization: MLP {}-{}-{}-{} on {} training examples ({} informative features, {}% of"
                + " training labels random), {} held-out", tabular.features, settings.hidden, settings.hidden,
                tabular.classes, tabular.train.numExamples(), tabular.informative,
                Math.round(100 * tabular.labelNoise), tabular.test.numExamples());
        Trainer trainer = new Trainer(options.epochs, settings.batchSize);
        List<RunResult> mlpRuns = new ArrayList<>();
        for (Variant variant : Models.mlp(tabular.features, settings.hidden, tabular.classes, options.p,
                settings.learningRate)) {
            MultiLayerNetwork net = variant.build(options.seed);
            RunResult result = trainer.train("MLP", variant, net, tabular.train, tabular.test, options.seed);
            if (variant.monteCarlo) {
                result.monteCarlo = monteCarlo(net, tabular, settings.monteCarloSamples, options.seed);
            }
            mlpRuns.add(result);
        }
        runs.addAll(mlpRuns);

        ImageTask images = settings.images(options.seed);
        log.info("3. Shared axes: CNN on {}x{} images, {} classes, {} training examples ({}% of labels random),"
                + " {} held-out", images.size, images.size, ImageTask.CLASSES, images.train.numExamples(),
                Math.round(100 * images.labelNoise), images.test.numExamples());
        List<RunResult> cnnRuns = new ArrayList<>();
        for (Variant variant : Models.cnn(images.size, settings.channels, ImageTask.CLASSES, options.p,
                settings.learningRate)) {
            MultiLayerNetwork net = variant.build(options.seed);
            cnnRuns.add(trainer.train("CNN", variant, net, images.train, images.test, options.seed));
        }
        runs.addAll(cnnRuns);

        List<RunResult> sampled = new ArrayList<>();
        for (RunResult run : runs) {
            if (run.monteCarlo != null) {
                sampled.add(run);
            }
        }
        String ood = String.format(Locale.ROOT, "out of distribution (inputs x%s)", fmt(tabular.oodScale));
        List<Path> charts = List.of(
                Charts.learningCurves(mlpRuns, "MLP", options.out.resolve("learning-curves-mlp.png")),
                Charts.learningCurves(cnnRuns, "CNN", options.out.resolve("learning-curves-cnn.png")),
                Charts.accuracySummary(runs, options.out.resolve("accuracy.png")),
                Charts.monteCarloSpread(sampled, ood, options.out.resolve("mc-dropout-spread.png")));
        Path table = options.out.resolve("results.md");
        double minutes = (System.nanoTime() - start) / 6e10;
        Files.write(table, Report.markdown(options, settings, tabular, runs, charts, build, minutes)
                .getBytes(StandardCharsets.UTF_8));

        System.out.println();
        System.out.print(ResultsTable.text(runs));
        System.out.println();
        System.out.println(Report.findings(runs));
        if (options.quick) {
            System.out.println(Report.QUICK_NOTE);
        }
        log.info("Wrote {} and {} charts to {} in {}", table.getFileName(), charts.size(),
                options.out.toAbsolutePath().normalize(), ProgressBar.clock(minutes * 60));
    }

    /** T stochastic passes of the network's MaskDropoutLayers on held-out and on out-of-distribution inputs. */
    private static MonteCarloSummary monteCarlo(MultiLayerNetwork net, TabularTask task, int samples, long seed) {
        Nd4j.getRandom().setSeed(seed);
        MonteCarloDropout mc = MonteCarloDropout.of(net).samples(samples);
        MonteCarloPrediction in = mc.predict(task.test.getFeatures());
        MonteCarloPrediction out = mc.predict(task.outOfDistribution);
        MonteCarloSummary summary = new MonteCarloSummary(samples, in.spreadPerExample().toDoubleVector(),
                out.spreadPerExample().toDoubleVector());
        log.info("2. Monte Carlo dropout on {} ({}, T = {}): mean spread {} held-out, {} out of distribution",
                mc.layerNames(), net.getLayer(mc.layerNames().get(0)).conf().getLayer().getIDropout(), samples,
                String.format(Locale.ROOT, "%.4f", summary.meanIn()),
                String.format(Locale.ROOT, "%.4f", summary.meanOut()));
        return summary;
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}

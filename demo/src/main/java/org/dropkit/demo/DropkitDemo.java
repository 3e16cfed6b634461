package org.dropkit.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dropkit.demo.Options.OptionException;
import org.dropkit.util.NativeCpuBuild;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Dropkit demo: trains an MLP, a CNN and an LSTM on a small subset of real handwritten digits without dropout,
 * with DL4J's dropout and with Dropkit's, over several seeds, then prints and writes the results tables and PNG
 * charts.
 *
 * <ol>
 *   <li>Regularization: 200 training images, so every network can fit them exactly; the train/held-out gap and the
 *       held-out loss show how much each variant overfits.</li>
 *   <li>Shared axes: the CNN with spatial dropout (one mask value per example and channel), Dropkit's against DL4J's
 *       {@code SpatialDropout}; the LSTM with per-step masks against time-locked masks (one per example and unit,
 *       held over the sequence).</li>
 *   <li>Monte Carlo dropout: the Dropkit MLPs sampled with {@code MonteCarloDropout} on held-out digits and on
 *       rotated and inverted ones: spread, its link to errors, and calibration.</li>
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
        Digits all = Digits.load();
        List<Experiment> experiments = Experiment.all(settings, options.p);
        DigitSplit first = DigitSplit.of(all, options.seed, settings.perClass, settings.maxHeldOut);
        RunInfo info = new RunInfo(options, settings, experiments, build, first.train.size(), first.heldOut.size());
        log.info("Dropkit demo{}: {}, retain probability p = {}, {} epochs per run, output in {}",
                options.quick ? " (quick)" : "", info.seedsText(), options.p, options.epochs,
                options.out.toAbsolutePath().normalize());
        log.info("ND4J: nd4j-native{} build, {} OpenMP thread(s); {} cores, load average {}",
                build.isEmpty() ? " generic" : build, info.threads, Runtime.getRuntime().availableProcessors(),
                String.format(Locale.ROOT, "%.1f", info.loadAtStart));
        log.info("Data: {} UCI handwritten digits (8x8, demo/data/DATA.md); per seed {} training images ({} of each"
                + " digit) and {} held-out", all.size(), first.train.size(), settings.perClass, first.heldOut.size());

        int workers = Math.max(1, Math.min(settings.workers, Runtime.getRuntime().availableProcessors()));
        Trainer trainer = new Trainer(options.epochs, Math.max(1, options.epochs / settings.curvePoints),
                workers == 1);
        List<Callable<RunResult>> tasks = new ArrayList<>();
        for (Experiment experiment : experiments) {
            // seeds outside, variants inside: each seed's variants run close together, so load that comes and goes
            // on a shared machine spreads over all of them alike
            for (int k = 0; k < options.seeds; k++) {
                long seed = options.seed + k;
                DigitSplit split = k == 0 ? first
                        : DigitSplit.of(all, seed, settings.perClass, settings.maxHeldOut);
                DataSet train = experiment.input.dataSet(split.train);
                DataSet heldOut = experiment.input.dataSet(split.heldOut);
                for (Variant variant : experiment.variants) {
                    tasks.add(() -> {
                        MultiLayerNetwork net = variant.build(seed);
                        RunResult result = trainer.train(experiment.name, variant, net, train, heldOut,
                                experiment.batchSize, seed);
                        if (variant.monteCarlo) {
                            result.monteCarlo = MonteCarloSummary.sample(net, experiment.input, split.heldOut,
                                    settings.monteCarloSamples, seed);
                        }
                        return result;
                    });
                }
            }
        }
        log.info("{} training runs ({} experiments x {} seed(s) x their variants), {} at a time", tasks.size(),
                experiments.size(), options.seeds, workers);
        List<RunResult> runs = runAll(tasks, workers);

        List<Summary> summaries = Summary.of(runs);
        List<List<Summary>> byExperiment = new ArrayList<>();
        List<Summary> sampled = new ArrayList<>();
        for (Experiment experiment : experiments) {
            List<Summary> of = new ArrayList<>();
            for (Summary s : summaries) {
                if (s.experiment.equals(experiment.name)) {
                    of.add(s);
                }
                if (s.experiment.equals(experiment.name) && s.runs.get(0).monteCarlo != null) {
                    sampled.add(s);
                }
            }
            byExperiment.add(of);
        }
        List<Path> charts = new ArrayList<>();
        for (List<Summary> of : byExperiment) {
            charts.add(Charts.learningCurves(of, options.out.resolve(
                    "learning-curves-" + of.get(0).experiment.toLowerCase(Locale.ROOT) + ".png")));
        }
        charts.add(Charts.heldOut(byExperiment, options.out.resolve("held-out.png")));
        if (!sampled.isEmpty()) {
            charts.add(Charts.monteCarlo(sampled, options.out.resolve("mc-dropout.png")));
            charts.add(Charts.calibration(calibrationDiagrams(summaries, sampled),
                    options.out.resolve("calibration.png")));
        }
        info.finish(start);
        Path results = options.out.resolve("results.md");
        Files.write(results, Report.results(info, summaries, sampled, charts).getBytes(StandardCharsets.UTF_8));
        Path summary = options.out.resolve("summary.md");
        Files.write(summary, Report.summary(info, summaries).getBytes(StandardCharsets.UTF_8));

        System.out.println();
        System.out.print(Report.regularization(summaries).text());
        System.out.println();
        System.out.print(Report.monteCarlo(sampled).text());
        System.out.println();
        for (String line : Report.findings(summaries)) {
            System.out.println("- " + line);
        }
        if (options.quick) {
            System.out.println(Report.QUICK_NOTE.replace("**", ""));
        }
        log.info("Wrote {}, {} and {} charts to {} in {} (load average {} at the end)", results.getFileName(),
                summary.getFileName(), charts.size(), options.out.toAbsolutePath().normalize(),
                ProgressBar.clock(info.minutes * 60), String.format(Locale.ROOT, "%.1f", info.loadAtEnd));
    }

    /**
     * Runs the tasks on {@code workers} threads and returns their results in task order. Each run builds, trains and
     * samples its own network on one thread, and every random number it draws comes from its seed (the network's
     * seed resets the thread's ND4J generator at {@code init()}), so the results do not depend on the number of
     * workers or on which thread ran what.
     */
    private static List<RunResult> runAll(List<Callable<RunResult>> tasks, int workers) {
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "dropkit-demo-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunResult>> futures = new ArrayList<>();
            for (Callable<RunResult> task : tasks) {
                futures.add(pool.submit(task));
            }
            List<RunResult> results = new ArrayList<>();
            for (Future<RunResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("a training run failed", cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The reliability diagrams: the MLP without dropout, and each sampled Dropkit MLP with dropout off and as the
     * Monte Carlo mean.
     */
    private static List<Charts.Reliable> calibrationDiagrams(List<Summary> summaries, List<Summary> sampled) {
        List<Charts.Reliable> diagrams = new ArrayList<>();
        Summary none = Report.find(summaries, sampled.get(0).experiment, Variant.NONE);
        if (none != null) {
            diagrams.add(new Charts.Reliable(none.experiment + " no dropout", heldOut(none, false)));
        }
        for (Summary s : sampled) {
            diagrams.add(new Charts.Reliable(s.experiment + " " + s.variant.name + ", dropout off",
                    heldOut(s, false)));
            diagrams.add(new Charts.Reliable(s.experiment + " " + s.variant.name + ", MC mean", heldOut(s, true)));
        }
        return diagrams;
    }

    private static List<Predictions> heldOut(Summary s, boolean monteCarlo) {
        List<Predictions> out = new ArrayList<>();
        for (RunResult r : s.runs) {
            out.add(monteCarlo ? r.monteCarlo.heldOut : r.heldOut);
        }
        return out;
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}

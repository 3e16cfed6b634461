package org.dropkit.demo;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The command line of the demo. Every option has a default; a bad value is an {@link OptionException} whose one-line
 * message names the option, the value, the valid range and the fix.
 */
final class Options {

    static final int DEFAULT_EPOCHS = 40;
    static final int QUICK_EPOCHS = 8;
    static final int MAX_EPOCHS = 10_000;
    static final long DEFAULT_SEED = 42;
    static final double DEFAULT_P = 0.5;
    static final int MAX_SEEDS = 100;
    /** Set by demo/pom.xml to demo/output; used when --out is not given. */
    static final String DEFAULT_OUT_PROPERTY = "dropkit.demo.defaultOut";

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: demo/run [options]",
            "",
            "Trains an MLP, a CNN and an LSTM on a small subset of the shipped UCI handwritten digits (demo/data)",
            "without dropout, with DL4J's dropout and with Dropkit's, over several seeds; samples the Dropkit MLPs",
            "with Monte Carlo dropout; prints the results and writes them (results.md, summary.md) and PNG charts",
            "into the output folder.",
            "",
            "Options:",
            "  --epochs N   training epochs of every run, an integer in [1, " + MAX_EPOCHS + "] (default "
                    + DEFAULT_EPOCHS + ", " + QUICK_EPOCHS + " with --quick)",
            "  --seed S     first seed: run k uses seed S + k for its training subset, initial weights and dropout",
            "               masks, any integer (default " + DEFAULT_SEED + ")",
            "  --seeds N    seeds per variant, an integer in [1, " + MAX_SEEDS + "] (default " + Settings.FULL.seeds
                    + ", " + Settings.QUICK.seeds + " with --quick)",
            "  --p P        retain probability of the dropout variants, in (0, 1] (default " + DEFAULT_P + ").",
            "               p is the probability of KEEPING a unit, as in DL4J; a Keras/PyTorch drop rate of 0.2",
            "               is --p 0.8, and --p 1 means no dropout",
            "  --out DIR    output folder, created if missing (default demo/output)",
            "  --quick      fewer seeds, epochs, held-out images and Monte Carlo passes: about a minute, for CI",
            "  --help       print this help and exit",
            "",
            "Options take their value as the next argument or after '=' (--p=0.8). Exit status: 0 on success,",
            "2 for a bad option, 1 if training fails.");

    final int epochs;
    final long seed;
    final int seeds;
    final double p;
    final Path out;
    final boolean quick;
    final boolean help;

    private Options(int epochs, long seed, int seeds, double p, Path out, boolean quick, boolean help) {
        this.epochs = epochs;
        this.seed = seed;
        this.seeds = seeds;
        this.p = p;
        this.out = out;
        this.quick = quick;
        this.help = help;
    }

    /**
     * @throws OptionException for an unknown option, a missing value or a value out of range
     */
    static Options parse(String... args) {
        Integer epochs = null;
        Integer seeds = null;
        long seed = DEFAULT_SEED;
        double p = DEFAULT_P;
        Path out = null;
        boolean quick = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help":
                case "-h":
                    help = true;
                    break;
                case "--quick":
                    if (value != null) {
                        throw new OptionException("--quick takes no value, got '" + value + "': write just --quick");
                    }
                    quick = true;
                    break;
                case "--epochs":
                case "--seed":
                case "--seeds":
                case "--p":
                case "--out":
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new OptionException(name + " needs a value, e.g. " + example(name));
                        }
                        value = args[++i];
                    }
                    if (name.equals("--epochs")) {
                        epochs = count(name, value, MAX_EPOCHS);
                    } else if (name.equals("--seed")) {
                        seed = seed(value);
                    } else if (name.equals("--seeds")) {
                        seeds = count(name, value, MAX_SEEDS);
                    } else if (name.equals("--p")) {
                        p = retainProbability(value);
                    } else {
                        out = out(value);
                    }
                    break;
                default:
                    throw new OptionException("unknown option '" + arg + "': valid options are --epochs N, --seed S,"
                            + " --seeds N, --p P, --out DIR, --quick and --help");
            }
        }
        if (out == null) {
            out = Paths.get(System.getProperty(DEFAULT_OUT_PROPERTY, "dropkit-demo-output"));
        }
        Settings settings = quick ? Settings.QUICK : Settings.FULL;
        return new Options(epochs != null ? epochs : quick ? QUICK_EPOCHS : DEFAULT_EPOCHS, seed,
                seeds != null ? seeds : settings.seeds, p, out, quick, help);
    }

    private static String example(String name) {
        switch (name) {
            case "--epochs":
                return "--epochs 40";
            case "--seed":
                return "--seed 7";
            case "--seeds":
                return "--seeds 3";
            case "--p":
                return "--p 0.8";
            default:
                return "--out results";
        }
    }

    /** A whole number in [1, max] for the option {@code name}. */
    private static int count(String name, String value, int max) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new OptionException(name + " '" + value + "' is not an integer: give a whole number in [1, " + max
                    + "], e.g. " + example(name));
        }
        if (n < 1 || n > max) {
            throw new OptionException(name + " " + value + " is out of range: it must be in [1, " + max + "], e.g. "
                    + example(name));
        }
        return (int) n;
    }

    private static long seed(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new OptionException("--seed '" + value + "' is not an integer: give a whole number in ["
                    + Long.MIN_VALUE + ", " + Long.MAX_VALUE + "], e.g. --seed 7");
        }
    }

    private static double retainProbability(String value) {
        double p;
        try {
            p = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new OptionException("--p '" + value + "' is not a number: give a retain probability in (0, 1],"
                    + " e.g. --p 0.8");
        }
        if (!(p > 0.0 && p <= 1.0)) {
            throw new OptionException("--p " + value + " is out of range: the retain probability must be in (0, 1]."
                    + " p is the probability of KEEPING a unit (DL4J's convention): a Keras/PyTorch drop rate of 0.2"
                    + " is --p 0.8, and --p 1 is no dropout");
        }
        return p;
    }

    private static Path out(String value) {
        if (value.trim().isEmpty()) {
            throw new OptionException("--out '' is empty: give a folder, e.g. --out results");
        }
        try {
            return Paths.get(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new OptionException("--out '" + value + "' is not a valid path: " + e.getReason());
        }
    }

    /** A bad command line: the message is one line for the user, exit status 2. */
    static final class OptionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OptionException(String message) {
            super(message);
        }
    }
}

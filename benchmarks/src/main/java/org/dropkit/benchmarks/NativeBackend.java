package org.dropkit.benchmarks;

import org.dropkit.util.NativeCpuBuild;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Base of every benchmark state: chooses the nd4j-native build before ND4J loads, and after it loads checks that
 * the build asked for is the one running.
 *
 * <p>The static initializer runs when JMH instantiates the first state of a fork, before any ND4J class is
 * initialized. Without {@value NativeCpuBuild#PROPERTY} on the fork's command line, {@link NativeCpuBuild#select()}
 * picks the best build for this CPU (AVX-512 here); {@code -jvmArgsAppend -Dorg.bytedeco.javacpp.platform.extension=}
 * forces the generic build. Either way, {@link #checkBuild()} fails the fork if ND4J loaded another build, so a
 * result row exists only for the build its fork asked for (the report reads which from the row's JVM arguments).
 */
public abstract class NativeBackend {

    /** The build extension in effect for this JVM: "-avx512", "-avx2" or "" (generic). */
    public static final String REQUESTED_BUILD = NativeCpuBuild.select();

    private static volatile boolean checked;

    /** Call in every {@code @Setup(Level.Trial)} before creating arrays. */
    protected static void checkBuild() {
        if (checked) {
            return;
        }
        Nd4j.create(1); // loads the backend
        int level = NativeOpsHolder.getInstance().getDeviceNativeOps().binaryLevel();
        String loaded = levelName(level);
        String expected = buildName(REQUESTED_BUILD);
        System.out.println("# dropkit-bench: nd4j-native build " + loaded + " (binary level " + level
                + "), requested '" + REQUESTED_BUILD + "', OMP threads "
                + Nd4j.getEnvironment().maxThreads());
        if (!loaded.equals(expected)) {
            throw new IllegalStateException("asked for the " + expected + " nd4j-native build ("
                    + NativeCpuBuild.PROPERTY + "='" + REQUESTED_BUILD + "') but ND4J loaded " + loaded);
        }
        checked = true;
    }

    /**
     * Fails unless {@code label} (a JMH parameter) is this fork's OMP_NUM_THREADS ("default" when unset). JMH cannot
     * set a fork's environment, so such a parameter only labels a result: {@code benchmarks/run} exports the variable
     * and passes the same value.
     */
    protected static void checkOmpThreads(String label) {
        String actual = ompThreads();
        if (!label.equals(actual)) {
            throw new IllegalStateException("-p ompThreads=" + label + " but this fork runs with OMP_NUM_THREADS="
                    + actual + ": export OMP_NUM_THREADS=" + label + " before starting JMH (benchmarks/run does), or"
                    + " pass -p ompThreads=" + actual);
        }
    }

    /** This process's OMP_NUM_THREADS, or "default" when it is unset (ND4J then uses one thread per core). */
    public static String ompThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        return env == null || env.isEmpty() ? "default" : env;
    }

    /**
     * This process's OMP_WAIT_POLICY (what libgomp's idle workers do between parallel regions: spin or sleep), or
     * null when it is unset (libgomp then spins for a while before sleeping; see "Noise" in benchmarks/README.md).
     */
    public static String ompWaitPolicy() {
        String env = System.getenv("OMP_WAIT_POLICY");
        return env == null || env.isEmpty() ? null : env;
    }

    /** The build name for an extension: "avx512", "avx2" or "generic". */
    public static String buildName(String extension) {
        return extension == null || extension.isEmpty() ? "generic" : extension.replaceFirst("^-", "");
    }

    private static String levelName(int level) {
        switch (level) {
            case 3:
                return "avx512";
            case 2:
                return "avx2";
            default:
                return "generic";
        }
    }
}

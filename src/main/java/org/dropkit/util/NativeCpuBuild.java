package org.dropkit.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the fastest {@code nd4j-native} build that both this CPU and the classpath have, before ND4J loads.
 *
 * <p>{@code nd4j-native} ships a generic build and CPU-specific ones (classifiers {@code -avx2}, {@code -avx512});
 * on CPUs that have those instructions they are several times faster for mask generation. With several builds on
 * the classpath, JavaCPP loads the one named by the system property {@value #PROPERTY}, and without it the most
 * specific one, which aborts on a CPU that lacks its instructions. Call {@link #select()} first thing in
 * {@code main}, before any ND4J class is touched, to make that choice safe. Nothing in Dropkit needs it.
 */
public final class NativeCpuBuild {

    /** The JavaCPP system property that chooses among native builds. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private static final Logger log = LoggerFactory.getLogger(NativeCpuBuild.class);
    private static final String BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/";
    private static final Set<String> AVX512 =
            Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final Set<String> AVX2 = Set.of("avx", "avx2", "fma");

    private NativeCpuBuild() {
    }

    /**
     * Sets {@value #PROPERTY} to the best build this CPU can run and the classpath holds, unless it is already set.
     *
     * @return the extension in effect: "-avx512", "-avx2" or "" (generic)
     */
    public static String select() {
        String given = System.getProperty(PROPERTY);
        if (given != null) {
            return given;
        }
        String chosen = choose(cpuFlags(), platform());
        System.setProperty(PROPERTY, chosen);
        log.debug("nd4j-native build chosen for this CPU: '{}'", chosen);
        return chosen;
    }

    /** The best extension for these CPU flags whose build is on the classpath. */
    static String choose(Set<String> flags, String platform) {
        if (flags.containsAll(AVX512) && onClasspath(platform + "-avx512")) {
            return "-avx512";
        }
        if (flags.containsAll(AVX2) && onClasspath(platform + "-avx2")) {
            return "-avx2";
        }
        return "";
    }

    private static boolean onClasspath(String platformWithExtension) {
        ClassLoader loader = NativeCpuBuild.class.getClassLoader();
        for (String library : new String[] {"libjnind4jcpu.so", "libjnind4jcpu.dylib", "jnind4jcpu.dll"}) {
            if (loader.getResource(BINDINGS + platformWithExtension + "/" + library) != null) {
                return true;
            }
        }
        return false;
    }

    /** CPU feature flags from /proc/cpuinfo; empty where that file does not exist (then the generic build). */
    static Set<String> cpuFlags() {
        Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return Collections.emptySet();
        }
        try {
            for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                if (line.startsWith("flags")) {
                    return new HashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException e) {
            log.debug("could not read {}: {}", cpuinfo, e.toString());
        }
        return Collections.emptySet();
    }

    /** JavaCPP's platform name for this JVM, e.g. linux-x86_64. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("mac") ? "macosx" : os.startsWith("windows") ? "windows" : "linux";
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") ? "arm64" : arch;
        return osName + "-" + archName;
    }
}

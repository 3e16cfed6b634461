package org.dropkit;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Facts about this Dropkit build: {@link #version()} names the release a bug report is about.
 */
public final class Dropkit {

    /** Filled in from the pom by the build (resource filtering), next to this class. */
    private static final String VERSION_RESOURCE = "version.properties";
    private static final String UNKNOWN = "unknown";
    private static final String VERSION = readVersion();

    private Dropkit() {
    }

    /**
     * The version of the Dropkit jar on the class path, as in its Maven coordinates: {@code "0.1.0"}, or
     * {@code "0.1.0-SNAPSHOT"} for a development build. It is read from a resource the build writes next to this
     * class, so it survives shaded and uber jars (whose manifest is the application's); failing that, from the
     * jar manifest's {@code Implementation-Version}. Classes compiled outside Dropkit's Maven build have neither and
     * report {@code "unknown"}.
     *
     * @return the version, or {@code "unknown"}; never null
     */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = Dropkit.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "").trim();
                if (!version.isEmpty() && !version.contains("${")) {
                    return version;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // fall through to the manifest
        }
        String fromManifest = Dropkit.class.getPackage().getImplementationVersion();
        return fromManifest == null || fromManifest.isEmpty() ? UNKNOWN : fromManifest;
    }
}

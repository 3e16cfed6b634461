package org.dropkit.benchmarks.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** One JMH result: a benchmark with its parameters, the build it ran on, and its score in microseconds. */
final class Row {

    /** JVM argument that forces a native build; absent means the fork's own NativeCpuBuild.select(). */
    static final String BUILD_ARG = "-Dorg.bytedeco.javacpp.platform.extension=";

    final String benchmark;
    final Map<String, String> params;
    final String build;
    final double median;
    final double mean;
    final double error;
    final double min;
    final double max;
    final int samples;
    final int forks;

    private Row(String benchmark, Map<String, String> params, String build, double median, double mean,
            double error, double min, double max, int samples, int forks) {
        this.benchmark = benchmark;
        this.params = params;
        this.build = build;
        this.median = median;
        this.mean = mean;
        this.error = error;
        this.min = min;
        this.max = max;
        this.samples = samples;
        this.forks = forks;
    }

    static Row of(JsonObject o, String defaultBuild) {
        String full = o.get("benchmark").getAsString();
        String name = full.substring(full.lastIndexOf('.', full.lastIndexOf('.') - 1) + 1);
        Map<String, String> params = new TreeMap<>();
        if (o.has("params")) {
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("params").entrySet()) {
                params.put(e.getKey(), e.getValue().getAsString());
            }
        }
        String build = defaultBuild;
        for (JsonElement arg : o.getAsJsonArray("jvmArgs")) {
            String a = arg.getAsString();
            if (a.startsWith(BUILD_ARG)) {
                String ext = a.substring(BUILD_ARG.length());
                build = ext.isEmpty() ? "generic" : ext.replaceFirst("^-", "");
            }
        }
        JsonObject metric = o.getAsJsonObject("primaryMetric");
        String unit = metric.get("scoreUnit").getAsString();
        double scale = unit.startsWith("ms") ? 1e3 : unit.startsWith("ns") ? 1e-3 : unit.startsWith("s/") ? 1e6 : 1.0;
        double[] raw = metric.getAsJsonArray("rawData").asList().stream()
                .flatMap(fork -> ((JsonArray) fork).asList().stream())
                .mapToDouble(JsonElement::getAsDouble).sorted().toArray();
        double median = metric.getAsJsonObject("scorePercentiles").get("50.0").getAsDouble();
        double error = metric.get("scoreError").isJsonPrimitive()
                && !metric.get("scoreError").getAsString().equals("NaN") ? metric.get("scoreError").getAsDouble()
                : Double.NaN;
        return new Row(name, params, build, median * scale, metric.get("score").getAsDouble() * scale,
                error * scale, raw.length == 0 ? Double.NaN : raw[0] * scale,
                raw.length == 0 ? Double.NaN : raw[raw.length - 1] * scale, raw.length,
                metric.getAsJsonArray("rawData").size());
    }

    String param(String name) {
        return params.get(name);
    }

    /** Elements of the shape parameter, or 0. */
    long elements() {
        return elements(params.get("shape"));
    }

    /** Elements of a shape such as "1024x10000", or 0 for null. */
    static long elements(String shape) {
        return shape == null ? 0 : Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).reduce(1, (a, b) -> a * b);
    }

    int rank() {
        String shape = params.get("shape");
        return shape == null ? 0 : shape.split("x").length;
    }

    /** True when every given name=value pair matches this row's parameters (value null: parameter absent). */
    boolean matches(String... nameValues) {
        for (int i = 0; i < nameValues.length; i += 2) {
            String want = nameValues[i + 1];
            String have = params.get(nameValues[i]);
            if (want == null ? have != null : !want.equals(have)) {
                return false;
            }
        }
        return true;
    }
}

package org.dropkit.benchmarks.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** All rows of one run, with the lookups the tables need: baseline, floors. */
final class Results {

    final List<Row> rows = new ArrayList<>();
    final JsonObject first;

    Results(Path jmhJson, String defaultBuild) throws IOException {
        JsonArray all;
        try (Reader r = Files.newBufferedReader(jmhJson, StandardCharsets.UTF_8)) {
            all = JsonParser.parseReader(r).getAsJsonArray();
        }
        for (JsonElement e : all) {
            rows.add(Row.of(e.getAsJsonObject(), defaultBuild));
        }
        first = all.size() == 0 ? new JsonObject() : all.get(0).getAsJsonObject();
    }

    Optional<Row> find(Predicate<Row> p) {
        return rows.stream().filter(p).findFirst();
    }

    Optional<Row> find(String benchmark, String build, String... nameValues) {
        return find(r -> r.benchmark.equals(benchmark) && r.build.equals(build) && r.matches(nameValues));
    }

    /** The built-in row this row is compared with: same benchmark, build and parameters, impl = its baseline. */
    Optional<Row> baselineOf(Row row) {
        String impl = row.param("impl");
        if (impl == null) {
            return Optional.empty();
        }
        String baseline = Names.baselineOf(impl);
        if (baseline == null) {
            return Optional.empty();
        }
        return find(r -> r.benchmark.equals(row.benchmark) && r.build.equals(row.build)
                && r.param("impl").equals(baseline) && sameExcept(r, row, "impl"));
    }

    /** The floor (MemoryFloor.copy or .multiply) of the same shape and dtype, or else of the same element count. */
    Optional<Row> floorOf(Row row, String floor) {
        String bench = "MemoryFloor." + floor;
        String dtype = row.param("dtype") == null ? "FLOAT" : row.param("dtype"); // MaskKernels: FLOAT only
        Optional<Row> exact = find(r -> r.benchmark.equals(bench) && r.build.equals(row.build)
                && r.matches("shape", row.param("shape"), "dtype", dtype));
        if (exact.isPresent()) {
            return exact;
        }
        return find(r -> r.benchmark.equals(bench) && r.build.equals(row.build) && r.elements() == row.elements()
                && r.matches("dtype", dtype));
    }

    private static boolean sameExcept(Row a, Row b, String except) {
        for (String k : a.params.keySet()) {
            if (!k.equals(except) && !a.params.get(k).equals(b.params.get(k))) {
                return false;
            }
        }
        return a.params.keySet().equals(b.params.keySet());
    }
}

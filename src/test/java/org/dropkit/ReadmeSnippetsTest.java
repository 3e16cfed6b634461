package org.dropkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code ```java} block of README.md compiles as a user would paste it, against the test class path (Dropkit,
 * DL4J, ND4J, JUnit, and the test-scope modules the README mentions: deeplearning4j-modelimport,
 * deeplearning4j-parallel-wrapper; in the {@code spark} profile also dl4j-spark).
 *
 * <p>The convention the README's snippets follow:
 * <ul>
 *   <li>Every snippet carries all its imports, so a paste compiles without guessing.</li>
 *   <li>A snippet that declares a top-level class is a whole source file and is compiled as it is.</li>
 *   <li>Any other snippet is a fragment: its {@code import} lines are the file's imports and the rest is the body of
 *       a method that may throw any exception. What a user already has in scope where the fragment goes (their
 *       network, their data) is named on a comment line right after the imports,
 *       {@code // given: MultiLayerNetwork net, INDArray features}: those become the method's parameters, so the
 *       fragment compiles exactly when it compiles in a user's method that has those variables. Their types must
 *       be imported by the snippet too.</li>
 *   <li>A snippet that imports Spark classes ({@code org.apache.spark}, {@code org.deeplearning4j.spark}) is
 *       compiled where Spark is on the class path ({@code mvn -Pspark}, which CI runs) and skipped elsewhere.</li>
 * </ul>
 */
class ReadmeSnippetsTest {

    private static final Pattern GIVEN = Pattern.compile("^\\s*//\\s*given:\\s*(.+?)\\s*$");
    private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
            "^(public\\s+|final\\s+|abstract\\s+)*(class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.*]+)\\s*;\\s*$");

    /** One {@code ```java} block: where it starts in the README and its lines. */
    static final class Snippet {
        final int line;
        final List<String> lines;

        Snippet(int line, List<String> lines) {
            this.line = line;
            this.lines = lines;
        }

        List<String> imports() {
            return lines.stream().map(String::trim).map(IMPORT::matcher).filter(Matcher::matches)
                    .map(m -> m.group(2)).collect(Collectors.toList());
        }

        String topLevelType() {
            for (String l : lines) {
                Matcher m = TOP_LEVEL_TYPE.matcher(l);
                if (m.find()) {
                    return m.group(3);
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "README.md line " + line;
        }
    }

    static Path readme() {
        return Paths.get(System.getProperty("basedir", "."), "README.md");
    }

    static List<Snippet> snippets() throws IOException {
        List<String> all = Files.readAllLines(readme(), StandardCharsets.UTF_8);
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).trim().equals("```java")) {
                int start = i + 1;
                List<String> body = new ArrayList<>();
                for (i = start; i < all.size() && !all.get(i).trim().equals("```"); i++) {
                    body.add(all.get(i));
                }
                snippets.add(new Snippet(start + 1, body));
            }
        }
        return snippets;
    }

    @Test
    void readmeHasJavaSnippets() throws IOException {
        // guards the extraction itself (the README shows more than this)
        assertTrue(snippets().size() >= 5, "java snippets found in " + readme() + ": " + snippets().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snippets")
    void compilesAsPasted(Snippet snippet, @TempDir Path out) {
        boolean spark = snippet.imports().stream()
                .anyMatch(i -> i.startsWith("org.apache.spark.") || i.startsWith("org.deeplearning4j.spark."));
        if (spark) {
            assumeTrue(onClassPath("org.apache.spark.api.java.JavaSparkContext"),
                    "a Spark snippet: compiled in the spark profile (mvn -Pspark), which CI runs");
        }
        String type = snippet.topLevelType();
        String name = type != null ? type : "Snippet" + snippet.line;
        String source = type != null ? String.join("\n", snippet.lines) : wrapFragment(snippet, name);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        List<String> options = Arrays.asList("-proc:none", "-classpath", System.getProperty("java.class.path"),
                "-d", out.toString());
        boolean ok = javac.getTask(errors, null, null, options, null, List.of(new Source(name, source))).call();
        assertTrue(ok, snippet + " does not compile as pasted:\n" + errors + "\n--- compiled as:\n" + numbered(source));
    }

    /** The fragment's imports, then a class whose one method has the "given" variables as parameters. */
    private static String wrapFragment(Snippet snippet, String className) {
        List<String> imports = new ArrayList<>();
        List<String> body = new ArrayList<>();
        String given = "";
        boolean inImports = true;
        for (String l : snippet.lines) {
            Matcher g = GIVEN.matcher(l);
            if (inImports && (IMPORT.matcher(l.trim()).matches() || l.trim().isEmpty())) {
                imports.add(l);
            } else if (given.isEmpty() && g.matches()) {
                given = g.group(1);
                inImports = false;
            } else {
                inImports = false;
                body.add(l);
            }
        }
        // one line per README line where possible, so compiler messages point near the README's text
        return String.join("\n", imports) + "\nclass " + className + " {\n  void snippet(" + given
                + ") throws Exception {\n" + String.join("\n", body) + "\n  }\n}\n";
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, ReadmeSnippetsTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String numbered(String source) {
        String[] lines = source.split("\n", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            b.append(String.format("%3d  %s%n", i + 1, lines[i]));
        }
        return b.toString();
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension),
                    JavaFileObject.Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}

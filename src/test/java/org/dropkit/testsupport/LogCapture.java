package org.dropkit.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Captures what Dropkit logs while a piece of code runs. The tests log through slf4j-simple, which writes to
 * whatever {@code System.err} is at the time of each call (src/test/resources/simplelogger.properties: WARN and
 * above), so replacing System.err for the duration sees every line; everything is passed on to the original stream.
 */
public final class LogCapture {

    private LogCapture() {
    }

    /** Runs the code and returns the lines Dropkit logged at WARN or above meanwhile. */
    public static List<String> dropkitWarnings(Runnable code) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8);
        System.setErr(tee);
        try {
            code.run();
        } finally {
            tee.flush();
            System.setErr(original);
        }
        return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\\R"))
                .filter(line -> line.matches(".*\\b(WARN|ERROR) org\\.dropkit\\..*"))
                .collect(Collectors.toList());
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream a;
        private final ByteArrayOutputStream b;

        TeeStream(PrintStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}

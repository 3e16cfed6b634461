package org.dropkit.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The outcome of a {@link DropoutGradientCheck}: whether DL4J's numerical check passed, what the exact
 * {@code dx = dy * m} checks found for each Dropkit dropout, and every failure in words.
 *
 * <pre>{@code
 * GradientCheckResult result = DropoutGradientCheck.of(net).run(features, labels);
 * assertTrue(result.passed(), result::toString);     // JUnit 5; or result.assertPassed() anywhere
 * }</pre>
 */
public final class GradientCheckResult {

    private final boolean numericalCheckPassed;
    private final List<String> checked;
    private final List<String> failures;
    private final List<String> notes;

    GradientCheckResult(boolean numericalCheckPassed, List<String> checked, List<String> failures,
            List<String> notes) {
        this.numericalCheckPassed = numericalCheckPassed;
        this.checked = Collections.unmodifiableList(new ArrayList<>(checked));
        this.failures = Collections.unmodifiableList(new ArrayList<>(failures));
        this.notes = Collections.unmodifiableList(new ArrayList<>(notes));
    }

    /**
     * True when every check passed: DL4J's numerical check, the reproducibility check and every exact check.
     *
     * @return whether the network passed
     */
    public boolean passed() {
        return failures.isEmpty();
    }

    /**
     * True when DL4J's numerical gradient check ran and passed.
     *
     * @return whether the numerical check passed; false if it failed or did not run
     */
    public boolean numericalCheckPassed() {
        return numericalCheckPassed;
    }

    /**
     * What was checked, one line each: the numerical check and every Dropkit dropout's exact check.
     *
     * @return an unmodifiable list
     */
    public List<String> checked() {
        return checked;
    }

    /**
     * Every failure, one message each, saying what failed and what to look at; empty when all passed.
     *
     * @return an unmodifiable list
     */
    public List<String> failures() {
        return failures;
    }

    /**
     * Remarks that are not failures, e.g. that no dropout acts in training so the check says little about it.
     *
     * @return an unmodifiable list; often empty
     */
    public List<String> notes() {
        return notes;
    }

    /**
     * Returns this result if it passed.
     *
     * @return this result
     * @throws AssertionError with the whole report otherwise
     */
    public GradientCheckResult assertPassed() {
        if (!passed()) {
            throw new AssertionError(toString());
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Dropout gradient check ").append(passed() ? "PASSED" : "FAILED");
        for (String f : failures) {
            s.append("\n  FAILED: ").append(f);
        }
        for (String c : checked) {
            s.append("\n  checked: ").append(c);
        }
        for (String n : notes) {
            s.append("\n  note: ").append(n);
        }
        return s.toString();
    }
}

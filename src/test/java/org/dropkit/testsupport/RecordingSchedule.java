package org.dropkit.testsupport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A schedule that gives its delegate's values and records every (iteration, epoch) it is asked for. DL4J clones a
 * layer's configuration (and so its dropout and the dropout's schedule) when it builds a network; the clones share
 * this recording, so a test sees what the running network's dropout asked for.
 */
public final class RecordingSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ISchedule delegate;
    private final List<int[]> asked;

    public RecordingSchedule(ISchedule delegate) {
        this(delegate, Collections.synchronizedList(new ArrayList<>()));
    }

    private RecordingSchedule(ISchedule delegate, List<int[]> asked) {
        this.delegate = delegate;
        this.asked = asked;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        asked.add(new int[] {iteration, epoch});
        return delegate.valueAt(iteration, epoch);
    }

    /** How many values were asked for so far. */
    public int count() {
        return asked.size();
    }

    /** The (iteration, epoch) pairs asked for, from index {@code from} (inclusive) to {@code to} (exclusive). */
    public List<int[]> asked(int from, int to) {
        synchronized (asked) {
            return new ArrayList<>(asked.subList(from, to));
        }
    }

    @Override
    public ISchedule clone() {
        return new RecordingSchedule(delegate.clone(), asked);
    }

    @Override
    public String toString() {
        return "RecordingSchedule(" + delegate + ")";
    }
}

package org.dropkit.migrate;

import java.util.Objects;
import org.dropkit.internal.Checks;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A schedule whose value is {@code 1 - s(iteration, epoch)} for another schedule s, computed decimally (1 - 0.8 is
 * 0.2, not 0.19999999999999996). {@link DropoutSwap} uses it to
 * turn the drop-rate schedule of DL4J's {@code GaussianDropout(ISchedule)} into the retain-probability schedule of
 * {@link org.dropkit.MaskDropout#gaussian(ISchedule)}. It is part of a swapped network's JSON, so it keeps its name.
 */
public final class OneMinusSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    /** The schedule s whose complement this schedule gives. */
    @JsonProperty("schedule")
    private final ISchedule schedule;

    /** @param schedule the schedule s whose complement 1 - s this schedule gives */
    @JsonCreator
    public OneMinusSchedule(@JsonProperty("schedule") ISchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /**
     * The schedule s of {@code 1 - s}.
     *
     * @return s
     */
    public ISchedule getSchedule() {
        return schedule;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return Checks.complement(schedule.valueAt(iteration, epoch));
    }

    @Override
    public OneMinusSchedule clone() {
        return new OneMinusSchedule(schedule.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OneMinusSchedule && schedule.equals(((OneMinusSchedule) o).schedule);
    }

    @Override
    public int hashCode() {
        return 31 + schedule.hashCode();
    }

    @Override
    public String toString() {
        return "OneMinusSchedule(1 - " + schedule + ")";
    }
}

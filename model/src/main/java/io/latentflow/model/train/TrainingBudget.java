package io.latentflow.model.train;

import java.time.Duration;
import java.util.Objects;

/**
 * When training stops: after {@code steps} steps in total, or after {@code time} of training in total (time spent
 * before a resume counts), whichever comes first; at least one of them is set. The time is read on {@code clock}:
 * wall-clock time, or the training thread's CPU time (equal compute on a shared machine).
 */
public record TrainingBudget(long steps, Duration time, TrainingClock clock) {

    public TrainingBudget {
        Objects.requireNonNull(clock, "clock");
        if (steps < 0) {
            throw new IllegalArgumentException("step budget is " + steps + ": use a positive number of steps");
        }
        if (time != null && (time.isNegative() || time.isZero())) {
            throw new IllegalArgumentException("time budget is " + time + ": use a positive duration");
        }
        if (steps == 0 && time == null) {
            throw new IllegalArgumentException("no budget: give a number of steps or minutes");
        }
    }

    /** A step and/or wall-clock budget. */
    public TrainingBudget(long steps, Duration time) {
        this(steps, time, TrainingClock.WALL);
    }

    public static TrainingBudget steps(long steps) {
        return new TrainingBudget(steps, null);
    }

    public static TrainingBudget minutes(double minutes) {
        return new TrainingBudget(0, duration(minutes, "minutes"));
    }

    /** Minutes of the training thread's CPU time. */
    public static TrainingBudget cpuMinutes(double minutes) {
        return new TrainingBudget(0, duration(minutes, "CPU minutes"), TrainingClock.THREAD_CPU);
    }

    /** The same time budget with a step cap as well ({@code steps} 0: none). */
    public TrainingBudget withSteps(long cap) {
        return new TrainingBudget(cap, time, clock);
    }

    public boolean exhausted(long stepsDone, Duration elapsed) {
        return (steps > 0 && stepsDone >= steps) || (time != null && elapsed.compareTo(time) >= 0);
    }

    /** How much of the budget is spent, 0 to 1: the larger of the step and the time fraction. */
    public double progress(long stepsDone, Duration elapsed) {
        double byStep = steps > 0 ? (double) stepsDone / steps : 0;
        double byTime = time != null ? (double) elapsed.toMillis() / time.toMillis() : 0;
        return Math.min(1, Math.max(byStep, byTime));
    }

    private static Duration duration(double minutes, String unit) {
        if (!(minutes > 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException(unit + " is " + minutes + ": use a positive number of " + unit);
        }
        return Duration.ofMillis(Math.round(minutes * 60_000));
    }
}

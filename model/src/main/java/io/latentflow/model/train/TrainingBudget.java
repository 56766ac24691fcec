package io.latentflow.model.train;

import java.time.Duration;

/**
 * When training stops: after {@code steps} steps in total, or after {@code time} of training in total (time spent
 * before a resume counts), whichever comes first; at least one of them is set.
 */
public record TrainingBudget(long steps, Duration time) {

    public TrainingBudget {
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

    public static TrainingBudget steps(long steps) {
        return new TrainingBudget(steps, null);
    }

    public static TrainingBudget minutes(double minutes) {
        if (!(minutes > 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException("minutes is " + minutes + ": use a positive number of minutes");
        }
        return new TrainingBudget(0, Duration.ofMillis(Math.round(minutes * 60_000)));
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
}

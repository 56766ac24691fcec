package io.latentflow.model.train;

import java.time.Duration;
import java.util.Map;

/**
 * Where a training run stands after a step.
 *
 * @param step       steps done in total (including those before a resume)
 * @param stepBudget the step budget, or 0 when only time limits the run
 * @param fraction   how much of the budget is spent, 0 to 1
 * @param losses     the step's loss terms ("loss" is the weighted total)
 * @param elapsed    training time so far
 * @param eta        time left at this invocation's mean pace; null before a pace is known
 */
public record TrainingProgress(long step, long stepBudget, double fraction, Map<String, Float> losses,
                               Duration elapsed, Duration eta) {

    public TrainingProgress {
        losses = Map.copyOf(losses);
    }

    /** The weighted total loss of the step. */
    public float loss() {
        return losses.getOrDefault("loss", Float.NaN);
    }

    /** Time left: the smaller of the remaining steps at {@code secondsPerStep} and the remaining time budget. */
    static Duration eta(TrainingBudget budget, long step, Duration elapsed, double secondsPerStep) {
        double bySteps = budget.steps() > 0 ? (budget.steps() - step) * secondsPerStep : Double.POSITIVE_INFINITY;
        double byTime = budget.time() != null ? (budget.time().toMillis() - elapsed.toMillis()) / 1000.0
                : Double.POSITIVE_INFINITY;
        double remaining = Math.max(0, Math.min(bySteps, byTime));
        return Double.isInfinite(remaining) || Double.isNaN(remaining) ? null
                : Duration.ofMillis((long) (remaining * 1000));
    }
}

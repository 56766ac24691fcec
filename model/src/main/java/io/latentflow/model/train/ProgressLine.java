package io.latentflow.model.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** Prints one progress line at most every {@code interval}: step, losses, images/s, ETA. */
final class ProgressLine implements TrainingCallback {

    private final PrintStream out;
    private final long intervalNanos;
    private final int batchSize;
    private long lastPrint;
    private long stepsSincePrint;

    ProgressLine(PrintStream out, Duration interval, int batchSize) {
        this.out = out;
        this.intervalNanos = interval.toNanos();
        this.batchSize = batchSize;
        this.lastPrint = System.nanoTime();
    }

    @Override
    public void onStepEnd(TrainingContext context) {
        stepDone(context.step(), context.budget(), context.elapsed(), context.lastOutcome().losses(),
                context.learningRate(), context.nonFiniteSkips(), context.isLastStep());
    }

    /** Prints when the interval has passed or {@code force} is set. */
    void stepDone(long step, TrainingBudget budget, Duration elapsed, Map<String, Float> losses, double learningRate,
                  int nonFiniteSkips, boolean force) {
        stepsSincePrint++;
        long now = System.nanoTime();
        if (!force && now - lastPrint < intervalNanos) {
            return;
        }
        double seconds = (now - lastPrint) / 1e9;
        double imagesPerSecond = stepsSincePrint * batchSize / Math.max(seconds, 1e-9);
        double secondsPerStep = seconds / Math.max(stepsSincePrint, 1);
        StringBuilder line = new StringBuilder();
        line.append("step ").append(step);
        if (budget.steps() > 0) {
            line.append('/').append(budget.steps());
        }
        double progress = budget.progress(step, elapsed);
        line.append(String.format(Locale.ROOT, " %3.0f%% |", progress * 100));
        losses.forEach((name, value) -> line.append(String.format(Locale.ROOT, " %s %.4g", name, value)));
        line.append(String.format(Locale.ROOT, " | lr %.2g | %.1f img/s %.2f s/step | elapsed %s | ETA %s",
                learningRate, imagesPerSecond, secondsPerStep, format(elapsed), eta(budget, step, elapsed,
                        secondsPerStep)));
        if (nonFiniteSkips > 0) {
            line.append(" | non-finite skips ").append(nonFiniteSkips);
        }
        out.println(line);
        out.flush();
        lastPrint = now;
        stepsSincePrint = 0;
    }

    private static String eta(TrainingBudget budget, long step, Duration elapsed, double secondsPerStep) {
        Duration remaining = TrainingProgress.eta(budget, step, elapsed, secondsPerStep);
        return remaining == null ? "?" : format(remaining);
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}

package io.latentflow.model.train;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands, handed to every {@link TrainingCallback}: what the last step did, the budget, the time, and the
 * actions a callback may take (roll the weights back to a snapshot, scale the learning rate, stop the run, add to the
 * training section of metrics.json). One per {@link Trainer#run()}; not thread-safe, like the loop.
 */
public final class TrainingContext {

    private final TrainingBudget budget;
    private final TrainingStep model;
    private final TrainingClock clock;
    private final long startedNanos;
    private final long startedWallNanos;
    private long offBudgetNanos;
    private final long trainingMillisBefore;
    private final long firstStep;
    private final List<Map<String, Float>> history = new ArrayList<>();
    private final List<String> nonFiniteCauses = new ArrayList<>();
    private final Map<String, Object> report = new LinkedHashMap<>();
    private long step;
    private double learningRateScale;
    private int nonFiniteSkips;
    private double learningRate;
    private StepOutcome lastOutcome;
    private boolean lastStep;
    private String stopReason;
    private Duration trainingTime;
    private double secondsPerStepAtEnd;

    TrainingContext(TrainingBudget budget, TrainingStep model, LoopPosition start) {
        this.budget = budget;
        this.model = model;
        this.clock = budget.clock();
        this.startedNanos = clock.nanos();
        this.startedWallNanos = System.nanoTime();
        this.trainingMillisBefore = start.trainingMillis();
        this.firstStep = start.step();
        this.step = start.step();
        this.learningRateScale = start.learningRateScale();
        this.nonFiniteSkips = start.nonFiniteSkips();
    }

    /** Steps completed so far, including those before a resume. */
    public long step() {
        return step;
    }

    /**
     * Training time so far on the budget's clock, including time before a resume and leaving out what ran
     * {@link #offBudget}; once the loop has ended, its total.
     */
    public Duration elapsed() {
        return trainingTime != null ? trainingTime
                : Duration.ofMillis(trainingMillisBefore + onBudgetNanos() / 1_000_000);
    }

    private long onBudgetNanos() {
        return clock.nanos() - startedNanos - offBudgetNanos;
    }

    /** Wall-clock time of this invocation, whatever the budget's clock (under load it exceeds a CPU budget). */
    public Duration wallTime() {
        return Duration.ofNanos(System.nanoTime() - startedWallNanos);
    }

    /** What a callback does that is measurement, not training: its time does not count against the budget. */
    public <T> T offBudget(OffBudget<T> work) throws IOException {
        long before = clock.nanos();
        try {
            return work.run();
        } finally {
            offBudgetNanos += clock.nanos() - before;
        }
    }

    /** Work done beside the training, off its budget. */
    public interface OffBudget<T> {
        T run() throws IOException;
    }

    /** The step this invocation started from (0, or a checkpoint's step). */
    public long firstStep() {
        return firstStep;
    }

    /** Mean time per step of this invocation on the budget's clock (wall time for a step budget). */
    public double secondsPerStep() {
        return onBudgetNanos() / 1e9 / (step - firstStep);
    }

    public TrainingBudget budget() {
        return budget;
    }

    /** True after the step that spends the budget. */
    public boolean isLastStep() {
        return lastStep;
    }

    /** Ends the run after this step's callbacks; the weights in place then are the ones written. */
    public void stop(String reason) {
        stopReason = reason;
    }

    /** What the step just done did. */
    public StepOutcome lastOutcome() {
        return lastOutcome;
    }

    /** The weights and optimiser state now, to {@link #rollBackTo} later. */
    public TrainingSnapshot snapshot() {
        return model.snapshot(step);
    }

    /** The learning rate the step just done used. */
    public double learningRate() {
        return learningRate;
    }

    /** Puts back the weights and optimiser state of a snapshot; the step count goes on. */
    public void rollBackTo(TrainingSnapshot snapshot) {
        model.restore(snapshot);
    }

    /** The factor on the scheduled learning rate, 1 unless a callback lowered it. */
    public double learningRateScale() {
        return learningRateScale;
    }

    /** Multiplies the learning rate of every later step (and the discriminator's) by {@code factor}. */
    public void scaleLearningRate(double factor) {
        learningRateScale *= factor;
    }

    public int nonFiniteSkips() {
        return nonFiniteSkips;
    }

    /** Counts the step just done as skipped for a non-finite value, with where it appeared. */
    public void recordNonFiniteSkip(String cause) {
        nonFiniteSkips++;
        nonFiniteCauses.add("step " + step + ": " + cause);
    }

    /** Adds an entry to the {@code training} section of metrics.json. */
    public void report(String name, Object value) {
        report.put(name, value);
    }

    TrainingStep model() {
        return model;
    }

    boolean shouldContinue() {
        return stopReason == null && !budget.exhausted(step, elapsed());
    }

    List<Map<String, Float>> history() {
        return Collections.unmodifiableList(history);
    }

    /** This step's rate: the schedule's at this point of the budget, times the scale. */
    double nextLearningRate() {
        return learningRateScale * model.learningRateAt(step, budget.progress(step, elapsed()));
    }

    List<String> nonFiniteCauses() {
        return Collections.unmodifiableList(nonFiniteCauses);
    }

    void stepDone(StepOutcome outcome, double rate) {
        step++;
        lastOutcome = outcome;
        learningRate = rate;
        history.add(outcome.losses());
        lastStep = budget.exhausted(step, elapsed());
    }

    Map<String, Object> report() {
        return Collections.unmodifiableMap(report);
    }

    /** Fixes the training time: checkpoints, metrics and the result all carry this one. */
    void finish() {
        trainingTime = elapsed();
        secondsPerStepAtEnd = onBudgetNanos() / 1e9 / Math.max(1, step - firstStep);
    }

    /** Mean time per step of this invocation on the budget's clock, as {@link #finish()} measured it. */
    double secondsPerStepAtEnd() {
        return secondsPerStepAtEnd;
    }

    /**
     * Where the loop starts: at 0, or where a checkpoint left it.
     *
     * @param trainingMillis training time before this invocation
     */
    record LoopPosition(long step, long trainingMillis, double learningRateScale, int nonFiniteSkips) {
        static final LoopPosition START = new LoopPosition(0, 0, 1, 0);
    }
}

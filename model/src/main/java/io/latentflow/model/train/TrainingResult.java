package io.latentflow.model.train;

import io.latentflow.model.eval.EvaluationReport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a training run produced.
 *
 * @param modelDir       the immutable model directory written (EMA weights)
 * @param version        its model version id
 * @param steps          total steps, including those before a resume
 * @param firstStep      the step this invocation started from (0, or the checkpoint's step)
 * @param trainingTime   total training time, including time before a resume
 * @param losses         the loss terms of each step this invocation ran, in order ("loss" is the weighted total)
 * @param validation     the evaluator's figures on the validation sources; null when none was held out
 * @param nonFiniteSkips steps skipped by the NaN/Inf guard
 * @param nonFiniteCauses for each skipped step of this invocation, where its first non-finite value appeared
 * @param secondsPerStep mean wall time per step of this invocation
 */
public record TrainingResult(Path modelDir, String version, long steps, long firstStep, Duration trainingTime,
                             List<Map<String, Float>> losses, EvaluationReport validation, int nonFiniteSkips,
                             List<String> nonFiniteCauses,
                             double secondsPerStep) {

    /** The weighted total loss of each step of this invocation. */
    public List<Float> totalLosses() {
        return losses.stream().map(m -> m.get("loss")).toList();
    }
}

package io.latentflow.jobs.training;

import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.eval.GateThresholds;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the continuous-training job fine-tunes, whatever a request asks: the encode job's resolution (the gate judges and
 * the drift profile is made at it), the training crops, where the older images to replay live, the gate's thresholds.
 *
 * @param resolution    the encode job's image side
 * @param cropSize      training crop side
 * @param batchSize     crops per step
 * @param defaultSteps  step budget of a request that names none
 * @param threads       intra-op threads of the trainer
 * @param learningRate  Adam's rate for fine-tunes, or null for the serving version's recipe's. Measured on this CPU
 *                      (README, "what a fine-tune buys"): at the recipe's 1e-3 a 300-step fine-tune on illustrations
 *                      lost 0.43-0.48 dB on held-out photos and the gate rejected it; at 3e-4 it gained on both
 * @param olderImages   a folder of the older data (the serving version's kind of images), for a request that names
 *                      none, as the task manager sees it
 * @param holdout       fraction of the sources held out for the gate
 * @param thresholds    the promotion gate's
 * @param lead          how long after a promotion is recorded it takes effect in the encoders
 * @param workDirectory where runs keep their files, as the task manager sees it
 */
public record FineTuneSettings(int resolution, int cropSize, int batchSize, long defaultSteps, int threads,
                               Double learningRate, String olderImages, double holdout, GateThresholds thresholds,
                               Duration lead, String workDirectory) implements Serializable {

    public static final double DEFAULT_LEARNING_RATE = 3e-4;

    public static FineTuneSettings defaults(int resolution, Path olderImages, Path workDirectory) {
        return new FineTuneSettings(resolution, 64, 16, 300, 2, DEFAULT_LEARNING_RATE,
                olderImages.toAbsolutePath().toString(),
                SourceSplit.DEFAULT_VALIDATION_FRACTION, GateThresholds.DEFAULTS, Duration.ofSeconds(10),
                workDirectory.toAbsolutePath().toString());
    }

    public FineTuneSettings withSteps(long steps) {
        return new FineTuneSettings(resolution, cropSize, batchSize, steps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory);
    }

    public FineTuneSettings withTraining(int cropSize, int batchSize) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory);
    }

    public FineTuneSettings withThresholds(GateThresholds thresholds) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory);
    }

    public FineTuneSettings withLead(Duration lead) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory);
    }
}

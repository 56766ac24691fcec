package io.latentflow.jobs.training;

import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.finetune.FineTunePlan;
import io.latentflow.model.finetune.FineTuneScope;
import io.latentflow.registry.SigningKey;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the continuous-training job fine-tunes, whatever a request asks: the encode job's resolution (the gate judges and
 * the drift profile is made at it), the training crops, where the older images to replay live, the gate's thresholds.
 *
 * @param resolution    the encode job's image side
 * @param cropSize      training crop side
 * @param batchSize     crops per step
 * @param defaultSteps  step budget of a request that names none, or null to plan it from the data
 * @param threads       intra-op threads of the trainer
 * @param learningRate  Adam's rate for fine-tunes, or null for the one planned from the data (FineTunePlan: 3e-4,
 *                      lower for few images). Measured on this CPU (README, "what a fine-tune buys"): at the recipe's
 *                      1e-3 a 300-step fine-tune on illustrations lost 0.43-0.48 dB on held-out photos and the gate
 *                      rejected it; at 3e-4 it gained on both
 * @param olderImages   a folder of the older data (the serving version's kind of images), for a request that names
 *                      none, as the task manager sees it
 * @param holdout       fraction held out for the gate: of the sources, or by content hash of the images when there
 *                      are few sources (HeldOutSplit)
 * @param thresholds    the promotion gate's
 * @param lead          how long after a promotion is recorded it takes effect in the encoders
 * @param workDirectory where runs keep their files, as the task manager sees it
 * @param scope         what a fine-tune may change when the request does not say: the decoder only (the default:
 *                      the serving version's latents have been written to the latents topic, so its latent space
 *                      must stay) or everything
 */
public record FineTuneSettings(int resolution, int cropSize, int batchSize, Long defaultSteps, int threads,
                               Double learningRate, String olderImages, double holdout, GateThresholds thresholds,
                               Duration lead, String workDirectory, FineTuneScope scope, String signKey)
        implements Serializable {

    public static FineTuneSettings defaults(int resolution, Path olderImages, Path workDirectory) {
        int cropSize = FineTunePlan.cropSizeFor(resolution);
        return new FineTuneSettings(resolution, cropSize, FineTunePlan.batchSizeFor(cropSize), null, 2, null,
                olderImages.toAbsolutePath().toString(),
                SourceSplit.DEFAULT_VALIDATION_FRACTION, GateThresholds.DEFAULTS, Duration.ofSeconds(10),
                workDirectory.toAbsolutePath().toString(), FineTuneScope.DEFAULT, null);
    }

    /** @param steps the step budget of a request that names none; {@link #withPlannedSteps()} to plan it instead */
    public FineTuneSettings withSteps(long steps) {
        return withStepBudget(steps);
    }

    /** A request that names no budget gets the one planned from its data. */
    public FineTuneSettings withPlannedSteps() {
        return withStepBudget(null);
    }

    private FineTuneSettings withStepBudget(Long steps) {
        return new FineTuneSettings(resolution, cropSize, batchSize, steps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, signKey);
    }

    public FineTuneSettings withScope(FineTuneScope scope) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, signKey);
    }

    public FineTuneSettings withLearningRate(Double learningRate) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, signKey);
    }

    public FineTuneSettings withTraining(int cropSize, int batchSize) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, signKey);
    }

    /** Candidates are signed with the private key in {@code keyFile} ({@code models keygen}'s {@code <keyId>.key}). */
    public FineTuneSettings withSignKey(Path keyFile) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, keyFile.toAbsolutePath().toString());
    }

    /** The key candidates are signed with, read from its file (checked to pair with its .pub when that lies beside it). */
    public Optional<SigningKey> signingKey() throws IOException {
        return signKey == null ? Optional.empty() : Optional.of(SigningKey.read(Path.of(signKey)));
    }

    public FineTuneSettings withThresholds(GateThresholds thresholds) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, signKey);
    }

    public FineTuneSettings withLead(Duration lead) {
        return new FineTuneSettings(resolution, cropSize, batchSize, defaultSteps, threads, learningRate, olderImages,
                holdout, thresholds, lead, workDirectory, scope, signKey);
    }
}

package io.latentflow.cli.common;

import io.latentflow.jobs.training.ContinuousTrainingJob;
import io.latentflow.jobs.training.DriftRetryPolicy;
import io.latentflow.jobs.training.FineTuneSettings;
import io.latentflow.jobs.training.FineTuneTrigger;
import io.latentflow.jobs.training.NewSamplesPolicy;
import io.latentflow.model.finetune.FineTuneScope;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The continuous-training job that {@code run} starts beside the encode job. */
public final class ContinuousTrainingOptions {

    @Option(names = "--no-training", description = "Do not start the continuous-training job.")
    public boolean off;

    @Option(names = "--auto-finetune", description = "Fine-tune when the drift monitor raises an alert of"
            + " --finetune-on (once per alert episode, at most once per --finetune-cooldown), and when"
            + " --finetune-after-samples new training samples have been taken.")
    public boolean autoFinetune;

    @Option(names = "--finetune-after-samples", defaultValue = "256", paramLabel = "N",
            description = "With --auto-finetune: also fine-tune once N training samples have been taken since the"
                    + " serving version was promoted and since the last fine-tune request (at most once per"
                    + " --finetune-cooldown); 0: only drift alerts ask (default ${DEFAULT-VALUE}).")
    int afterSamples;

    @Option(names = "--finetune-on", defaultValue = "QUALITY,CRITICAL", paramLabel = "QUALITY|WARNING|CRITICAL",
            description = "With --auto-finetune: the drift alerts that ask for a fine-tune, a comma list: QUALITY (the"
                    + " model reconstructs the window's sampled images clearly worse than its validation images),"
                    + " WARNING (any alert), CRITICAL (default ${DEFAULT-VALUE}).")
    String finetuneOn;

    @Option(names = "--finetune-cooldown", defaultValue = "PT30M", paramLabel = "DURATION",
            description = "Least time between two drift-triggered fine-tunes, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration cooldown;

    @Option(names = "--finetune-steps",
            description = "Steps of a fine-tune that asks for no budget (default: planned from its images, two passes"
                    + " over them within 100-1500 steps, with early stopping).")
    Long steps;

    @Option(names = "--finetune-scope", defaultValue = "decoder", paramLabel = "decoder|all",
            description = "What a fine-tune may change: decoder (default: the encoder stays bit for bit, so the"
                    + " latent space the latents topic was written in stays) or all (a new latent space at each"
                    + " promotion).")
    String scope;

    @Option(names = "--older-images", paramLabel = "DIR", description = "Older images a fine-tune replays and checks"
            + " non-regression on (default: the shipped sample photos, the default model's kind of data).")
    Path olderImages;

    public FineTuneSettings settings(int resolution, Path workDirectory) {
        Path older = olderImages != null ? olderImages : Home.samples().resolve("photos");
        FineTuneSettings settings = FineTuneSettings.defaults(resolution, older, workDirectory)
                .withScope(FineTuneScope.parse(scope));
        return steps != null ? settings.withSteps(steps) : settings;
    }

    /** Which drift alerts ask for a fine-tune with --auto-finetune. */
    public FineTuneTrigger trigger() {
        return FineTuneTrigger.parse(finetuneOn);
    }

    /** When the training job asks for fine-tunes by itself, or null without --auto-finetune. */
    public ContinuousTrainingJob.AutoFinetune auto() {
        if (!autoFinetune) {
            return null;
        }
        if (afterSamples < 0) {
            throw new IllegalArgumentException("--finetune-after-samples is " + afterSamples + ": use 0 (off) or more");
        }
        return new ContinuousTrainingJob.AutoFinetune(trigger(), cooldown, DriftRetryPolicy.DEFAULT,
                afterSamples == 0 ? null : NewSamplesPolicy.of(afterSamples, cooldown));
    }
}

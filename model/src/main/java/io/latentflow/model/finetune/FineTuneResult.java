package io.latentflow.model.finetune;

import io.latentflow.model.train.TrainingResult;

import java.nio.file.Path;

/**
 * What a fine-tune produced: a new model version directory, not yet judged.
 *
 * @param parentVersion the serving version it started from
 * @param recentImages  recent images it trained on
 * @param replayImages  older images it replayed
 * @param training      the trainer's result (version, directory, steps, time, losses)
 */
public record FineTuneResult(String parentVersion, int recentImages, int replayImages, TrainingResult training) {

    public String version() {
        return training.version();
    }

    public Path modelDir() {
        return training.modelDir();
    }
}

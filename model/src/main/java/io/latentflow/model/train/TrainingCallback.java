package io.latentflow.model.train;

import java.io.IOException;

/**
 * A part of a training run that is not the step itself, as in Lightning: the weight average, the non-finite guard,
 * checkpoints, early stopping, progress. Unlike a {@link TrainingListener} it may act through the
 * {@link TrainingContext}: roll the weights back, lower the learning rate, stop the run. Callbacks run on the training
 * thread, in the order the trainer lists them, after every step.
 */
public interface TrainingCallback {

    /** Before the first step of this invocation (after a resume, the checkpoint's state is in place). */
    default void onTrainStart(TrainingContext context) throws IOException {
    }

    /** After every step, applied or not ({@link TrainingContext#lastOutcome()}). */
    default void onStepEnd(TrainingContext context) throws IOException {
    }

    /** After the last step, before the model directory is written: what is left in the weights is what ships. */
    default void onTrainEnd(TrainingContext context) throws IOException {
    }
}

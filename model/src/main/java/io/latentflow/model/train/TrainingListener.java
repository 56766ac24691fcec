package io.latentflow.model.train;

/**
 * Watches a training run, as a Lightning callback does: told after every step, it must not change the run. Called on
 * the training thread, so it should return quickly (hand the progress to another thread to publish it).
 */
@FunctionalInterface
public interface TrainingListener {

    TrainingListener NONE = progress -> { };

    void stepDone(TrainingProgress progress);
}

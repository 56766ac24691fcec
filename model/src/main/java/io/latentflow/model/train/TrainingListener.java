package io.latentflow.model.train;

/**
 * Watches a training run: told after every step, it must not change the run (a {@link TrainingCallback} may). Called
 * on the training thread, so it should return quickly (hand the progress to another thread to publish it).
 */
@FunctionalInterface
public interface TrainingListener {

    TrainingListener NONE = progress -> { };

    void stepDone(TrainingProgress progress);

    /** This listener as the callback the trainer runs. */
    default TrainingCallback asCallback() {
        return new TrainingCallback() {
            @Override
            public void onStepEnd(TrainingContext context) {
                stepDone(new TrainingProgress(context.step(), context.budget().steps(),
                        context.budget().progress(context.step(), context.elapsed()), context.lastOutcome().losses(),
                        context.elapsed(), TrainingProgress.eta(context.budget(), context.step(), context.elapsed(),
                        context.secondsPerStep())));
            }
        };
    }
}

package io.latentflow.model.train;

import java.io.InterruptedIOException;

/**
 * Ends a run whose thread was interrupted (a caller that gave up on it: a timeout, a job being cancelled) after the
 * step in progress, with nothing written: an interrupted run is abandoned, not finished early, so no half-trained
 * version can be judged and published after its caller stopped waiting. PyTorch's native calls do not look at the
 * interrupt flag, so without this the thread would train to the end of its budget.
 */
public final class StopOnInterrupt implements TrainingCallback {

    @Override
    public void onStepEnd(TrainingContext context) throws InterruptedIOException {
        throwIfInterrupted(context.step());
    }

    /** For a training loop of its own (the imported decoder's): the same rule after each of its steps. */
    public static void throwIfInterrupted(long step) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("training interrupted after step " + step + "; nothing was written");
        }
    }
}

package io.latentflow.model.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a non-finite step: back to the last good weights, with half the learning rate; gives up after
 * {@value #MAX_CONSECUTIVE_NON_FINITE} in a row. Keeps a snapshot of good weights every {@value #SNAPSHOT_EVERY} steps.
 */
final class NonFiniteGuard implements TrainingCallback {

    private static final Logger LOG = LoggerFactory.getLogger(NonFiniteGuard.class);
    static final int SNAPSHOT_EVERY = 50;
    static final int MAX_CONSECUTIVE_NON_FINITE = 20;

    private TrainingSnapshot lastGood;
    private int consecutiveNonFinite;

    @Override
    public void onTrainStart(TrainingContext context) {
        lastGood = context.snapshot();
    }

    @Override
    public void onStepEnd(TrainingContext context) {
        StepOutcome outcome = context.lastOutcome();
        if (outcome.applied()) {
            consecutiveNonFinite = 0;
            if (context.step() % SNAPSHOT_EVERY == 0 && context.model().liveParameters().allFinite()) {
                lastGood = context.snapshot();
            }
            return;
        }
        String cause = outcome.nonFiniteCause();
        context.recordNonFiniteSkip(cause);
        consecutiveNonFinite++;
        if (consecutiveNonFinite > MAX_CONSECUTIVE_NON_FINITE) {
            throw new IllegalStateException("the loss was NaN or infinite " + consecutiveNonFinite + " steps in a"
                    + " row even after restoring the last good weights with a lower learning rate (now x"
                    + context.learningRateScale() + "); lower the recipe's learningRate or check the images; first"
                    + " non-finite value this time: " + cause);
        }
        context.rollBackTo(lastGood);
        context.scaleLearningRate(0.5);
        LOG.warn("Step {}: not finite, first in {} (losses {}); skipped it, restored the weights of step {}, learning"
                + " rate now x{} ({} skips so far)", context.step(), cause, outcome.losses(), lastGood.step(),
                context.learningRateScale(), context.nonFiniteSkips());
    }
}

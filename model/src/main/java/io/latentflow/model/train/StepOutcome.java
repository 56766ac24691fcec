package io.latentflow.model.train;

import java.util.Map;

/**
 * What one training step did.
 *
 * @param losses         its loss terms ("loss" is the weighted total; "d", "r1r2" from the discriminator's update)
 * @param nonFiniteCause where its first non-finite value appeared, or null when the step was finite and applied
 */
public record StepOutcome(Map<String, Float> losses, String nonFiniteCause) {

    /** True when the optimiser applied the step; a non-finite step changes no weight. */
    public boolean applied() {
        return nonFiniteCause == null;
    }
}

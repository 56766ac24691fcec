package io.latentflow.model.train;

import java.util.SplittableRandom;

/**
 * The random generator of one training step, derived from (seed, step) only: crops, flips, perturbations and sampling
 * noise of step n are the same whether the run started at step 0 or resumed at step n - 1.
 */
final class StepRandom {

    private StepRandom() {
    }

    static SplittableRandom forStep(long seed, long step) {
        return new SplittableRandom(mix(seed) ^ mix(step + 0x632BE59BD9B4E019L));
    }

    /** Stafford's mix13 finaliser: nearby inputs give unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

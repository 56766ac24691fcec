package io.latentflow.model.train;

/**
 * The weights, their average and the optimisers' state at one step, in memory, for a callback to roll back to.
 * Opaque: only the trainer's step knows what it holds.
 */
public final class TrainingSnapshot {

    final long step;
    final float[][] weights;
    final float[][] averaged;
    final AdamOptimizer.State adam;
    final float[][] discriminator;
    final AdamOptimizer.State discriminatorAdam;

    TrainingSnapshot(long step, float[][] weights, float[][] averaged, AdamOptimizer.State adam,
                     float[][] discriminator, AdamOptimizer.State discriminatorAdam) {
        this.step = step;
        this.weights = weights;
        this.averaged = averaged;
        this.adam = adam;
        this.discriminator = discriminator;
        this.discriminatorAdam = discriminatorAdam;
    }

    /** The step whose weights these are. */
    public long step() {
        return step;
    }
}

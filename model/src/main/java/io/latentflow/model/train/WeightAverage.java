package io.latentflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Exponential moving average of the trained weights, kept in a second copy of the model (whose parameters have no
 * gradient), folded in after every applied step. The decay ramps up as {@code min(decay, (1 + t) / (10 + t))}: with a
 * fixed 0.999 the average of a short run would still remember the random initialisation.
 */
public final class WeightAverage implements TrainingCallback {

    private final NamedParameters live;
    private final NamedParameters averaged;
    private final AdamOptimizer adam;
    private final double decay;

    /** The average of {@code model}'s weights with {@code decay}, the recipe's. */
    public WeightAverage(TrainingStep model, double decay) {
        this(model.liveParameters(), model.averagedParameters(), model.adam(), decay);
    }

    WeightAverage(NamedParameters live, NamedParameters averaged, AdamOptimizer adam, double decay) {
        if (live.size() != averaged.size()) {
            throw new IllegalArgumentException("EMA copy has " + averaged.size() + " parameters, the model "
                    + live.size());
        }
        this.live = live;
        this.averaged = averaged;
        this.adam = adam;
        this.decay = decay;
    }

    static double decayAt(double decay, long updates) {
        return Math.min(decay, (1.0 + updates) / (10.0 + updates));
    }

    @Override
    public void onStepEnd(TrainingContext context) {
        if (context.lastOutcome().applied()) {
            update();
        }
    }

    /** Folds the current weights in, at the decay for the optimiser's update count; grad mode must be off. */
    public void update() {
        float d = (float) decayAt(decay, adam.updates());
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < live.size(); i++) {
                NDArray average = averaged.array(i);
                average.muli(d).addi(live.array(i).mul(1f - d));
            }
        }
    }
}

package io.latentflow.model.train;

import ai.djl.ndarray.NDArray;

/**
 * Exponential moving average of the trained weights, kept in a second copy of the model (whose parameters have no
 * gradient). The decay ramps up as {@code min(decay, (1 + t) / (10 + t))}: with a fixed 0.999 the average of a short
 * run would still remember the random initialisation.
 */
final class WeightAverage {

    private final NamedParameters live;
    private final NamedParameters averaged;
    private final double decay;

    WeightAverage(NamedParameters live, NamedParameters averaged, double decay) {
        if (live.size() != averaged.size()) {
            throw new IllegalArgumentException("EMA copy has " + averaged.size() + " parameters, the model "
                    + live.size());
        }
        this.live = live;
        this.averaged = averaged;
        this.decay = decay;
    }

    static double decayAt(double decay, long updates) {
        return Math.min(decay, (1.0 + updates) / (10.0 + updates));
    }

    /** Folds the current weights in; call inside the step's NDScope with grad mode off. */
    void update(long updates) {
        float d = (float) decayAt(decay, updates);
        for (int i = 0; i < live.size(); i++) {
            NDArray average = averaged.array(i);
            average.muli(d).addi(live.array(i).mul(1f - d));
        }
    }

    /** Makes the average equal to the current weights (start of training). */
    void reset() {
        averaged.setValues(live.values());
    }
}

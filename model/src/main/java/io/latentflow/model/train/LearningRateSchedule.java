package io.latentflow.model.train;

/**
 * Linear warm-up over the first steps, constant, then a cosine decay to a tenth over the last fifth of the budget:
 * annealing at the end is what turns a noisy plateau into a lower loss, and it needs the budget known up front.
 */
record LearningRateSchedule(double base, int warmupSteps) {

    private static final double DECAY_FROM = 0.8;
    private static final double FLOOR = 0.1;

    double at(long step, double progress) {
        double warm = Math.min(1.0, (step + 1.0) / warmupSteps);
        if (progress <= DECAY_FROM) {
            return base * warm;
        }
        double t = Math.min(1, (progress - DECAY_FROM) / (1 - DECAY_FROM));
        return base * warm * (FLOOR + (1 - FLOOR) * 0.5 * (1 + Math.cos(Math.PI * t)));
    }
}

package io.latentflow.model.train;

/**
 * When a run stops before its budget: the EMA weights are validated (PSNR on the validation images) every
 * {@code everySteps} steps; after {@code patience} validations in a row without a gain of more than {@code minGainDb}
 * over the best so far, training stops and the best weights are the ones written.
 *
 * @param everySteps steps between validations
 * @param patience   validations without improvement before it stops
 * @param minGainDb  what counts as an improvement, dB
 */
public record EarlyStopping(long everySteps, int patience, double minGainDb) {

    public EarlyStopping {
        if (everySteps < 1 || patience < 1 || !(minGainDb >= 0)) {
            throw new IllegalArgumentException("early stopping every " + everySteps + " steps with patience "
                    + patience + " and a minimum gain of " + minGainDb + " dB: use positive steps and patience and"
                    + " a gain of 0 or more");
        }
    }

    /** What a run does after a validation: go on, or stop. */
    static final class Tracker {
        private final EarlyStopping rule;
        private double best = Double.NEGATIVE_INFINITY;
        private long bestStep = -1;
        private int withoutGain;

        Tracker(EarlyStopping rule) {
            this.rule = rule;
        }

        /** @return true when this validation is the best so far (the caller keeps these weights) */
        boolean validated(long step, double psnr) {
            if (psnr > best + rule.minGainDb() || bestStep < 0) {
                best = Math.max(best, psnr);
                bestStep = step;
                withoutGain = 0;
                return true;
            }
            withoutGain++;
            return false;
        }

        boolean shouldStop() {
            return withoutGain >= rule.patience();
        }

        double best() {
            return best;
        }

        long bestStep() {
            return bestStep;
        }
    }
}

package io.latentflow.model.train;

import io.latentflow.model.eval.PairedBootstrap;

/**
 * When a run stops before its budget, and which of its weights it keeps. The weight average is validated every
 * {@code everySteps} steps, each validation image's PSNR compared with the same image's under the best weights so far:
 * the mean change with its paired bootstrap 95 % interval (the promotion gate's {@link PairedBootstrap}). A change
 * counts only when it is larger than {@code minGainDb} AND its interval leaves out zero; anything else is a tie, a
 * change this validation set cannot tell from noise.
 *
 * <ul>
 *   <li>better: the new best, and its weights are kept;</li>
 *   <li>a tie: its weights are kept, the best stays the yardstick (so a slow drift down adds up against it): later
 *       weights have trained on more of the planned passes and are as good as the validation can tell;</li>
 *   <li>worse: not kept; {@code patience} worse validations in a row stop the run.</li>
 * </ul>
 *
 * Why not stop after validations without a gain, as before: on 12 validation images a curve that is flat within
 * noise stopped fine-tunes at a third of their plan and kept weights of its first tenth, which did worse on kinds of
 * images held out from everything than the weights of the whole plan (docs/fine-tuning.md). A run stops on evidence
 * that it is getting worse, not on the absence of evidence that it is getting better.
 *
 * @param everySteps steps between validations
 * @param patience   worse validations in a row before it stops
 * @param minGainDb  the smallest mean change that counts, dB, on top of its interval leaving out zero
 */
public record EarlyStopping(long everySteps, int patience, double minGainDb) {

    public EarlyStopping {
        if (everySteps < 1 || patience < 1 || !(minGainDb >= 0)) {
            throw new IllegalArgumentException("early stopping every " + everySteps + " steps with patience "
                    + patience + " and a minimum gain of " + minGainDb + " dB: use positive steps and patience and"
                    + " a gain of 0 or more");
        }
    }

    /** What one validation was, against the best weights before it. */
    enum Verdict { FIRST, BETTER, TIE, WORSE }

    /** What a run does after a validation: which weights it keeps, and whether it goes on. */
    static final class Tracker {
        private final EarlyStopping rule;
        private final PairedBootstrap bootstrap = PairedBootstrap.defaults();
        private double[] best;
        private long bestStep = -1;
        private long keptStep = -1;
        private double keptPsnr = Double.NaN;
        private int worseInARow;
        private PairedBootstrap.Interval lastChange;

        Tracker(EarlyStopping rule) {
            this.rule = rule;
        }

        /**
         * @param imagePsnrs each validation image's PSNR, in the same order every time
         * @return the verdict; the caller keeps these weights unless it is {@link Verdict#WORSE}
         */
        Verdict validated(long step, double[] imagePsnrs) {
            if (best == null) {
                lastChange = null;
                return better(step, imagePsnrs, Verdict.FIRST);
            }
            lastChange = bootstrap.ofDifferences(best, imagePsnrs);
            if (lastChange.low() > 0 && lastChange.mean() > rule.minGainDb()) {
                return better(step, imagePsnrs, Verdict.BETTER);
            }
            if (lastChange.high() < 0 && lastChange.mean() < -rule.minGainDb()) {
                worseInARow++;
                return Verdict.WORSE;
            }
            worseInARow = 0;
            keep(step, imagePsnrs);
            return Verdict.TIE;
        }

        private Verdict better(long step, double[] imagePsnrs, Verdict verdict) {
            best = imagePsnrs.clone();
            bestStep = step;
            worseInARow = 0;
            keep(step, imagePsnrs);
            return verdict;
        }

        private void keep(long step, double[] imagePsnrs) {
            keptStep = step;
            keptPsnr = mean(imagePsnrs);
        }

        boolean shouldStop() {
            return worseInARow >= rule.patience();
        }

        /** The change of the last validation against the best before it; null after the first. */
        PairedBootstrap.Interval lastChange() {
            return lastChange;
        }

        long bestStep() {
            return bestStep;
        }

        double bestPsnr() {
            return mean(best);
        }

        long keptStep() {
            return keptStep;
        }

        double keptPsnr() {
            return keptPsnr;
        }

        private static double mean(double[] values) {
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            return sum / values.length;
        }
    }
}

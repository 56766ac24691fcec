package io.latentflow.model.train;

import io.latentflow.model.train.EarlyStopping.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EarlyStoppingTest {

    /** Twelve validation images' PSNRs, dB, with the spread real ones have. */
    private static final double[] START = {24.1, 27.3, 22.8, 25.9, 30.2, 21.4, 26.6, 23.7, 28.8, 25.0, 24.4, 27.9};

    /** Every image moved by {@code dB} plus its own noise of up to +-{@code noise} dB (fixed, not random). */
    private static double[] moved(double dB, double noise) {
        double[] psnrs = new double[START.length];
        for (int i = 0; i < psnrs.length; i++) {
            psnrs[i] = START[i] + dB + noise * Math.sin(7.3 * i + 1.1);
        }
        return psnrs;
    }

    @Test
    void aValidationThatMovesWithinItsNoiseNeitherStopsTheRunNorThrowsAwayTheLaterWeights() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(28, 3, 0.01));
        assertThat(tracker.validated(28, START)).isEqualTo(Verdict.FIRST);

        // per-image changes of +-0.3 dB around a mean of -0.05: a loss no wider than its noise
        for (long step = 56; step <= 280; step += 28) {
            assertThat(tracker.validated(step, moved(-0.05, 0.3))).as("step %d", step).isEqualTo(Verdict.TIE);
        }

        assertThat(tracker.shouldStop()).isFalse();
        assertThat(tracker.keptStep()).as("the later weights, as good as the validation can tell").isEqualTo(280);
        assertThat(tracker.bestStep()).isEqualTo(28);
    }

    @Test
    void patienceValidationsClearlyWorseThanTheBestStopTheRunAndKeepTheLastWeightsNotWorse() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(10, 2, 0.01));
        tracker.validated(10, START);
        assertThat(tracker.validated(20, moved(0.3, 0.05))).isEqualTo(Verdict.BETTER);
        assertThat(tracker.validated(30, moved(0.28, 0.2))).isEqualTo(Verdict.TIE);
        assertThat(tracker.validated(40, moved(0.1, 0.05))).isEqualTo(Verdict.WORSE);
        assertThat(tracker.shouldStop()).isFalse();
        assertThat(tracker.validated(50, moved(0.05, 0.05))).isEqualTo(Verdict.WORSE);

        assertThat(tracker.shouldStop()).isTrue();
        assertThat(tracker.bestStep()).isEqualTo(20);
        assertThat(tracker.keptStep()).isEqualTo(30);
        assertThat(tracker.lastChange().high()).isNegative();
    }

    @Test
    void aTieBetweenWorseValidationsStartsThePatienceAgain() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(10, 2, 0));
        tracker.validated(10, START);
        tracker.validated(20, moved(-0.2, 0.05));
        tracker.validated(30, moved(0, 0.2));
        tracker.validated(40, moved(-0.2, 0.05));

        assertThat(tracker.shouldStop()).isFalse();
        assertThat(tracker.keptStep()).isEqualTo(30);
    }

    @Test
    void aSlowDriftDownAddsUpAgainstTheBestInsteadOfMovingTheYardstick() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(10, 2, 0.01));
        tracker.validated(10, START);
        assertThat(tracker.validated(20, moved(-0.03, 0.15))).isEqualTo(Verdict.TIE);
        assertThat(tracker.validated(30, moved(-0.3, 0.15))).isEqualTo(Verdict.WORSE);
        assertThat(tracker.validated(40, moved(-0.4, 0.15))).isEqualTo(Verdict.WORSE);

        assertThat(tracker.shouldStop()).isTrue();
        assertThat(tracker.keptStep()).isEqualTo(20);
    }

    @Test
    void aGainSmallerThanTheMinimumIsATieEvenWhenEveryImageGains() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(new EarlyStopping(10, 2, 0.05));
        tracker.validated(10, START);

        assertThat(tracker.validated(20, moved(0.02, 0.001))).isEqualTo(Verdict.TIE);
        assertThat(tracker.bestStep()).isEqualTo(10);
        assertThat(tracker.keptStep()).isEqualTo(20);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new EarlyStopping(0, 3, 0.01)).hasMessageContaining("positive steps");
    }
}

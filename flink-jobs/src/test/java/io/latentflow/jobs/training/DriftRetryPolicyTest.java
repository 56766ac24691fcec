package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.jobs.training.DriftRetryPolicy.Action;
import io.latentflow.jobs.training.DriftRetryPolicy.Decision;
import io.latentflow.jobs.training.DriftRetryPolicy.DriftEpisode;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A refused drift request waits for the shortfall its refusal named, is asked again once the samples reach it, and
 * stops waiting when its version is replaced, its attempts are spent or its time is up.
 */
class DriftRetryPolicyTest {

    private static final DriftRetryPolicy POLICY = new DriftRetryPolicy(3, Duration.ofHours(6), Duration.ofSeconds(30),
            Duration.ofMinutes(5));
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();

    @Test
    void aRequestRefusedFor84MoreSamplesIsAskedAgainWhenTheStoreHoldsThe13ItHadPlus84() {
        DriftEpisode episode = new DriftEpisode();

        Decision refused = POLICY.refused(episode, 13, 84, "v1", HOUR);

        assertThat(refused.action()).isEqualTo(Action.WAIT);
        assertThat(refused.missingSamples()).isEqualTo(84);
        assertThat(POLICY.check(episode, true, 96, 96, 2 * HOUR).action()).isEqualTo(Action.WAIT);
        assertThat(POLICY.check(episode, true, 96, 96, 2 * HOUR).missingSamples()).isEqualTo(1);
        assertThat(POLICY.check(episode, true, 97, 97, 2 * HOUR).action()).isEqualTo(Action.ASK);
    }

    @Test
    void aRetryRefusedAgainWaitsForTheShortfallBeyondWhatTheStoreListedWhenItWasAsked() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 13, 84, "v1", HOUR);
        episode.attempt = 2; // asked at 120 listed samples, of which the fine-tune kept 90 distinct images
        episode.samplesWhenAsked = 120;
        episode.waiting = false;

        POLICY.refused(episode, 90, 10, "v1", 2 * HOUR);

        assertThat(POLICY.check(episode, true, 120, 120, 2 * HOUR).action())
                .as("the same listing that was not enough is not asked again").isEqualTo(Action.WAIT);
        assertThat(POLICY.check(episode, true, 130, 130, 2 * HOUR).action()).isEqualTo(Action.ASK);
    }

    @Test
    void anotherServingVersionEndsTheWait() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 13, 84, "v1", HOUR);

        Decision decision = POLICY.check(episode, false, 500, 500, 2 * HOUR);

        assertThat(decision.action()).isEqualTo(Action.GIVE_UP);
        assertThat(decision.reason()).contains("v1 no longer serves");
    }

    @Test
    void samplesThatNeverComeEndTheWaitAfterMaxWaitCountedFromTheFirstRefusal() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 13, 84, "v1", HOUR);

        assertThat(POLICY.check(episode, true, 50, 50, HOUR + 6 * HOUR - 1).action()).isEqualTo(Action.WAIT);
        assertThat(POLICY.check(episode, true, 50, 50, HOUR + 6 * HOUR).action()).isEqualTo(Action.GIVE_UP);
    }

    @Test
    void aStreamThatStopsShortWidensOnceToTheSamplesSincePromotionAfterTheQuietPeriod() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 72, 24, "v1", HOUR); // 96 needed since the alert's window

        assertThat(POLICY.check(episode, true, 80, 336, HOUR + MINUTE).action()).isEqualTo(Action.WAIT);
        assertThat(POLICY.check(episode, true, 80, 336, HOUR + 5 * MINUTE).action())
                .as("4 min without a sample is not yet quiet").isEqualTo(Action.WAIT);
        Decision widened = POLICY.check(episode, true, 80, 336, HOUR + 6 * MINUTE);

        assertThat(widened.action()).isEqualTo(Action.ASK_WIDER);
        assertThat(widened.reason()).contains("336 samples since the serving version was promoted");
    }

    @Test
    void samplesThatKeepComingPostponeWidening() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 72, 24, "v1", HOUR);

        for (int minute = 1, count = 73; minute <= 20; minute++, count++) {
            assertThat(POLICY.check(episode, true, Math.min(count, 95), 400, HOUR + minute * MINUTE).action())
                    .as("minute %d", minute).isEqualTo(Action.WAIT);
        }
    }

    @Test
    void aStreamThatStopsWithTooFewSamplesSincePromotionTooWaitsOn() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 13, 84, "v1", HOUR);
        POLICY.check(episode, true, 13, 60, HOUR + MINUTE);

        assertThat(POLICY.check(episode, true, 13, 60, HOUR + 30 * MINUTE).action()).isEqualTo(Action.WAIT);
    }

    @Test
    void aWidenedEpisodeDoesNotWidenAgain() {
        DriftEpisode episode = new DriftEpisode();
        POLICY.refused(episode, 72, 24, "v1", HOUR);
        episode.widened = true; // asked at 336 since promotion, refused for 30 more
        episode.samplesWhenAsked = 336;
        POLICY.refused(episode, 330, 30, "v1", 2 * HOUR);
        POLICY.check(episode, true, 336, 336, 2 * HOUR + MINUTE);

        assertThat(POLICY.check(episode, true, 336, 336, 3 * HOUR).action()).isEqualTo(Action.WAIT);
        assertThat(POLICY.check(episode, true, 366, 366, 3 * HOUR).action()).isEqualTo(Action.ASK);
    }

    @Test
    void theLastAttemptRefusedIsNotAskedAgain() {
        DriftEpisode episode = new DriftEpisode();
        episode.attempt = 3;

        assertThat(POLICY.refused(episode, 40, 60, "v1", HOUR).action()).isEqualTo(Action.GIVE_UP);
    }

    @Test
    void aRefusalThatMoreRecentSamplesCannotCureIsNotAskedAgain() {
        assertThat(POLICY.refused(new DriftEpisode(), 400, 0, "v1", HOUR).action()).isEqualTo(Action.GIVE_UP);
    }

    @Test
    void attemptsMapBackToTheirEpisodeAndOnlyDriftOutcomesCount() {
        assertThat(RefusedDriftRequests.episodeOf("drift-v1-1700000000000-attempt-3")).hasValue("drift-v1-1700000000000");
        assertThat(RefusedDriftRequests.episodeOf("drift-v1-1700000000000")).hasValue("drift-v1-1700000000000");
        assertThat(RefusedDriftRequests.episodeOf("user-2026-12-06T18:00:00Z")).isEmpty();
        assertThat(RefusedDriftRequests.attemptId("drift-v1-17", 1)).isEqualTo("drift-v1-17");
        assertThat(RefusedDriftRequests.attemptId("drift-v1-17", 2)).isEqualTo("drift-v1-17-attempt-2");

        assertThat(RefusedDriftRequests.isDriftOutcome(progress("drift-v1-17", TrainingState.REFUSED, Map.of())))
                .isTrue();
        assertThat(RefusedDriftRequests.isDriftOutcome(progress("drift-v1-17", TrainingState.REFUSED,
                Map.of(RefusedDriftRequests.WAITING_FOR_SAMPLES, 84.0)))).as("its own waiting note").isFalse();
        assertThat(RefusedDriftRequests.isDriftOutcome(progress("drift-v1-17", TrainingState.TRAINING, Map.of())))
                .isFalse();
        assertThat(RefusedDriftRequests.isDriftOutcome(progress("manual-1", TrainingState.PROMOTED, Map.of())))
                .isFalse();
    }

    private static TrainingProgress progress(String id, TrainingState state, Map<String, Double> figures) {
        return TrainingProgress.newBuilder().setRequestId(id).setTime(Instant.EPOCH).setState(state)
                .setFigures(figures).build();
    }
}

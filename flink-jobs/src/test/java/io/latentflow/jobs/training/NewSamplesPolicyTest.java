package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** New samples ask for a fine-tune once there are enough since the later of promotion and the last request. */
class NewSamplesPolicyTest {

    private static final NewSamplesPolicy POLICY = NewSamplesPolicy.of(256, Duration.ofMinutes(30));
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    @Test
    void theSamplesOfTheIssuesStreamAskAndFewerDoNot() {
        assertThat(POLICY.asks(336, null, MINUTE)).isTrue();
        assertThat(POLICY.asks(255, null, MINUTE)).isFalse();
    }

    @Test
    void itAsksAgainOnlyAfterTheCooldown() {
        long asked = 10 * MINUTE;

        assertThat(POLICY.asks(400, asked, asked + 29 * MINUTE)).isFalse();
        assertThat(POLICY.asks(400, asked, asked + 30 * MINUTE)).isTrue();
    }

    @Test
    void theCountStartsAtTheLaterOfThePromotionAndTheLastRequest() {
        Instant promoted = Instant.parse("2026-12-06T20:00:00Z");

        assertThat(NewSamplesPolicy.countFrom(promoted, null)).isEqualTo(promoted);
        assertThat(NewSamplesPolicy.countFrom(promoted, promoted.minusSeconds(60).toEpochMilli())).isEqualTo(promoted);
        assertThat(NewSamplesPolicy.countFrom(promoted, promoted.plusSeconds(60).toEpochMilli()))
                .isEqualTo(promoted.plusSeconds(60));
    }

    @Test
    void aPolicyThatCouldNeverAskIsRefused() {
        assertThatThrownBy(() -> NewSamplesPolicy.of(0, Duration.ofMinutes(30)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

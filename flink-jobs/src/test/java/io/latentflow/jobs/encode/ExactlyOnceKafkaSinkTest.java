package io.latentflow.jobs.encode;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How long a checkpoint may take so that no transaction of the exactly-once sinks outlives its timeout. */
class ExactlyOnceKafkaSinkTest {

    @Test
    void twoCheckpointsAndTheIntervalFitInTheTransactionTimeout() {
        Duration interval = Duration.ofSeconds(5);
        Duration transaction = Duration.ofMinutes(5);

        Duration checkpoint = ExactlyOnceKafkaSink.checkpointTimeout(interval, transaction);

        assertThat(checkpoint.multipliedBy(2).plus(interval)).isLessThanOrEqualTo(transaction);
        assertThat(checkpoint).isEqualTo(Duration.ofMillis(147_500));
    }

    @Test
    void flinksDefaultIsKeptWhenTheTransactionTimeoutLeavesRoomForIt() {
        assertThat(ExactlyOnceKafkaSink.checkpointTimeout(EncodeJobSettings.DEFAULT_CHECKPOINT_INTERVAL,
                Duration.ofHours(1))).isEqualTo(ExactlyOnceKafkaSink.FLINK_DEFAULT_CHECKPOINT_TIMEOUT);
        assertThat(ExactlyOnceKafkaSink.checkpointTimeout(EncodeJobSettings.DEFAULT_CHECKPOINT_INTERVAL,
                EncodeJobSettings.DEFAULT_TRANSACTION_TIMEOUT)).isEqualTo(Duration.ofMillis(447_500));
    }

    @Test
    void aTransactionTimeoutThatLeavesACheckpointLessThanAnIntervalIsRefusedWithWhatToUse() {
        assertThatThrownBy(() -> ExactlyOnceKafkaSink.checkpointTimeout(Duration.ofSeconds(5), Duration.ofSeconds(12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT12S is too short for checkpoints every PT5S")
                .hasMessageContaining("at least PT15S");
        assertThatThrownBy(() -> EncodeJobSettings.builder(new io.latentflow.connections.KafkaSettings("127.0.0.1:1"),
                        new io.latentflow.connections.S3Settings("http://127.0.0.1:1", "a", "b", "us-east-1", "c"))
                .checkpointInterval(Duration.ofSeconds(5)).transactionTimeout(Duration.ofSeconds(12)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transactionTimeout").hasMessageContaining("three checkpoint intervals");
    }
}

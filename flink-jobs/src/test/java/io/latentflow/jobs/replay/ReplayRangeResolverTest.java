package io.latentflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.infra.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranges are checked against a real broker before any job starts: what retention deleted, what is past the end, an end
 * before its start and an empty range are refused with what the topic holds and what to give instead.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplayRangeResolverTest {

    private static final String TOPIC = "replay-range-test";
    private static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");

    @TempDir
    static Path state;

    static EmbeddedKafka kafka;

    /** Partition 0: offsets 0..9 at T0 + i minutes, of which retention deleted 0..3; partition 1: offsets 0..4. */
    @BeforeAll
    static void topicWithDeletedRecords() throws Exception {
        kafka = EmbeddedKafka.start(state);
        kafka.createTopics(2, TOPIC);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, T0.plusSeconds(60L * i).toEpochMilli(), null,
                        new byte[] {(byte) i})).get();
            }
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 1, T0.plusSeconds(60L * i).toEpochMilli(), null,
                        new byte[] {(byte) i})).get();
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // what retention does: the log start offset moves past the deleted records
            admin.deleteRecords(Map.of(new TopicPartition(TOPIC, 0), RecordsToDelete.beforeOffset(4))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void theWholeTopicIsWhatRetentionLeft() {
        ReplayRange range = resolve(RangeBound.EDGE, RangeBound.EDGE);
        assertThat(range.from()).isEqualTo(Map.of(0, 4L, 1, 0L));
        assertThat(range.to()).isEqualTo(Map.of(0, 10L, 1, 5L));
        assertThat(range.records()).isEqualTo(11);
    }

    @Test
    void offsetsAndTimesSelectTheirRecords() {
        ReplayRange offsets = resolve(RangeBound.offsets("--from-offset", "0:5"),
                RangeBound.offsets("--to-offset", "0:8"));
        assertThat(offsets.from()).isEqualTo(Map.of(0, 5L)).as("only the partitions named");
        assertThat(offsets.to()).isEqualTo(Map.of(0, 8L));

        ReplayRange times = resolve(RangeBound.time("--from-time", T0.plusSeconds(120).toString()),
                RangeBound.time("--to-time", T0.plusSeconds(360).toString()));
        assertThat(times.from()).isEqualTo(Map.of(0, 4L, 1, 2L)).as("deleted records are not found by time");
        assertThat(times.to()).isEqualTo(Map.of(0, 6L, 1, 5L));
    }

    @Test
    void offsetsRetentionDeletedAreRefusedWithWhereThePartitionNowStarts() {
        assertThatThrownBy(() -> resolve(RangeBound.offsets("--from-offset", "0:1,1:0"), RangeBound.EDGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offsets 1..3 of " + TOPIC + " partition 0 no longer exist")
                .hasMessageContaining("retention")
                .hasMessageContaining("--from-offset 0:4");
    }

    @Test
    void anEndBeforeItsStartIsRefused() {
        assertThatThrownBy(() -> resolve(RangeBound.offsets("--from-offset", "0:7"),
                RangeBound.offsets("--to-offset", "0:5")))
                .hasMessageContaining("the end of the range is before its start")
                .hasMessageContaining("to 5 < from 7");
        assertThatThrownBy(() -> resolve(RangeBound.time("--from-time", T0.plusSeconds(300).toString()),
                RangeBound.time("--to-time", T0.toString())))
                .hasMessageContaining("is before --from-time");
    }

    @Test
    void anEmptyRangeAndOffsetsPastTheEndAreRefused() {
        assertThatThrownBy(() -> resolve(RangeBound.offsets("--from-offset", "0:6"),
                RangeBound.offsets("--to-offset", "0:6")))
                .hasMessageContaining("holds no record")
                .hasMessageContaining("0:[4, 10) 1:[0, 5)");
        assertThatThrownBy(() -> resolve(RangeBound.time("--from-time", T0.plusSeconds(3600).toString()),
                RangeBound.EDGE))
                .hasMessageContaining("holds no record");
        assertThatThrownBy(() -> resolve(RangeBound.EDGE, RangeBound.offsets("--to-offset", "1:9")))
                .hasMessageContaining("past the end");
        assertThatThrownBy(() -> RangeBound.offsets("--from-offset", "0=5"))
                .hasMessageContaining("is not PARTITION:OFFSET");
    }

    @Test
    void aTopicThatDoesNotExistIsRefused() {
        try (ReplayRangeResolver resolver = new ReplayRangeResolver(kafka.settings())) {
            assertThatThrownBy(() -> resolver.resolve("no-such-topic", RangeBound.EDGE, RangeBound.EDGE))
                    .hasMessageContaining("does not exist");
        }
    }

    private static ReplayRange resolve(RangeBound start, RangeBound end) {
        try (ReplayRangeResolver resolver = new ReplayRangeResolver(kafka.settings())) {
            return resolver.resolve(TOPIC, start, end);
        }
    }
}

package io.latentflow.schemas;

import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.MalformedRecordException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what a transactional producer committed to a topic: read_committed, from given offsets up to
 * the current end. Used to count what a run produced without trusting the job's own counters.
 */
public final class CommittedTopicReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;

    /** A reader of a PLAINTEXT cluster. */
    public CommittedTopicReader(String bootstrapServers) {
        this(plaintext(bootstrapServers));
    }

    /** A reader with these client properties: the address and how to connect (a secured cluster's SASL and SSL). */
    public CommittedTopicReader(Properties clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(32 * 1024 * 1024));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Properties plaintext(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** The offsets a later {@link #readFrom} starts at to see only what is written after now. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        List<TopicPartition> partitions = partitions(topic);
        return new HashMap<>(consumer.endOffsets(partitions));
    }

    public <T extends SpecificRecord> List<T> readFrom(String topic, Map<TopicPartition, Long> start, AvroCodec<T> codec) {
        List<TopicPartition> partitions = partitions(topic);
        consumer.assign(partitions);
        for (TopicPartition partition : partitions) {
            consumer.seek(partition, start.getOrDefault(partition, 0L));
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<T> records = new ArrayList<>();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!reached(end) && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                try {
                    records.add(codec.decode(record.value()));
                } catch (MalformedRecordException e) {
                    throw new IllegalStateException(topic + "-" + record.partition() + "@" + record.offset()
                            + " is not a " + codec.type().getSimpleName() + ": " + e.getMessage(), e);
                }
            }
        }
        return records;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private List<TopicPartition> partitions(String topic) {
        return consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

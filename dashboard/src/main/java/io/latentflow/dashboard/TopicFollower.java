package io.latentflow.dashboard;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.MalformedRecordException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows topics from their beginning on a background thread and hands every committed record to its topic's
 * handler. Reads {@code read_committed}, because the monitor writes transactionally and an aborted window must never
 * show. Assigns partitions itself instead of joining a consumer group: every dashboard reads everything, and a topic
 * that does not exist yet (the monitor has not started) is picked up when it appears.
 */
final class TopicFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
    private static final long DISCOVERY_INTERVAL_MS = 5_000;

    private final KafkaSettings kafka;
    private final Map<String, RecordHandler> handlers = new LinkedHashMap<>();
    /** Per topic: how many of each partition's last records to read; absent: read from the beginning. */
    private final Map<String, Long> lastRecordsOnly = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private final FollowerStatus status = new FollowerStatus();

    TopicFollower(KafkaSettings kafka) {
        this.kafka = kafka;
        this.thread = new Thread(this::run, "dashboard-topic-follower");
        this.thread.setDaemon(true);
    }

    /**
     * Decodes {@code topic}'s records, from the beginning, with {@code codec} into {@code sink}. A record that does not
     * decode is skipped with one log line naming it: a bad record must not stop the dashboard.
     */
    <T extends SpecificRecord> TopicFollower follow(String topic, AvroCodec<T> codec, Consumer<T> sink) {
        if (thread.isAlive()) {
            throw new IllegalStateException("add topics before starting to follow them");
        }
        handlers.put(topic, bytes -> sink.accept(codec.decode(bytes)));
        return this;
    }

    /** Like {@link #follow}, but starts at the last {@code records} records of each partition. */
    <T extends SpecificRecord> TopicFollower followRecent(String topic, long records, AvroCodec<T> codec,
                                                          Consumer<T> sink) {
        follow(topic, codec, sink);
        lastRecordsOnly.put(topic, records);
        return this;
    }

    TopicFollower start() {
        thread.start();
        return this;
    }

    FollowerStatus status() {
        return status;
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> created = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = created;
            Set<TopicPartition> assigned = new HashSet<>();
            long nextDiscovery = 0;
            while (running) {
                if (System.currentTimeMillis() >= nextDiscovery) {
                    assignNewPartitions(created, assigned);
                    nextDiscovery = System.currentTimeMillis() + DISCOVERY_INTERVAL_MS;
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(POLL.toMillis());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : created.poll(POLL)) {
                    handle(record);
                }
                status.polled();
            }
        } catch (WakeupException e) {
            // close() woke the consumer up: stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            status.failed(e);
            LOG.error("The dashboard stopped reading {} from {}: {}", handlers.keySet(), kafka.bootstrapServers(),
                    e.toString());
        }
    }

    private void assignNewPartitions(KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> assigned) {
        Set<TopicPartition> found = new HashSet<>(assigned);
        for (String topic : handlers.keySet()) {
            try {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
                partitions.forEach(p -> found.add(new TopicPartition(p.topic(), p.partition())));
                status.reached();
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                status.unreachable("cannot read the partitions of " + topic + " from " + kafka.bootstrapServers()
                        + ": " + e.getMessage());
            }
        }
        Set<TopicPartition> added = new HashSet<>(found);
        added.removeAll(assigned);
        if (added.isEmpty()) {
            return;
        }
        consumer.assign(found); // partitions already assigned keep their positions
        List<TopicPartition> fromBeginning = added.stream()
                .filter(p -> !lastRecordsOnly.containsKey(p.topic())).toList();
        consumer.seekToBeginning(fromBeginning);
        List<TopicPartition> recentOnly = added.stream().filter(p -> lastRecordsOnly.containsKey(p.topic())).toList();
        if (!recentOnly.isEmpty()) {
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(recentOnly, METADATA_TIMEOUT);
            Map<TopicPartition, Long> end = consumer.endOffsets(recentOnly, METADATA_TIMEOUT);
            recentOnly.forEach(p -> consumer.seek(p, Math.max(begin.get(p), end.get(p) - lastRecordsOnly.get(p.topic()))));
        }
        assigned.addAll(added);
        LOG.info("Dashboard reading {} on {}", added, kafka.bootstrapServers());
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        try {
            handlers.get(record.topic()).accept(record.value());
            status.read(record.topic());
        } catch (MalformedRecordException | RuntimeException e) {
            status.skipped();
            LOG.warn("Dashboard skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e instanceof MalformedRecordException ? e.getMessage() : e.toString());
        }
    }

    private Properties consumerConfig() {
        Properties config = kafka.clientProperties();
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "latentflow-dashboard");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    /** Stops reading and waits for the thread to end. */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface RecordHandler {
        void accept(byte[] value) throws MalformedRecordException;
    }
}

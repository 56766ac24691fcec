package io.latentflow.registry;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.MalformedRecordException;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code model-events} log from its beginning on a thread of its own and keeps the {@link ServingTimeline}
 * it adds up to, with the wall-clock time as of which that view is complete (the time it last read up to the end
 * offsets it fetched at that time). An encoder asks for the timeline {@link #covering} an image's timestamp: the view is
 * complete enough once it is complete as of {@code timestamp - }{@link ServingTimeline#READ_HORIZON}.
 */
public final class ModelEventsFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelEventsFollower.class);
    private static final AvroCodec<ModelEvent> CODEC = AvroCodec.of(ModelEvent.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration REJECTION_WAIT = Duration.ofSeconds(30);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.MODEL_EVENTS, 0);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Consumer<ServingTimeline> onChange;
    private final Thread thread;
    private final List<ModelEvent> events = new ArrayList<>();

    private ServingTimeline timeline = ServingTimeline.EMPTY;
    private long completeAsOf = Long.MIN_VALUE;
    private RuntimeException failure;
    private volatile boolean closed;

    /** @param onChange called on the follower's thread with every new timeline, e.g. to load its latest version */
    public ModelEventsFollower(KafkaSettings kafka, Consumer<ServingTimeline> onChange) {
        ModelRegistry.ensureTopic(kafka);
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.onChange = onChange;
        consumer.assign(List.of(PARTITION));
        consumer.seekToBeginning(List.of(PARTITION));
        this.thread = new Thread(this::follow, "model-events-follower");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The timeline as complete as an image stamped {@code timestamp} needs it; waits (a few hundred milliseconds at
     * most while the follower is healthy) until it is.
     */
    public synchronized ServingTimeline covering(long timestamp) throws InterruptedException {
        long needed = timestamp - ServingTimeline.READ_HORIZON.toMillis();
        while (completeAsOf < needed) {
            if (failure != null) {
                throw new IllegalStateException("cannot read " + Topics.MODEL_EVENTS + ": " + failure.getMessage(),
                        failure);
            }
            wait(POLL.toMillis());
        }
        return timeline;
    }

    /** Waits until the log shows {@code version} REJECTED (its promotions gone from the timeline). */
    public synchronized void awaitRejection(String version) throws InterruptedException {
        long deadline = System.currentTimeMillis() + REJECTION_WAIT.toMillis();
        while (timeline.changes().stream().anyMatch(change -> version.equals(change.version()))) {
            if (failure != null || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the rejection of model version " + version + " did not appear on "
                        + Topics.MODEL_EVENTS + " within " + REJECTION_WAIT.toSeconds() + " s"
                        + (failure != null ? ": " + failure.getMessage() : ""), failure);
            }
            wait(POLL.toMillis());
        }
    }

    /** The timeline as far as read now, complete or not. */
    public synchronized ServingTimeline current() {
        return timeline;
    }

    private void follow() {
        try {
            while (!closed) {
                long asOf = System.currentTimeMillis();
                long end = consumer.endOffsets(List.of(PARTITION)).get(PARTITION);
                List<ModelEvent> fresh = new ArrayList<>();
                do {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        decode(record).ifPresent(fresh::add);
                    }
                } while (consumer.position(PARTITION) < end && !closed);
                ServingTimeline changed = advance(fresh, asOf);
                if (changed != null) {
                    onChange.accept(changed);
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.error("Stopped following {}: {}", Topics.MODEL_EVENTS, e.toString(), e);
                synchronized (this) {
                    failure = e;
                    notifyAll();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Every follower skips the same undecodable record, so they still agree on the timeline. */
    private static Optional<ModelEvent> decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Optional.of(CODEC.decode(record.value()));
        } catch (MalformedRecordException e) {
            LOG.warn("Skipping {}-{}@{}: not a ModelEvent ({})", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Adds what was read and moves the completeness mark; returns the new timeline if it changed. */
    private synchronized ServingTimeline advance(List<ModelEvent> fresh, long asOf) {
        completeAsOf = asOf;
        notifyAll();
        if (fresh.isEmpty()) {
            return null;
        }
        events.addAll(fresh);
        ServingTimeline next = ServingTimeline.of(events);
        if (next.equals(timeline)) {
            return null;
        }
        LOG.info("Serving timeline after {} model events: {}", events.size(), next.changes());
        timeline = next;
        return next;
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

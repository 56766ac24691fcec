package io.latentflow.jobs.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import io.latentflow.connections.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Turns the bounds a user gave into offsets of the topic as it is now, and refuses a range that cannot be replayed
 * before any job starts: offsets retention already deleted, offsets past the end, an end before its start, or a
 * range with no record. Every refusal names the partition, the offsets the topic has, and what to give instead.
 */
public final class ReplayRangeResolver implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;

    public ReplayRangeResolver(KafkaSettings kafka) {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** @throws IllegalArgumentException when the range cannot be replayed; the message says why and what to do */
    public ReplayRange resolve(String topic, RangeBound start, RangeBound end) {
        List<TopicPartition> partitions = partitions(topic);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
        if (start instanceof RangeBound.Time from && end instanceof RangeBound.Time to
                && to.time().isBefore(from.time())) {
            throw new IllegalArgumentException("--to-time " + to.time() + " is before --from-time " + from.time()
                    + ": give an end after the start");
        }
        Map<Integer, Long> from = new HashMap<>();
        Map<Integer, Long> to = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Long first = startOf(start, partition, beginnings, ends);
            if (first == null) {
                continue; // a partition --from-offset does not name is not replayed
            }
            from.put(partition.partition(), first);
            to.put(partition.partition(), endOf(end, partition, ends));
        }
        if (start instanceof RangeBound.Offsets named) {
            for (int partition : named.offsets().keySet()) {
                if (!from.containsKey(partition)) {
                    throw new IllegalArgumentException("--from-offset names partition " + partition + ", but " + topic
                            + " has partitions 0.." + (partitions.size() - 1));
                }
            }
        }
        if (end instanceof RangeBound.Offsets named) {
            for (int partition : named.offsets().keySet()) {
                if (!from.containsKey(partition)) {
                    throw new IllegalArgumentException("--to-offset names partition " + partition + ", which the"
                            + " range does not replay (replayed: " + from.keySet() + ")");
                }
            }
        }
        for (int partition : from.keySet()) {
            check(topic, partition, from.get(partition), to.get(partition),
                    beginnings.get(new TopicPartition(topic, partition)), ends.get(new TopicPartition(topic, partition)));
        }
        ReplayRange range = new ReplayRange(topic, from, to);
        if (range.records() == 0) {
            throw new IllegalArgumentException("the range " + range.describe() + " holds no record: nothing to replay"
                    + " (the topic holds " + holdings(topic, beginnings, ends) + "); give other bounds, e.g."
                    + " --from-beginning --to-end");
        }
        return range;
    }

    private Long startOf(RangeBound start, TopicPartition partition, Map<TopicPartition, Long> beginnings,
                         Map<TopicPartition, Long> ends) {
        if (start instanceof RangeBound.Offsets offsets) {
            return offsets.offsets().get(partition.partition());
        }
        if (start instanceof RangeBound.Time time) {
            return offsetAt(partition, time, ends);
        }
        return beginnings.get(partition);
    }

    private long endOf(RangeBound end, TopicPartition partition, Map<TopicPartition, Long> ends) {
        if (end instanceof RangeBound.Offsets offsets) {
            return offsets.offsets().getOrDefault(partition.partition(), ends.get(partition));
        }
        if (end instanceof RangeBound.Time time) {
            return offsetAt(partition, time, ends);
        }
        return ends.get(partition);
    }

    /** The first offset at or after the time; the end when every record is older. */
    private long offsetAt(TopicPartition partition, RangeBound.Time time, Map<TopicPartition, Long> ends) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(partition, time.time().toEpochMilli()), TIMEOUT)
                .get(partition);
        return found == null ? ends.get(partition) : found.offset();
    }

    private static void check(String topic, int partition, long from, long to, long beginning, long end) {
        if (from < beginning) {
            throw new IllegalArgumentException("offsets " + from + ".." + (beginning - 1) + " of " + topic + " partition "
                    + partition + " no longer exist: retention deleted them, the partition now starts at " + beginning
                    + ". Start at --from-offset " + partition + ":" + beginning + " or later (or --from-beginning)");
        }
        if (from > end) {
            throw new IllegalArgumentException("--from offset " + from + " of " + topic + " partition " + partition
                    + " is past its end (" + end + "): nothing was written there yet");
        }
        if (to < from) {
            throw new IllegalArgumentException("the end of the range is before its start on " + topic + " partition "
                    + partition + ": to " + to + " < from " + from + ". Give a --to after the --from");
        }
        if (to > end) {
            throw new IllegalArgumentException("--to-offset " + partition + ":" + to + " is past the end of " + topic
                    + " partition " + partition + " (" + end + "); use --to-end for everything written so far");
        }
    }

    private static String holdings(String topic, Map<TopicPartition, Long> beginnings, Map<TopicPartition, Long> ends) {
        List<String> parts = new ArrayList<>();
        beginnings.keySet().stream().sorted((a, b) -> Integer.compare(a.partition(), b.partition())).forEach(p ->
                parts.add(p.partition() + ":[" + beginnings.get(p) + ", " + ends.get(p) + ")"));
        return String.join(" ", parts);
    }

    private List<TopicPartition> partitions(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("topic " + topic + " does not exist on this Kafka: nothing to replay"
                    + " (stream images with 'latentflow demo' or 'latentflow ingest' first)");
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition()))
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}

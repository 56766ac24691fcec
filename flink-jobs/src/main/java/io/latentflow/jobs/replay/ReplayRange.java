package io.latentflow.jobs.replay;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The records of one topic a replay reads: per partition, from {@code from} (inclusive) to {@code to} (exclusive),
 * as Kafka's own end offsets are. Checked against the topic by {@link ReplayRangeResolver}, so every offset in it
 * still exists and no partition's range is reversed.
 */
public record ReplayRange(String topic, Map<Integer, Long> from, Map<Integer, Long> to) implements Serializable {

    public ReplayRange {
        from = new TreeMap<>(from);
        to = new TreeMap<>(to);
        if (!from.keySet().equals(to.keySet())) {
            throw new IllegalArgumentException("a replay range needs a start and an end for the same partitions, got "
                    + from.keySet() + " and " + to.keySet());
        }
    }

    /** Records in the range: the images to replay, dead letters included. */
    public long records() {
        return from.keySet().stream().mapToLong(p -> Math.max(0, to.get(p) - from.get(p))).sum();
    }

    /** e.g. {@code images 0:[0, 120) 1:[0, 118)}. */
    public String describe() {
        return topic + " " + from.keySet().stream().map(p -> p + ":[" + from.get(p) + ", " + to.get(p) + ")")
                .collect(Collectors.joining(" "));
    }

    /** A key of the range that is the same however often it is replayed. */
    public String key() {
        return topic + "/" + from.keySet().stream().map(p -> p + "-" + from.get(p) + "-" + to.get(p))
                .collect(Collectors.joining("_"));
    }
}

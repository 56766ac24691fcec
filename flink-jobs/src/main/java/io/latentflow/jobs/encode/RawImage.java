package io.latentflow.jobs.encode;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record of the images topic, exactly as it arrived: where it came from and its undecoded
 * value. Decoding happens downstream so that a value that is not even Avro still becomes a dead
 * letter naming its topic, partition and offset instead of failing the source.
 *
 * <p>A Flink POJO (public fields, no-argument constructor) so it travels without Kryo.
 */
public class RawImage {

    public String topic;
    public int partition;
    public long offset;
    /** Kafka record timestamp, milliseconds since the epoch. */
    public long timestamp;
    /** The record value; null for a tombstone. */
    public byte[] value;

    public RawImage() {
    }

    public RawImage(String topic, int partition, long offset, long timestamp, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.value = value;
    }

    /** topic-partition@offset, the way operators name an input in logs and messages. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RawImage that)) {
            return false;
        }
        return partition == that.partition && offset == that.offset && timestamp == that.timestamp
                && Objects.equals(topic, that.topic) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return "RawImage{" + position() + ", " + (value == null ? "null" : value.length + " bytes") + "}";
    }
}

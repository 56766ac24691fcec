package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.RawImage;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.MalformedRecordException;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * The event time of a raw images record: its {@code ImageRecord.eventTime}, read where the Kafka source assigns
 * timestamps, so that the source keeps one watermark per partition (partitions read at different paces would
 * otherwise make each other's images late). A record that is not an ImageRecord keeps its Kafka timestamp; it
 * becomes a dead letter downstream anyway.
 */
public final class ImageEventTime implements SerializableTimestampAssigner<RawImage> {

    private static final long serialVersionUID = 1L;

    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);

    @Override
    public long extractTimestamp(RawImage raw, long kafkaTimestamp) {
        if (raw.value == null) {
            return kafkaTimestamp;
        }
        try {
            return codec.decode(raw.value).getEventTime().toEpochMilli();
        } catch (MalformedRecordException | RuntimeException e) {
            return kafkaTimestamp;
        }
    }
}

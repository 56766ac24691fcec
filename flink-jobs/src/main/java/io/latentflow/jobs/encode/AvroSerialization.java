package io.latentflow.jobs.encode;

import io.latentflow.schemas.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Kafka record values for Flink's KafkaSink, in the project's wire format ({@link AvroCodec}). */
public final class AvroSerialization<T extends SpecificRecord> implements SerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final AvroCodec<T> codec;

    public AvroSerialization(Class<T> type) {
        this.codec = AvroCodec.of(type);
    }

    @Override
    public byte[] serialize(T record) {
        return codec.encode(record);
    }
}

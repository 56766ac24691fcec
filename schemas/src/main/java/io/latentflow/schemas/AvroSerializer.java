package io.latentflow.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing records with {@link AvroCodec}. Build it with the record class, or
 * let Kafka build it from config with {@link AvroSerdeConfig#RECORD_CLASS} set.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private AvroCodec<T> codec;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(Class<T> type) {
        this.codec = AvroCodec.of(type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec == null) {
            codec = AvroSerdeConfig.codecFrom(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("AvroSerializer used before configure(): set " + AvroSerdeConfig.RECORD_CLASS);
        }
        return codec.encode(record);
    }
}

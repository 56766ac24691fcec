package io.latentflow.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing records with {@link AvroCodec}. Build it with the record class, or
 * let Kafka build it from config with {@link AvroSerdeConfig#RECORD_CLASS} set.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final SerdeCodec<T> codec;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {
        this.codec = SerdeCodec.fromConfig("AvroSerializer");
    }

    public AvroSerializer(Class<T> type) {
        this.codec = SerdeCodec.of("AvroSerializer", type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        codec.configure(configs);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        return codec.codec().encode(record);
    }
}

package io.latentflow.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer reading records with {@link AvroCodec}. Build it with the record class, or
 * let Kafka build it from config with {@link AvroSerdeConfig#RECORD_CLASS} set.
 *
 * <p>Malformed bytes raise Kafka's {@link SerializationException}, which makes the consumer
 * stop at that record; a stream that must survive bad input reads raw bytes and calls
 * {@link AvroCodec#decode} itself, dead-lettering what fails.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final SerdeCodec<T> codec;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroDeserializer() {
        this.codec = SerdeCodec.fromConfig("AvroDeserializer");
    }

    public AvroDeserializer(Class<T> type) {
        this.codec = SerdeCodec.of("AvroDeserializer", type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        codec.configure(configs);
    }

    /** Null for a null value (a tombstone). */
    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return codec.codec().decode(bytes);
        } catch (MalformedRecordException e) {
            throw new SerializationException("Topic " + topic + ": " + e.getMessage(), e);
        }
    }
}

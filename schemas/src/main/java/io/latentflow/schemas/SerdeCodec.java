package io.latentflow.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The codec behind {@link AvroSerializer} and {@link AvroDeserializer}: given at construction, or
 * learnt from Kafka's config in {@code configure} when Kafka built the serde reflectively.
 */
final class SerdeCodec<T extends SpecificRecord> {

    private final String serdeName;
    private AvroCodec<T> codec;

    private SerdeCodec(String serdeName, AvroCodec<T> codec) {
        this.serdeName = serdeName;
        this.codec = codec;
    }

    /** For a serde Kafka constructs itself; {@link #configure} must follow. */
    static <T extends SpecificRecord> SerdeCodec<T> fromConfig(String serdeName) {
        return new SerdeCodec<>(serdeName, null);
    }

    static <T extends SpecificRecord> SerdeCodec<T> of(String serdeName, Class<T> type) {
        return new SerdeCodec<>(serdeName, AvroCodec.of(type));
    }

    /** A class given at construction wins over Kafka's config. */
    void configure(Map<String, ?> configs) {
        if (codec == null) {
            codec = AvroSerdeConfig.codecFrom(configs);
        }
    }

    AvroCodec<T> codec() {
        if (codec == null) {
            throw new IllegalStateException(serdeName + " used before configure(): set " + AvroSerdeConfig.RECORD_CLASS);
        }
        return codec;
    }
}

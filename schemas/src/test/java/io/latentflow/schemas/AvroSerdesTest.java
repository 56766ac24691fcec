package io.latentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdesTest {

    @Test
    void serdesBuiltWithTheClassRoundTrip() {
        try (AvroSerializer<LatentRecord> serializer = new AvroSerializer<>(LatentRecord.class);
                AvroDeserializer<LatentRecord> deserializer = new AvroDeserializer<>(LatentRecord.class)) {
            byte[] bytes = serializer.serialize(Topics.LATENTS, Records.latent());

            assertThat(deserializer.deserialize(Topics.LATENTS, bytes)).isEqualTo(Records.latent());
        }
    }

    @Test
    void serdesBuiltByKafkaFromConfigRoundTrip() {
        Map<String, Object> config = Map.of(AvroSerdeConfig.RECORD_CLASS, ImageRecord.class.getName());
        try (AvroSerializer<ImageRecord> serializer = new AvroSerializer<>();
                AvroDeserializer<ImageRecord> deserializer = new AvroDeserializer<>()) {
            serializer.configure(config, false);
            deserializer.configure(config, false);

            byte[] bytes = serializer.serialize(Topics.IMAGES, Records.inlineImage());

            assertThat(deserializer.deserialize(Topics.IMAGES, bytes)).isEqualTo(Records.inlineImage());
        }
    }

    @Test
    void nullStaysNullForTombstones() {
        assertThat(new AvroSerializer<>(ImageRecord.class).serialize(Topics.IMAGES, null)).isNull();
        assertThat(new AvroDeserializer<>(ImageRecord.class).deserialize(Topics.IMAGES, null)).isNull();
    }

    @Test
    void malformedBytesRaiseKafkasSerializationExceptionNamingTheTopic() {
        assertThatThrownBy(() -> new AvroDeserializer<>(ImageRecord.class).deserialize(Topics.IMAGES, new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Topic images: Not an Avro single-object encoded ImageRecord")
                .hasCauseInstanceOf(MalformedRecordException.class);
    }

    @Test
    void aMissingOrWrongRecordClassIsAConfigError() {
        assertThatThrownBy(() -> new AvroDeserializer<>().configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.RECORD_CLASS);
        assertThatThrownBy(() -> new AvroSerializer<>().configure(Map.of(AvroSerdeConfig.RECORD_CLASS, "no.such.Record"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no such class");
        assertThatThrownBy(() -> new AvroSerializer<>().configure(Map.of(AvroSerdeConfig.RECORD_CLASS, String.class), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a generated Avro SpecificRecord");
    }
}

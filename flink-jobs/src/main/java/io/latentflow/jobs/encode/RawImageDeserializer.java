package io.latentflow.jobs.encode;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps every Kafka record, parseable or not, as a {@link RawImage}; it never throws. */
public final class RawImageDeserializer implements KafkaRecordDeserializationSchema<RawImage> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawImage> out) {
        out.collect(new RawImage(record.topic(), record.partition(), record.offset(), record.timestamp(), record.value()));
    }

    @Override
    public TypeInformation<RawImage> getProducedType() {
        return TypeInformation.of(RawImage.class);
    }
}

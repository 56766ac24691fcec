package io.latentflow.jobs.training;

import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.MalformedRecordException;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Avro records of a control topic; a record that is not one is logged and skipped, so it cannot stop the job. */
final class AvroRecordDeserializer<T extends SpecificRecordBase> implements KafkaRecordDeserializationSchema<T> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AvroRecordDeserializer.class);

    private final Class<T> type;
    private transient AvroCodec<T> codec;

    AvroRecordDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        try {
            out.collect(codec.decode(record.value()));
        } catch (MalformedRecordException | RuntimeException e) {
            LOG.warn("Skipping {}-{}@{}: not a {} ({})", record.topic(), record.partition(), record.offset(),
                    type.getSimpleName(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return new AvroTypeInfo<>(type);
    }
}

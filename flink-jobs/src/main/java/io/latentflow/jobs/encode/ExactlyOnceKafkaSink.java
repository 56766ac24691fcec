package io.latentflow.jobs.encode;

import io.latentflow.connections.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchemaBuilder;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;

/**
 * A transactional sink of Avro records, committed with the job's checkpoints: how every job of the project writes a
 * topic. The transaction timeout bounds how long the job may be down between a checkpoint and its commit: a
 * transaction older than it is aborted by the broker and its records are lost, so it is as long as the broker allows
 * ({@link EncodeJobSettings#transactionTimeout()}).
 */
public final class ExactlyOnceKafkaSink {

    private ExactlyOnceKafkaSink() {
    }

    /**
     * @param key                   the record key, or null for none
     * @param transactionalIdPrefix unique per sink and job: part of the job's restored state
     */
    public static <T extends SpecificRecord> KafkaSink<T> of(KafkaSettings kafka, String topic, Class<T> type,
            SerializableFunction<T, String> key, String transactionalIdPrefix, Duration transactionTimeout) {
        KafkaRecordSerializationSchemaBuilder<T> serializer = KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setValueSerializationSchema(new AvroSerialization<>(type));
        if (key != null) {
            serializer.setKeySerializationSchema(record -> key.apply(record).getBytes(StandardCharsets.UTF_8));
        }
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(kafka.clientProperties())
                .setRecordSerializer(serializer.build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()))
                .build();
    }
}

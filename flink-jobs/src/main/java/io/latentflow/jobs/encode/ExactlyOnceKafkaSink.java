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
 *
 * <p>A checkpoint that is held up (a slow or hanging object store under the shard writer, a stuck operator) must not
 * let a transaction outlive the timeout either: the sink has pre-committed its transaction when the barrier passed,
 * the broker aborts it once it is older than the timeout, and Flink's committer then only logs a warning when the
 * late checkpoint completes and the commit is refused: the records are silently gone. A job that writes through this
 * sink therefore gives its checkpoints {@link #checkpointTimeout}: a checkpoint that takes longer is declared failed
 * by Flink first, the job fails over, the pre-committed transaction is aborted on the restore, and its records are
 * written again from the restored offsets.
 */
public final class ExactlyOnceKafkaSink {

    /** Flink's own default checkpoint timeout, kept when the transaction timeout leaves room for it. */
    public static final Duration FLINK_DEFAULT_CHECKPOINT_TIMEOUT = Duration.ofMinutes(10);

    private ExactlyOnceKafkaSink() {
    }

    /**
     * The longest a checkpoint may take so that no transaction of this sink outlives {@code transactionTimeout}. A
     * transaction opens right after one barrier passed the sink and is committed when the next checkpoint completes:
     * at worst it waits for the first checkpoint to complete, the interval, and the whole second checkpoint, so two
     * checkpoint timeouts and one interval must fit in the transaction timeout.
     *
     * @throws IllegalArgumentException when the transaction timeout leaves a checkpoint less than one interval
     */
    public static Duration checkpointTimeout(Duration checkpointInterval, Duration transactionTimeout) {
        Duration fits = transactionTimeout.minus(checkpointInterval).dividedBy(2);
        if (fits.compareTo(checkpointInterval) < 0) {
            throw new IllegalArgumentException("Kafka transaction timeout " + transactionTimeout + " is too short for"
                    + " checkpoints every " + checkpointInterval + ": a transaction must outlast two checkpoints and"
                    + " the interval, or the broker aborts transactions whose checkpoint completes late and their"
                    + " records are lost. Use a transaction timeout of at least " + checkpointInterval.multipliedBy(3)
                    + " (as long as the broker's transaction.max.timeout.ms allows), or a shorter checkpoint interval");
        }
        return fits.compareTo(FLINK_DEFAULT_CHECKPOINT_TIMEOUT) < 0 ? fits : FLINK_DEFAULT_CHECKPOINT_TIMEOUT;
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

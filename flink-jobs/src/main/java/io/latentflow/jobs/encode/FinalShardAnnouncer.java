package io.latentflow.jobs.encode;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Announces the shards that the final checkpoint of a bounded input committed. Those are committed when the last
 * checkpoint completes, after which no record can travel through the job to its transactional sink anymore, so they
 * are written here, straight to the {@code shards} topic, after their objects exist. Exactly once still: an operator
 * that finished before its final checkpoint is not run again by a restore from that checkpoint, so nothing announces
 * these shards a second time.
 */
public interface FinalShardAnnouncer extends Serializable {

    /** Announces nothing (the shards stay in storage): for jobs without a shards topic. */
    FinalShardAnnouncer NONE = shards -> { };

    /** Writes {@code shards} and returns once the broker has them all. */
    void announce(List<ShardCommitted> shards) throws IOException;

    /** One idempotent producer per call, keyed by model version like the job's shards sink. */
    static FinalShardAnnouncer toKafka(KafkaSettings kafka) {
        return shards -> {
            Properties config = kafka.clientProperties();
            config.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            config.setProperty(ProducerConfig.ACKS_CONFIG, "all");
            AvroCodec<ShardCommitted> codec = AvroCodec.of(ShardCommitted.class);
            try (KafkaProducer<String, byte[]> producer =
                         new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
                for (ShardCommitted shard : shards) {
                    producer.send(new ProducerRecord<>(Topics.SHARDS, shard.getModelVersion(), codec.encode(shard)))
                            .get();
                }
            } catch (ExecutionException e) {
                throw new IOException("Could not announce " + shards.size() + " committed shards on " + Topics.SHARDS
                        + " at " + kafka.bootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while announcing committed shards on " + Topics.SHARDS, e);
            }
        };
    }
}

package io.latentflow.cli.stack;

import io.latentflow.connections.KafkaSettings;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Records in the job's consumer group that a bounded run consumed its input. Flink's Kafka source commits offsets
 * when a checkpoint completes, but the last checkpoint of a bounded job completes after the source has finished,
 * so its offsets are never committed: without this, the next run on the same topic would encode the last
 * checkpoint interval's images again.
 */
final class ConsumedOffsets {

    private ConsumedOffsets() {
    }

    /**
     * @param consumed per partition, the offset after the last record the finished job read (its stopping offsets,
     *                 or earlier ones: committing less than it read is safe, more would skip images)
     */
    static void commit(KafkaSettings kafka, String group, Map<TopicPartition, Long> consumed)
            throws InterruptedException {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.alterConsumerGroupOffsets(group, consumed.entrySet().stream().collect(Collectors.toMap(
                    Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("The run finished, but committing the consumed offsets of group " + group
                    + " failed (" + e.getCause().getMessage() + "): the next run may encode some images again",
                    e.getCause());
        }
    }
}

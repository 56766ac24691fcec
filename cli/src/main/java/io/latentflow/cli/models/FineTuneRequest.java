package io.latentflow.cli.models;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.MalformedRecordException;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The service form of {@code finetune}: a {@link TrainingRequest} on {@code training-requests} for the running
 * service's continuous-training job, and, to wait, its progress read from {@code training-progress} until the outcome.
 */
public final class FineTuneRequest {

    private static final AvroCodec<TrainingRequest> REQUESTS = AvroCodec.of(TrainingRequest.class);
    private static final AvroCodec<TrainingProgress> PROGRESS = AvroCodec.of(TrainingProgress.class);

    private FineTuneRequest() {
    }

    static void send(KafkaSettings kafka, TrainingRequest request) throws InterruptedException {
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, request.getRequestId(),
                    REQUESTS.encode(request))).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not send the training request to " + Topics.TRAINING_REQUESTS
                    + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Follows the request's progress, telling {@code onProgress} each record, until its outcome; returns that. */
    static TrainingProgress await(KafkaSettings kafka, String requestId, Duration timeout,
                                  Consumer<TrainingProgress> onProgress) {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRAINING_PROGRESS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TrainingProgress progress;
                    try {
                        progress = PROGRESS.decode(record.value());
                    } catch (MalformedRecordException e) {
                        continue;
                    }
                    if (progress.getRequestId().equals(requestId)) {
                        onProgress.accept(progress);
                        if (isOutcome(progress.getState())) {
                            return progress;
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("no outcome of training request " + requestId + " within " + timeout
                + ": is the service running with its continuous-training job ('latentflow run')?");
    }

    static boolean isOutcome(TrainingState state) {
        return switch (state) {
            case PROMOTED, PUBLISHED, REJECTED, FAILED, DUPLICATE, REFUSED -> true;
            default -> false;
        };
    }

    /** One line for people: a progress bar while it trains, the outcome at the end. */
    public static String line(TrainingProgress progress) {
        if (progress.getState() == TrainingState.TRAINING) {
            int width = 30;
            int done = (int) Math.round(progress.getFraction() * width);
            return String.format(Locale.ROOT, "[%s%s] step %d/%d loss %s eta %s", "#".repeat(done),
                    ".".repeat(width - done), progress.getStep(), progress.getSteps(),
                    progress.getLoss() == null ? "-" : String.format(Locale.ROOT, "%.4f", progress.getLoss()),
                    progress.getEtaSeconds() == null ? "-" : Math.round(progress.getEtaSeconds()) + " s");
        }
        return progress.getState() + (progress.getCandidateVersion() != null ? " " + progress.getCandidateVersion()
                : "") + (progress.getMessage() != null ? ": " + progress.getMessage() : "");
    }
}

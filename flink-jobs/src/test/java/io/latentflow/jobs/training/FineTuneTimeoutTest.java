package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import io.latentflow.schemas.TrainingTrigger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous-training job's timeout on a fine-tune: the request is reported FAILED, and the training thread
 * really stops (its run ends, interrupted, with nothing published and its work folder gone) instead of training on
 * behind the job's back, holding its only trainer thread and publishing a candidate for a failed request.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FineTuneTimeoutTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final AvroCodec<TrainingProgress> PROGRESS = AvroCodec.of(TrainingProgress.class);

    @TempDir
    Path work;

    @Test
    void aTimedOutFineTuneIsReportedFailedAndItsTrainingThreadStopsWithNothingPublished() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            kafka.createTopics(1, Topics.TRAINING_PROGRESS);
            FineTuneSettings settings = FineTuneSettings.defaults(64, SAMPLES.resolve("photos"), work.resolve("tune"))
                    .withSteps(1_000_000).withTraining(32, 2)
                    .withThresholds(new GateThresholds(10, 0.2, 0, 0.2, 1.2, 1_000_000, 100, -100, 4));
            FineTuneFunction function = new FineTuneFunction(kafka.settings(), s3.settings(), settings);
            function.open(null);
            TrainingRequest request = TrainingRequest.newBuilder().setRequestId("slow-1").setRequestedAt(Instant.now())
                    .setTrigger(TrainingTrigger.USER).setReason("test")
                    .setRecentImages(SAMPLES.resolve("illustrations").toString()).build();
            Outcomes outcomes = new Outcomes();
            try {
                function.asyncInvoke(request, outcomes);
                awaitTraining(kafka, "slow-1");

                function.timeout(request, outcomes);

                TrainingProgress timedOut = outcomes.next(1);
                assertThat(timedOut.getState()).isEqualTo(TrainingState.FAILED);
                assertThat(timedOut.getMessage()).contains("took longer than the job allows");
                TrainingProgress ended = outcomes.next(60);
                assertThat(ended).as("the training thread's own end, after its interrupt").isNotNull();
                assertThat(ended.getState()).isEqualTo(TrainingState.FAILED);
                assertThat(ended.getMessage()).contains("interrupted");
                assertThat(work.resolve("tune").resolve("request-slow-1")).doesNotExist();
                try (ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
                    assertThat(registry.history().events()).noneMatch(e -> e.getType() == ModelEventType.PUBLISHED);
                }
            } finally {
                function.close();
            }
        }
    }

    /** Until the run reports a training step: the timeout then lands in the middle of the fine-tune. */
    private static void awaitTraining(EmbeddedKafka kafka, String requestId) {
        Properties props = kafka.settings().clientProperties();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(Topics.TRAINING_PROGRESS, 0)));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TrainingProgress progress = PROGRESS.decode(record.value());
                    if (progress.getRequestId().equals(requestId) && progress.getState() == TrainingState.TRAINING) {
                        return;
                    }
                }
            }
        } catch (Exception e) {
            throw new AssertionError("reading " + Topics.TRAINING_PROGRESS + ": " + e, e);
        }
        throw new AssertionError("request " + requestId + " never reported a training step");
    }

    /** Every completion, in order: the async operator keeps the first, but the test sees the run's own end too. */
    private static final class Outcomes implements ResultFuture<TrainingProgress> {

        private final BlockingQueue<TrainingProgress> completed = new LinkedBlockingQueue<>();

        @Override
        public void complete(Collection<TrainingProgress> result) {
            completed.addAll(result);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            throw new AssertionError("the function completes with an outcome, never exceptionally", error);
        }

        @Override
        public void complete(CollectionSupplier<TrainingProgress> supplier) {
            try {
                completed.addAll(supplier.get());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        TrainingProgress next(long seconds) throws InterruptedException {
            return completed.poll(seconds, TimeUnit.SECONDS);
        }
    }
}

package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedFlink;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.jobs.sampling.SampledImage;
import io.latentflow.jobs.sampling.TrainingSampleShard;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.registry.samples.TrainingSampleLayout;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingState;
import io.minio.PutObjectArgs;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous-training job with {@code --auto-finetune} on an embedded Kafka, S3 and Flink cluster. Enough new
 * samples ask for a fine-tune with no alert at all, fewer do not ({@link NewSampleRequests}). A CRITICAL alert
 * whose window holds too few samples for the gate is REFUSED; the job says how many more it waits for, and once later
 * windows' samples bring them, it asks again by itself and the fine-tune is trained and promoted. A stream that stops
 * short is asked again, once quiet, on the samples since promotion. Samples that come only after the wait is over ask
 * nothing.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class AutomaticFineTuneRequestsTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final String VERSION = "serving-v1";
    private static final Set<TrainingState> OUTCOMES = EnumSet.of(TrainingState.PROMOTED, TrainingState.PUBLISHED,
            TrainingState.REJECTED, TrainingState.FAILED, TrainingState.DUPLICATE, TrainingState.REFUSED);
    private static final List<Path> ILLUSTRATIONS = TrainingImages.list(SAMPLES.resolve("illustrations"));

    @TempDir
    Path work;

    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;
    private EmbeddedFlink flink;
    private FineTuneSettings settings;
    private long offset;

    @BeforeEach
    void anEmbeddedStack() {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        kafka.createTopics(1, Topics.TRAINING_REQUESTS, Topics.DRIFT_ALERTS, Topics.TRAINING_PROGRESS,
                Topics.MODEL_EVENTS, Topics.LATENT_STATS);
        s3 = EmbeddedS3.start(null, "latentflow");
        flink = EmbeddedFlink.start(work.resolve("flink"), 2);
        // the loop is under test, not the gate: 2 steps, and a gate that lets any sound candidate through on 4 a side
        settings = FineTuneSettings.defaults(64, SAMPLES.resolve("photos"), work.resolve("tune")).withSteps(2)
                .withTraining(32, 2).withThresholds(new GateThresholds(10, 0.2, 0, 0.2, 1.2, 1_000_000, 100, -100, 4));
    }

    @AfterEach
    void stopTheStack() {
        flink.close();
        s3.close();
        kafka.close();
    }

    @Test
    void newSamplesAskForAFineTuneWithoutAnAlertOnceThereAreEnoughAndNotBefore() throws Exception {
        JobClient job = new ContinuousTrainingJob(kafka.settings(), s3.settings(), settings,
                new ContinuousTrainingJob.AutoFinetune(FineTuneTrigger.parse("CRITICAL"), Duration.ofMinutes(30),
                        DriftRetryPolicy.DEFAULT, new NewSamplesPolicy(50, Duration.ofMinutes(30),
                        Duration.ofSeconds(1), Duration.ofSeconds(20)))).start(flink.environment());
        try {
            Instant window = Instant.parse("2026-12-06T13:00:00Z");
            putShard(window, "illustrations", ILLUSTRATIONS.subList(0, 30));
            windowClosed(window);
            Thread.sleep(8_000); // eight counts of 30 samples
            assertThat(progressOf("samples-default-0")).as("30 of 50 samples ask nothing").isEmpty();

            putShard(window.plusSeconds(60), "illustrations", ILLUSTRATIONS.subList(30, ILLUSTRATIONS.size()));
            windowClosed(window.plusSeconds(60));
            TrainingProgress outcome = awaitProgress("samples-default-0",
                    p -> OUTCOMES.contains(p.getState()));

            assertThat(outcome.getState()).as("outcome: %s", outcome).isEqualTo(TrainingState.PROMOTED);
            windowClosed(window.plusSeconds(120));
            Thread.sleep(5_000);
            assertThat(requestIds()).as("one request: the promotion restarted the count").hasSize(1);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void aDriftRequestRefusedForTooFewSamplesIsAskedAgainOnceTheyArriveAndIsPromoted() throws Exception {
        JobClient job = start(new DriftRetryPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(1),
                Duration.ofMinutes(10)));
        try {
            Instant window = Instant.parse("2026-12-06T10:00:00Z");
            String episode = refusedAndWaiting(window);

            putShard(window.plusSeconds(60), "later", ILLUSTRATIONS.subList(3, ILLUSTRATIONS.size()));

            TrainingProgress retried = awaitProgress(episode + "-attempt-2", RefusedDriftRequests::isDriftOutcome);
            assertThat(retried.getState()).as("outcome: %s", retried).isEqualTo(TrainingState.PROMOTED);
            assertThat(progressOf(episode + "-attempt-3")).as("one retry, once").isEmpty();
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void samplesThatArriveOnlyAfterTheWaitIsOverAskNothing() throws Exception {
        JobClient job = start(new DriftRetryPolicy(3, Duration.ofSeconds(3), Duration.ofSeconds(1),
                Duration.ofSeconds(1)));
        try {
            Instant window = Instant.parse("2026-12-06T11:00:00Z");
            String episode = refusedAndWaiting(window);
            Thread.sleep(5_000); // past the 3 s the policy waits

            putShard(window.plusSeconds(60), "later", ILLUSTRATIONS.subList(3, ILLUSTRATIONS.size()));
            Thread.sleep(10_000); // ten checks' worth, had the episode still been waiting

            assertThat(progressOf(episode + "-attempt-2")).isEmpty();
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void aStreamThatStopsShortIsFineTunedOnTheSamplesSincePromotionOnceQuiet() throws Exception {
        JobClient job = start(new DriftRetryPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(1),
                Duration.ofSeconds(3)));
        try {
            Instant window = Instant.parse("2026-12-06T12:00:00Z");
            // the stream's earlier images, before the alert's window: a fine-tune by hand would take them too
            putShard(window.minusSeconds(120), "earlier", ILLUSTRATIONS.subList(3, ILLUSTRATIONS.size()));
            String episode = refusedAndWaiting(window);

            TrainingProgress retried = awaitProgress(episode + "-attempt-2", RefusedDriftRequests::isDriftOutcome);

            assertThat(retried.getState()).as("outcome: %s", retried).isEqualTo(TrainingState.PROMOTED);
            assertThat(progressOf(episode + "-attempt-3")).as("one retry, once").isEmpty();
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /**
     * A CRITICAL alert whose window holds 3 samples: its request is REFUSED, then a record says how many more
     * samples it waits for. Returns the request id.
     */
    private String refusedAndWaiting(Instant window) throws Exception {
        String episode = "drift-" + VERSION + "-" + window.toEpochMilli();
        putShard(window, "early", ILLUSTRATIONS.subList(0, 3));
        alert(window);
        TrainingProgress refused = awaitProgress(episode, p -> p.getState() == TrainingState.REFUSED
                && !p.getFigures().containsKey(RefusedDriftRequests.WAITING_FOR_SAMPLES));
        assertThat(refused.getFigures()).containsEntry("recentImages", 3.0).containsKey("moreRecentImages");
        TrainingProgress waiting = awaitProgress(episode,
                p -> p.getFigures().containsKey(RefusedDriftRequests.WAITING_FOR_SAMPLES));
        assertThat(waiting.getMessage()).contains("waiting for").contains("more samples")
                .contains(episode + "-attempt-2");
        return episode;
    }

    private JobClient start(DriftRetryPolicy policy) throws Exception {
        return new ContinuousTrainingJob(kafka.settings(), s3.settings(), settings,
                new ContinuousTrainingJob.AutoFinetune(FineTuneTrigger.parse("CRITICAL"), Duration.ofMinutes(30),
                        policy)).start(flink.environment());
    }

    /** What the encode job publishes when a window closes: here only its time matters. */
    private void windowClosed(Instant start) throws Exception {
        LatentStatsWindow window = LatentStatsWindow.newBuilder().setModelVersion(VERSION).setWindowStart(start)
                .setWindowEnd(start.plusSeconds(60)).setImages(30).setMean(0).setStd(0.7).setFractionOutsideUnit(0)
                .setBlackHolePositions(0).setQuantileRanks(List.of()).setChannels(List.of()).build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.settings().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, VERSION,
                    AvroCodec.of(LatentStatsWindow.class).encode(window))).get();
        }
    }

    private List<String> requestIds() {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.settings().clientProperties())) {
            return reader.readFrom(Topics.TRAINING_PROGRESS, Map.of(), AvroCodec.of(TrainingProgress.class)).stream()
                    .map(TrainingProgress::getRequestId).distinct().toList();
        }
    }

    private void alert(Instant window) throws Exception {
        DriftAlert alert = DriftAlert.newBuilder().setModelVersion(VERSION).setWindowStart(window)
                .setWindowEnd(window.plusSeconds(60)).setWindowIndex(1).setSeverity(DriftSeverity.CRITICAL)
                .setPreviousSeverity(DriftSeverity.OK).setDriftScore(3.0).setWarningThreshold(1.0)
                .setCriticalThreshold(2.0).setFindings(List.of()).setMessage("CRITICAL: drift score 3.0").build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.settings().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DRIFT_ALERTS, VERSION,
                    AvroCodec.of(DriftAlert.class).encode(alert))).get();
        }
    }

    /** A window's training-sample shard, written as the sampler writes it, of 64 px images. */
    private void putShard(Instant window, String source, List<Path> images) throws Exception {
        List<SampledImage> samples = new ArrayList<>();
        for (Path file : images) {
            String stem = file.getFileName().toString().replace(".jpg", "");
            PreparedImage image = new PreparedImage();
            image.topic = Topics.IMAGES;
            image.offset = offset++;
            image.imageId = "illustrations/" + file.getFileName();
            image.sampleKey = stem;
            image.source = source;
            image.eventTime = window.toEpochMilli();
            image.size = 64;
            image.pixels = rgb(file, 64);
            SampledImage sample = new SampledImage();
            sample.image = image;
            sample.contentHash = stem;
            samples.add(sample);
        }
        byte[] shard = TrainingSampleShard.tar(samples);
        s3.settings().newClient().putObject(PutObjectArgs.builder().bucket(s3.settings().bucket())
                .object(TrainingSampleLayout.key(window.toEpochMilli(), source, images.size()))
                .stream(new ByteArrayInputStream(shard), shard.length, -1).build());
    }

    /** The image squeezed to {@code side} x {@code side}, as interleaved RGB bytes. */
    private static byte[] rgb(Path file, int side) throws IOException {
        BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = square.createGraphics();
        graphics.drawImage(ImageIO.read(file.toFile()), 0, 0, side, side, null);
        graphics.dispose();
        byte[] pixels = new byte[side * side * 3];
        for (int y = 0, i = 0; y < side; y++) {
            for (int x = 0; x < side; x++, i += 3) {
                int argb = square.getRGB(x, y);
                pixels[i] = (byte) (argb >> 16);
                pixels[i + 1] = (byte) (argb >> 8);
                pixels[i + 2] = (byte) argb;
            }
        }
        return pixels;
    }

    private TrainingProgress awaitProgress(String requestId, java.util.function.Predicate<TrainingProgress> which)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline) {
            Optional<TrainingProgress> found = progressOf(requestId).stream().filter(which).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("no such progress of " + requestId + " in 4 min; all: " + progressOf(requestId));
    }

    private List<TrainingProgress> progressOf(String requestId) {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.settings().clientProperties())) {
            return reader.readFrom(Topics.TRAINING_PROGRESS, Map.of(), AvroCodec.of(TrainingProgress.class)).stream()
                    .filter(p -> p.getRequestId().equals(requestId)).toList();
        }
    }
}

package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.connections.S3Settings;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.ServingTimeline;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.jobs.sampling.SamplingSettings;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.jobs.training.ContinuousTrainingJob;
import io.latentflow.jobs.training.FineTuneTrigger;
import io.latentflow.registry.CandidatePublisher;
import io.latentflow.jobs.training.FineTuneRun;
import io.latentflow.jobs.training.FineTuneSettings;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ModelEvent;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop: illustrations stream through the encode job, which samples them; a training request makes the
 * continuous-training job fine-tune the serving version on those samples (with a replay of photos), judge it, publish
 * and promote it with its provenance; the running encode job swaps to it; the same request again makes no second
 * candidate. The gate here lets any sound candidate through and judges on 4 held-out images a side: what the loop does
 * is under test, not how much a few steps buy (FineTuneDefaultsEndToEndTest is about that).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ContinuousTrainingEndToEndTest {

    private static final Path HOME = Path.of(System.getProperty("latentflow.home"));
    private static final Path ILLUSTRATIONS = HOME.resolve("samples").resolve("illustrations");
    private static final int RESOLUTION = 64;
    private static final AvroCodec<TrainingRequest> REQUESTS = AvroCodec.of(TrainingRequest.class);

    @TempDir
    Path work;

    @Test
    void aRequestFineTunesOnTheSamplesPromotesTheCandidateAndTheEncoderSwapsToIt() throws Exception {
        FineTuneSettings training = shortFineTune();
        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow");
             ModelRegistry registry = new ModelRegistry(stack.kafka().settings(), stack.s3().settings())) {
            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                    .model(ModelLocation.DEFAULT).resolution(RESOLUTION).batchSize(8)
                    .checkpointInterval(Duration.ofMillis(500))
                    .sampling(SamplingSettings.of(Duration.ofSeconds(2), 8))
                    .followRegistry(true)
                    .build();
            JobClient encode = EncodeJob.onKafka(settings).start(stack.flink().environment());
            JobClient trainer = new ContinuousTrainingJob(stack.kafka().settings(), stack.s3().settings(), training,
                    null).start(stack.flink().environment());
            try {
                ingest(stack, ILLUSTRATIONS, Instant.now(), Duration.ofMillis(300));
                List<Path> illustrations = E2eImages.files(ILLUSTRATIONS);
                E2eImages.awaitLatents(stack.kafka().bootstrapServers(), illustrations.size());

                TrainingRequest request = request("user-1");
                send(stack, request);
                TrainingProgress outcome = awaitOutcome(stack, "user-1");
                assertThat(outcome.getState()).as("outcome: %s", outcome).isEqualTo(TrainingState.PROMOTED);
                assertThat(progress(stack, "user-1")).extracting(TrainingProgress::getState)
                        .contains(TrainingState.STARTED, TrainingState.TRAINING, TrainingState.EVALUATING);
                String candidate = outcome.getCandidateVersion();

                ModelHistory history = registry.history();
                assertThat(history.serving()).contains(candidate);
                ModelEvent promoted = history.events().stream().filter(e -> e.getType() == ModelEventType.PROMOTED)
                        .reduce((a, b) -> b).orElseThrow();
                assertThat(promoted.getFigures()).isNotEmpty();
                Path downloaded = registry.download(candidate, work.resolve("candidate"));
                JsonNode metrics = new ObjectMapper().readTree(downloaded.resolve(ModelDirectory.METRICS).toFile());
                assertThat(metrics.toString()).contains("user-1").contains("sampleOffsets")
                        .contains(outcome.getServingVersion());

                // the running encode job swaps to the candidate: photos sent after it took effect are its latents
                Instant effective = Instant.ofEpochMilli(ServingTimeline.effectiveFrom(promoted));
                Thread.sleep(Math.max(0, effective.toEpochMilli() - System.currentTimeMillis()) + 200);
                Path after = Files.createDirectories(work.resolve("after"));
                for (Path photo : E2eImages.photos().subList(0, 8)) {
                    Files.copy(photo, after.resolve(photo.getFileName()));
                }
                ingest(stack, after, Instant.now(), Duration.ofMillis(100));
                List<LatentRecord> latents = E2eImages.awaitLatents(stack.kafka().bootstrapServers(),
                        illustrations.size() + 8);
                assertThat(latents).filteredOn(l -> l.getImageId().startsWith("after/"))
                        .extracting(LatentRecord::getModelVersion).containsOnly(candidate);

                // the same request again (a replay after a restart) makes no second candidate
                send(stack, request);
                await().atMost(Duration.ofMinutes(2)).until(() -> progress(stack, "user-1").stream()
                        .anyMatch(p -> p.getState() == TrainingState.DUPLICATE));
                assertThat(registry.history().events()).filteredOn(e -> e.getType() == ModelEventType.PUBLISHED
                        && "user-1".equals(e.getAttributes().get(CandidatePublisher.REQUEST_ID))).hasSize(1);

                // a candidate the gate fails: REJECTED with its figures in 'models list', and serving stays
                trainer.cancel().get(1, TimeUnit.MINUTES);
                trainer = new ContinuousTrainingJob(stack.kafka().settings(), stack.s3().settings(),
                        training.withThresholds(training.thresholds().withMinRecentGainDb(100)), null)
                        .start(stack.flink().environment());
                send(stack, TrainingRequest.newBuilder(request("user-2"))
                        .setAttributes(Map.of(FineTuneRun.SAMPLES_SINCE, Instant.EPOCH.toString())).build());
                TrainingProgress rejected = awaitOutcome(stack, "user-2");
                assertThat(rejected.getState()).as("outcome: %s", rejected).isEqualTo(TrainingState.REJECTED);
                assertThat(registry.history().serving()).contains(candidate);
                JsonNode listed = modelsList(stack);
                assertThat(listed).filteredOn(v -> v.get("version").asText().equals(candidate))
                        .singleElement().satisfies(v -> assertThat(v.get("serving").asBoolean()).isTrue());
                assertThat(listed).filteredOn(v -> v.get("version").asText()
                                .equals(rejected.getCandidateVersion())).singleElement().satisfies(v -> {
                    assertThat(v.get("state").asText()).isEqualTo("REJECTED");
                    assertThat(v.get("serving").asBoolean()).isFalse();
                    assertThat(v.get("reason").asText()).startsWith("failed the gate: recent images: PSNR change")
                            .contains("+100.00 dB gain needed");
                    assertThat(v.get("metrics").has("recent.psnrChangeLow")).isTrue();
                    assertThat(v.get("metrics").has("older.psnr")).isTrue();
                });
            } finally {
                trainer.cancel().get(1, TimeUnit.MINUTES);
                encode.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /**
     * The scenario of the README at test size: photos, then illustrations; the drift monitor raises CRITICAL on the
     * illustrations, which asks for a fine-tune on the samples from the alert's window on (with --auto-finetune); the
     * candidate is judged and promoted with its gate figures and the alert as its trigger.
     */
    @Test
    void illustrationsAfterPhotosRaiseAnAlertThatFineTunesOnTheIllustrations() throws Exception {
        FineTuneSettings training = shortFineTune();
        // windows of 32 images, as the drift thresholds were calibrated on
        Duration window = Duration.ofMillis(3200);
        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                    .model(ModelLocation.DEFAULT).resolution(RESOLUTION).batchSize(8)
                    .checkpointInterval(Duration.ofMillis(500))
                    // every image of a window: the request comes when the first alert window closes, and the gate
                    // needs held-out images of its samples (16 of its 32 would hold out 2)
                    .sampling(SamplingSettings.of(window, 32))
                    .followRegistry(true)
                    .build();
            // The loop is under test, not the monitor's calibration (DriftScenariosTest, at 256 px): at 64 px a
            // latent is 8x8 and NOVELTY's texture is coarse. Measured offline on these images, the sample
            // illustrations' windows have a novelty of 1.09-1.12 against this reference and its own photos' windows
            // 0.58-0.75, so a level of 1.03 makes the illustrations CRITICAL (from 1.06) and leaves the photos OK.
            settings = settings.toBuilder().monitor(DriftMonitorSettings
                    .of(ReferenceProfiles.resolve(settings.model(), RESOLUTION, E2eImages.PHOTOS))
                    .withThresholds(DriftThresholds.DEFAULTS.withNovelty(1.03))
                    .withWindowSize(window).withOutOfOrderness(Duration.ZERO)).build();
            JobClient encode = EncodeJob.onKafka(settings).start(stack.flink().environment());
            JobClient trainer = new ContinuousTrainingJob(stack.kafka().settings(), stack.s3().settings(), training,
                    new ContinuousTrainingJob.AutoFinetune(FineTuneTrigger.parse("CRITICAL"), Duration.ofMinutes(30)))
                    .start(stack.flink().environment());
            try {
                try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                        stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
                    // from a window boundary on, so that no window is a partial one
                    long start = (System.currentTimeMillis() / window.toMillis() + 1) * window.toMillis();
                    assertThat(producer.send(List.of(E2eImages.PHOTOS, ILLUSTRATIONS), null, Instant.ofEpochMilli(start),
                            Duration.ofMillis(100)).failed()).isEmpty();
                }
                List<TrainingProgress> outcomes = new java.util.ArrayList<>();
                await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    try (CommittedTopicReader reader = new CommittedTopicReader(stack.kafka().bootstrapServers())) {
                        outcomes.clear();
                        reader.readFrom(Topics.TRAINING_PROGRESS, Map.of(), AvroCodec.of(TrainingProgress.class))
                                .stream().filter(p -> p.getRequestId().startsWith("drift-"))
                                .filter(p -> p.getState() == TrainingState.PROMOTED
                                        || p.getState() == TrainingState.REJECTED
                                        || p.getState() == TrainingState.FAILED
                                        || p.getState() == TrainingState.REFUSED)
                                .forEach(outcomes::add);
                    }
                    return !outcomes.isEmpty();
                });
                TrainingProgress outcome = outcomes.get(0);
                assertThat(outcome.getState()).as("outcome: %s", outcome).isEqualTo(TrainingState.PROMOTED);
                // what 20 steps buy on a handful of held-out illustrations is noise; the README measures the gain
                assertThat(outcome.getFigures()).containsKeys("recent.psnrChange", "older.psnrChange");
                assertThat(outcome.getMessage()).contains("passed the gate");
                try (ModelRegistry registry = new ModelRegistry(stack.kafka().settings(), stack.s3().settings())) {
                    Path candidate = registry.download(outcome.getCandidateVersion(), work.resolve("candidate"));
                    String metrics = Files.readString(candidate.resolve(ModelDirectory.METRICS));
                    assertThat(metrics).contains("DRIFT_ALERT").contains("sampleOffsets");
                    assertTheAlertCameAfterTheSwitchAndTheFineTuneTrainedOnTheDrawnImages(stack,
                            new ObjectMapper().readTree(metrics));
                }
            } finally {
                trainer.cancel().get(1, TimeUnit.MINUTES);
                encode.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /**
     * No alert for a window of photos only: the first one that is not OK closes after the first illustration. The
     * fine-tune's samples are the ones the sampler drew from that alert's window on: its provenance starts where they
     * start, and every image among them was sent in or after that window.
     */
    private void assertTheAlertCameAfterTheSwitchAndTheFineTuneTrainedOnTheDrawnImages(LocalStack stack,
            JsonNode metrics) throws Exception {
        List<ImageRecord> images;
        List<DriftAlert> alerts;
        try (CommittedTopicReader reader = new CommittedTopicReader(stack.kafka().bootstrapServers())) {
            images = reader.readFrom(Topics.IMAGES, Map.of(), AvroCodec.of(ImageRecord.class));
            alerts = reader.readFrom(Topics.DRIFT_ALERTS, Map.of(), AvroCodec.of(DriftAlert.class)).stream()
                    .filter(alert -> alert.getSeverity() != DriftSeverity.OK).toList();
        }
        Instant switchedAt = images.stream().filter(image -> image.getId().contains(ILLUSTRATIONS.getFileName() + "/"))
                .map(ImageRecord::getEventTime).min(Instant::compareTo).orElseThrow();
        assertThat(alerts).as("drift alerts").isNotEmpty()
                .allSatisfy(alert -> assertThat(alert.getWindowEnd()).as("end of the window of %s", alert.getMessage())
                        .isAfter(switchedAt));
        DriftAlert trigger = alerts.stream().filter(alert -> alert.getSeverity() == DriftSeverity.CRITICAL)
                .min(java.util.Comparator.comparing(DriftAlert::getWindowStart)).orElseThrow();
        assertThat(metrics.findValue("samplesSince").asText()).isEqualTo(trigger.getWindowStart().toString());

        TrainingSampleStore.Samples drawn = new TrainingSampleStore(stack.s3().settings())
                .download(trigger.getWindowStart(), Instant.ofEpochMilli(Long.MAX_VALUE), work.resolve("drawn"));
        Map<String, Instant> sentAt = new java.util.HashMap<>();
        for (ImageRecord image : images) {
            String name = image.getId().substring(image.getId().lastIndexOf('/') + 1);
            sentAt.put(name.substring(0, name.lastIndexOf('.')), image.getEventTime());
        }
        assertThat(drawn.images()).as("the images the sampler drew from the alert's window on").isNotEmpty()
                .allSatisfy(file -> assertThat(sentAt.get(file.getFileName().toString().replace(".png", "")))
                        .as("event time of %s", file.getFileName()).isAfterOrEqualTo(trigger.getWindowStart()));
        // windows closed after the fine-tune read its samples may have added some since: the same start, no more
        JsonNode trained = metrics.findValue("sampleOffsets");
        assertThat(trained.size()).isPositive();
        trained.fields().forEachRemaining(partition -> {
            long[] range = drawn.offsets().get(partition.getKey());
            assertThat(range).as("drawn samples of %s", partition.getKey()).isNotNull();
            assertThat(partition.getValue().get(0).asLong()).as("first sample of %s", partition.getKey())
                    .isEqualTo(range[0]);
            assertThat(partition.getValue().get(1).asLong()).isLessThanOrEqualTo(range[1]);
        });
    }

    private static TrainingRequest request(String id) {
        return TrainingRequest.newBuilder().setRequestId(id).setRequestedAt(Instant.now())
                .setTrigger(TrainingTrigger.USER).setReason("test").setSteps(20L).build();
    }

    private static void send(LocalStack stack, TrainingRequest request) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.kafka().settings().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, request.getRequestId(),
                    REQUESTS.encode(request))).get();
        }
    }

    /** {@code latentflow models list --json} against the test's stack. */
    private JsonNode modelsList(LocalStack stack) throws Exception {
        S3Settings s3 = stack.s3().settings();
        Path secret = Files.writeString(work.resolve("s3-secret"), s3.secretKey());
        return LatentflowCli.json("models", "list", "--kafka", stack.kafka().bootstrapServers(), "--s3-endpoint",
                s3.endpoint(), "--s3-access-key", s3.accessKey(), "--s3-secret-key-file", secret.toString(),
                "--bucket", s3.bucket(), "--state-dir", work.resolve("cli-state").toString(), "--json");
    }

    private static List<TrainingProgress> progress(LocalStack stack, String requestId) {
        try (CommittedTopicReader reader = new CommittedTopicReader(stack.kafka().bootstrapServers())) {
            return reader.readFrom(Topics.TRAINING_PROGRESS, Map.of(), AvroCodec.of(TrainingProgress.class)).stream()
                    .filter(p -> p.getRequestId().equals(requestId)).toList();
        }
    }

    /** A short fine-tune whose gate any sound candidate passes: these tests judge the flow, not the model. */
    private FineTuneSettings shortFineTune() {
        GateThresholds anySoundCandidate = new GateThresholds(10, 0.2, 0, 0.2, 1.2, 1_000_000, 100, -100, 4);
        return FineTuneSettings.defaults(RESOLUTION, E2eImages.PHOTOS, work.resolve("training"))
                .withSteps(20).withTraining(64, 8).withThresholds(anySoundCandidate)
                .withLead(ServingTimeline.MIN_LEAD);
    }

    private static TrainingProgress awaitOutcome(LocalStack stack, String requestId) {
        List<Optional<TrainingProgress>> found = new java.util.ArrayList<>(List.of(Optional.empty()));
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            found.set(0, progress(stack, requestId).stream().filter(p -> switch (p.getState()) {
                case PROMOTED, PUBLISHED, REJECTED, FAILED, DUPLICATE, REFUSED -> true;
                default -> false;
            }).findFirst());
            return found.get(0).isPresent();
        });
        return found.get(0).orElseThrow();
    }

    private static void ingest(LocalStack stack, Path folder, Instant start, Duration step) {
        try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
            assertThat(producer.send(List.of(folder), null, start, step).failed()).isEmpty();
        }
    }
}

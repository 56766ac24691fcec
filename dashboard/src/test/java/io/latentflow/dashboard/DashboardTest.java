package io.latentflow.dashboard;

import static io.latentflow.dashboard.StatsRecords.alert;
import static io.latentflow.dashboard.StatsRecords.finding;
import static io.latentflow.dashboard.StatsRecords.outlier;
import static io.latentflow.dashboard.StatsRecords.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.registry.samples.TrainingSampleLayout;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingState;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard server on a real Kafka broker, read over HTTP as the page reads it. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final float[] VALUES = {-0.5f, 0.5f, -0.25f, 0.25f};
    private static final AvroCodec<LatentStatsWindow> WINDOWS = AvroCodec.of(LatentStatsWindow.class);
    private static final AvroCodec<DriftAlert> ALERTS = AvroCodec.of(DriftAlert.class);

    @TempDir
    static Path state;

    private static EmbeddedKafka kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(state);
        kafka.createTopics(2, Topics.LATENT_STATS, Topics.DRIFT_ALERTS);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void showsWhatTheMonitorCommittedAndNothingItAborted() throws Exception {
        String model = "committed-model";
        byte[] samePartition = model.getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(kafka.settings(), "tx-committed")) {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, samePartition,
                    WINDOWS.encode(window(model, T0, 32, 0.4, VALUES))));
            producer.send(new ProducerRecord<>(Topics.DRIFT_ALERTS, ALERTS.encode(alert(model, T0, 0,
                    DriftSeverity.OK, DriftSeverity.WARNING, 1.4, finding(0, "MEAN_SHIFT", 1.4, 1.0, 0.7, 0.0)))));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, samePartition,
                    WINDOWS.encode(window(model, T0.plusSeconds(60), 32, 9.0, VALUES))));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction(); // read after the aborted one: once it shows, the aborted one was passed over
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, samePartition,
                    WINDOWS.encode(window(model, T0.plusSeconds(120), 32, 0.5, VALUES))));
            producer.commitTransaction();
        }

        try (Dashboard dashboard = Dashboard.start(kafka.settings(), null, 0)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(dashboard, "/api/windows?model=" + model).get("windows").size() >= 2);
            JsonNode windows = get(dashboard, "/api/windows?model=" + model).get("windows");

            assertThat(windows).extracting(w -> w.get("start").asLong())
                    .containsExactly(T0.toEpochMilli(), T0.plusSeconds(120).toEpochMilli());
            JsonNode first = windows.get(0);
            assertThat(first.get("driftScore").asDouble()).isEqualTo(0.4);
            assertThat(first.get("mean").get(0).asDouble()).isEqualTo(0.0);
            assertThat(first.get("images").asLong()).isEqualTo(32);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(dashboard, "/api/alerts").get("alerts").size() == 1);
            JsonNode alert = get(dashboard, "/api/alerts?model=" + model).get("alerts").get(0);
            assertThat(alert.get("severity").asText()).isEqualTo("WARNING");
            assertThat(alert.get("findings").get(0).get("statistic").asText()).isEqualTo("MEAN_SHIFT");
            JsonNode models = get(dashboard, "/api/models").get("models");
            assertThat(models).anySatisfy(m -> {
                assertThat(m.get("version").asText()).isEqualTo(model);
                assertThat(m.get("severity").asText()).isEqualTo("WARNING");
                assertThat(m.get("warningThreshold").asDouble()).isEqualTo(1.0);
            });
        }
    }

    @Test
    void showsTheLatestFineTuneProgress() throws Exception {
        kafka.createTopics(1, Topics.TRAINING_PROGRESS);
        AvroCodec<TrainingProgress> codec = AvroCodec.of(TrainingProgress.class);
        try (KafkaProducer<byte[], byte[]> producer = plainProducer(kafka.settings())) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_PROGRESS, codec.encode(TrainingProgress.newBuilder()
                    .setRequestId("r1").setTime(T0).setState(TrainingState.STARTED).build())));
            producer.send(new ProducerRecord<>(Topics.TRAINING_PROGRESS, codec.encode(TrainingProgress.newBuilder()
                    .setRequestId("r1").setTime(T0.plusSeconds(30)).setState(TrainingState.TRAINING).setStep(120)
                    .setSteps(300).setFraction(0.4).setLoss(0.031).setEtaSeconds(45.0).build())));
        }

        try (Dashboard dashboard = Dashboard.start(kafka.settings(), null, 0)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get(dashboard, "/api/training").get("training")
                    .path("state").asText().equals("TRAINING"));
            JsonNode training = get(dashboard, "/api/training").get("training");
            assertThat(training.get("requestId").asText()).isEqualTo("r1");
            assertThat(training.get("step").asLong()).isEqualTo(120);
            assertThat(training.get("fraction").asDouble()).isEqualTo(0.4);
            assertThat(training.get("etaSeconds").asDouble()).isEqualTo(45.0);
        }
    }

    @Test
    void skipsARecordThatDoesNotDecodeAndKeepsReading() throws Exception {
        String model = "after-garbage";
        try (KafkaProducer<byte[], byte[]> producer = plainProducer(kafka.settings())) {
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, "not avro".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, WINDOWS.encode(window(model, T0, 8, null, VALUES))));
        }

        try (Dashboard dashboard = Dashboard.start(kafka.settings(), null, 0)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(dashboard, "/api/windows?model=" + model).get("windows").size() == 1);
            JsonNode status = get(dashboard, "/api/status");
            assertThat(status.get("topics").get("skipped").asLong()).isPositive();
            assertThat(status.get("topics").get("reached").asBoolean()).isTrue();
            assertThat(status.get("reconstructions").get("available").asBoolean()).isFalse();
            assertThat(status.get("reconstructions").get("reason").asText()).contains("no object store");
        }
    }

    @Test
    void picksUpTopicsCreatedAfterItStarted(@TempDir Path ownState) throws Exception {
        try (EmbeddedKafka fresh = EmbeddedKafka.start(ownState);
             Dashboard dashboard = Dashboard.start(fresh.settings(), null, 0)) {
            assertThat(get(dashboard, "/api/models").get("models")).isEmpty();

            fresh.createTopics(1, Topics.LATENT_STATS, Topics.DRIFT_ALERTS);
            try (KafkaProducer<byte[], byte[]> producer = plainProducer(fresh.settings())) {
                producer.send(new ProducerRecord<>(Topics.LATENT_STATS,
                        WINDOWS.encode(window("late", T0, 8, null, VALUES))));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> get(dashboard, "/api/models").get("models").size() == 1);
        }
    }

    @Test
    void servesThePageAndItsChartLibraryFromThisServerOnly() throws Exception {
        try (Dashboard dashboard = Dashboard.start(kafka.settings(), null, 0)) {
            assertThat(dashboard.url().getHost()).isEqualTo("127.0.0.1");
            HttpResponse<String> page = request(dashboard, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                    .contains("default-src 'none'").contains("script-src 'self'");
            assertThat(page.body()).contains("/vendor/uplot/uPlot.iife.min.js").contains("/static/dashboard.js");
            for (String own : List.of("/", "/static/dashboard.js", "/static/dashboard.css")) {
                assertThat(request(dashboard, own).body()).as(own).doesNotContain("http://").doesNotContain("https://")
                        .doesNotContain("//cdn");
            }
            HttpResponse<String> uplot = request(dashboard, "/vendor/uplot/uPlot.iife.min.js");
            assertThat(uplot.statusCode()).isEqualTo(200);
            assertThat(uplot.body()).contains("uPlot");
            assertThat(request(dashboard, "/vendor/uplot/uPlot.min.css").statusCode()).isEqualTo(200);

            assertThat(request(dashboard, "/../pom.xml").statusCode()).isEqualTo(404);
            assertThat(request(dashboard, "/META-INF/MANIFEST.MF").statusCode()).isEqualTo(404);
            HttpResponse<String> badAfter = request(dashboard, "/api/windows?after=yesterday");
            assertThat(badAfter.statusCode()).isEqualTo(400);
            assertThat(badAfter.body()).contains("after must be a whole number");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(dashboard.url().resolve("/api/windows"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aTakenPortIsRefusedWithAClearMessage() {
        try (Dashboard first = Dashboard.start(kafka.settings(), null, 0)) {
            int taken = first.url().getPort();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Dashboard.start(kafka.settings(), null, taken))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken)
                    .hasMessageContaining("--port");
        }
    }

    @Test
    void aWorstImageWithoutAStoreIsListedWithoutAPicture() throws Exception {
        String model = "no-store";
        LatentStatsWindow withOutlier = window(model, T0, 8, null, VALUES);
        withOutlier.setWorstImages(List.of(outlier("img-7", T0.plusSeconds(3), 7.5)));
        try (KafkaProducer<byte[], byte[]> producer = plainProducer(kafka.settings())) {
            producer.send(new ProducerRecord<>(Topics.LATENT_STATS, WINDOWS.encode(withOutlier)));
        }

        try (Dashboard dashboard = Dashboard.start(kafka.settings(), null, 0)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !get(dashboard, "/api/windows/latest?model=" + model).get("window").isNull());
            JsonNode outlier = get(dashboard, "/api/windows/latest?model=" + model).get("window").get("outliers").get(0);
            assertThat(outlier.get("imageId").asText()).isEqualTo("img-7");
            assertThat(outlier.get("worstZ").asDouble()).isEqualTo(7.5);
            assertThat(outlier.get("eventTime").asLong()).isEqualTo(T0.plusSeconds(3).toEpochMilli());
            assertThat(outlier.get("reconstruction").isNull()).isTrue();
        }
    }

    @Test
    void countsTheTrainingSamplesStoredAndThoseSinceTheServingVersionWasPromoted() throws Exception {
        long promoted = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        long before = promoted - Duration.ofHours(1).toMillis();
        long after = promoted + Duration.ofMinutes(30).toMillis();
        AvroCodec<ModelEvent> events = AvroCodec.of(ModelEvent.class);
        kafka.createTopics(1, Topics.MODEL_EVENTS);
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            MinioClient storage = s3.settings().newClient();
            for (String key : List.of(TrainingSampleLayout.key(before, "photos_0123456789ab", 40),
                    TrainingSampleLayout.key(after, "photos_0123456789ab", 12),
                    TrainingSampleLayout.key(after, "illustrations_ba9876543210", 7))) {
                storage.putObject(PutObjectArgs.builder().bucket(s3.settings().bucket()).object(key)
                        .stream(new ByteArrayInputStream(new byte[8]), 8, -1).build());
            }
            try (KafkaProducer<byte[], byte[]> producer = plainProducer(kafka.settings())) {
                producer.send(new ProducerRecord<>(Topics.MODEL_EVENTS, events.encode(ModelEvent.newBuilder()
                        .setEventId("e1").setVersion("v1").setType(ModelEventType.PUBLISHED)
                        .setTime(Instant.ofEpochMilli(before)).build())));
                producer.send(new ProducerRecord<>(Topics.MODEL_EVENTS, events.encode(ModelEvent.newBuilder()
                        .setEventId("e2").setVersion("v1").setType(ModelEventType.PROMOTED)
                        .setTime(Instant.ofEpochMilli(promoted)).build())));
            }

            try (Dashboard dashboard = Dashboard.start(kafka.settings(), s3.settings(), 0)) {
                await().atMost(Duration.ofSeconds(45)).until(() -> get(dashboard, "/api/training")
                        .path("samplesSincePromotion").path("total").asInt(-1) == 19);
                JsonNode answer = get(dashboard, "/api/training");
                assertThat(answer.get("samplesStored").asInt()).isEqualTo(59);
                JsonNode recent = answer.get("samplesSincePromotion");
                assertThat(Instant.parse(recent.get("since").asText())).isEqualTo(Instant.ofEpochMilli(promoted));
                assertThat(recent.get("perSource").get("photos").asInt()).isEqualTo(12);
                assertThat(recent.get("perSource").get("illustrations").asInt()).isEqualTo(7);
            }
        }
    }

    static KafkaProducer<byte[], byte[]> transactionalProducer(KafkaSettings kafka, String id) {
        Properties config = kafka.clientProperties();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    static KafkaProducer<byte[], byte[]> plainProducer(KafkaSettings kafka) {
        return new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private HttpResponse<String> request(Dashboard dashboard, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(Dashboard dashboard, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = request(dashboard, path);
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}

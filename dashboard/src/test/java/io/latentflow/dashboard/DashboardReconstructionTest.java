package io.latentflow.dashboard;

import static io.latentflow.dashboard.StatsRecords.outlier;
import static io.latentflow.dashboard.StatsRecords.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.shards.LatentSummaries;
import io.latentflow.shards.Npy;
import io.latentflow.shards.ShardWriter;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import io.minio.PutObjectArgs;
import io.minio.UploadObjectArgs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worst images of a window, decoded back by the model that made them from the latents their records carry, or the
 * shard in S3 holds: the picture the dashboard serves is the one the decoder gives for that latent.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DashboardReconstructionTest {

    private static final int SIZE = 64;
    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @TempDir
    Path work;

    @Test
    void servesTheDecodedLatentOfAWorstImageAndSaysWhyWhenItCannot() throws Exception {
        try (ServingModel model = ServingModel.loadDefault();
             EmbeddedKafka kafka = EmbeddedKafka.start(work);
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            int f = model.config().downsamplingFactor();
            int c = model.config().latentChannels();
            float[] latent = encode(model, firstPhoto(), f);
            float[] stored = new float[latent.length]; // what the shard keeps is float16
            for (int i = 0; i < latent.length; i++) {
                stored[i] = Npy.halfToFloat(Npy.floatToHalf(latent[i]));
            }
            String key = "latents/model=" + model.version() + "/dt=2026-01-01/part-0-0.tar";
            upload(s3, key, "photo-0", Npy.float16(latent, c, SIZE / f, SIZE / f));
            String shardUri = s3.settings().uri(key);

            Instant eventTime = Instant.parse("2026-01-01T00:00:05Z");
            LatentStatsWindow known = window(model.version(), Instant.parse("2026-01-01T00:00:00Z"), 2, null,
                    new float[] {0f, 1f});
            known.setWorstImages(List.of(outlier("photo-0", eventTime, 6.5), outlier("never-recorded", eventTime, 6),
                    outlier("not-rolled-yet", eventTime, 5.5)));
            LatentStatsWindow unknownModel = window("never-promoted", Instant.parse("2026-01-01T00:00:00Z"), 1, null,
                    new float[] {0f, 1f});
            unknownModel.setWorstImages(List.of(outlier("photo-0", eventTime, 6.5)));
            kafka.createTopics(1, Topics.LATENT_STATS, Topics.DRIFT_ALERTS, Topics.LATENTS);
            AvroCodec<LatentStatsWindow> codec = AvroCodec.of(LatentStatsWindow.class);
            AvroCodec<LatentRecord> latents = AvroCodec.of(LatentRecord.class);
            try (KafkaProducer<byte[], byte[]> producer = DashboardTest.plainProducer(kafka.settings())) {
                for (String version : List.of(model.version(), "never-promoted")) {
                    producer.send(new ProducerRecord<>(Topics.LATENTS, latents.encode(latentRecord(version, "photo-0",
                            shardUri, latent, c, SIZE / f, eventTime))));
                }
                // its shard has not rolled yet: only the record has the latent
                LatentRecord inline = latentRecord(model.version(), "not-rolled-yet",
                        s3.settings().uri("latents/model=" + model.version() + "/dt=2026-01-01/part-0-1.tar"), latent,
                        c, SIZE / f, eventTime);
                inline.setLatentNpy(ByteBuffer.wrap(Npy.float16(latent, c, SIZE / f, SIZE / f)));
                inline.setLatentInStorageOnly(false);
                producer.send(new ProducerRecord<>(Topics.LATENTS, latents.encode(inline)));
                producer.send(new ProducerRecord<>(Topics.LATENT_STATS, codec.encode(known)));
                producer.send(new ProducerRecord<>(Topics.LATENT_STATS, codec.encode(unknownModel)));
            }

            byte[] manifest = "{}".getBytes(StandardCharsets.UTF_8);
            s3.settings().newClient().putObject(PutObjectArgs.builder().bucket(s3.settings().bucket())
                    .object("models/promoted-v9/manifest.json")
                    .stream(new ByteArrayInputStream(manifest), manifest.length, -1).build());

            try (Dashboard dashboard = Dashboard.start(kafka.settings(), s3.settings(), 0)) {
                JsonNode models = new ObjectMapper().readTree(get(dashboard, "/api/models").body());
                assertThat(models.get("available").toString()).as(models.toString())
                        .contains("{\"version\":\"" + model.version() + "\",\"location\":\"shipped\"}")
                        .contains("{\"version\":\"promoted-v9\",\"location\":\"s3://latentflow/models/promoted-v9/\"}");

                JsonNode outlier = awaitOutlier(dashboard, model.version());
                String path = outlier.get("reconstruction").asText();
                assertThat(path).matches("/api/reconstructions/\\d+/0\\.png");
                assertThat(outlier.get("imageId").asText()).isEqualTo("photo-0");

                HttpResponse<byte[]> png = get(dashboard, path);
                assertThat(png.statusCode()).as(new String(png.body(), StandardCharsets.UTF_8)).isEqualTo(200);
                assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
                BufferedImage served = ImageIO.read(new ByteArrayInputStream(png.body()));
                assertThat(served.getWidth()).isEqualTo(SIZE);
                assertThat(served.getHeight()).isEqualTo(SIZE);
                BufferedImage expected;
                try (LatentDecoder decoder = model.newDecoder()) {
                    expected = ImageIO.read(new ByteArrayInputStream(Reconstructions.toPng(
                            decoder.decode(stored, 1, SIZE / f, SIZE / f), SIZE, SIZE)));
                }
                assertSamePixels(served, expected);

                HttpResponse<byte[]> unrecorded = get(dashboard, path.replace("/0.png", "/1.png"));
                assertThat(unrecorded.statusCode()).isEqualTo(503);
                assertThat(new String(unrecorded.body(), StandardCharsets.UTF_8))
                        .contains("never-recorded").contains("latents topic");

                HttpResponse<byte[]> fromRecord = get(dashboard, path.replace("/0.png", "/2.png"));
                assertThat(fromRecord.statusCode()).as(new String(fromRecord.body(), StandardCharsets.UTF_8))
                        .isEqualTo(200);
                assertSamePixels(ImageIO.read(new ByteArrayInputStream(fromRecord.body())), expected);

                String unknownPath = awaitOutlier(dashboard, "never-promoted").get("reconstruction").asText();
                HttpResponse<byte[]> refused = get(dashboard, unknownPath);
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(new String(refused.body(), StandardCharsets.UTF_8))
                        .contains("never-promoted").contains("models/never-promoted/");
            }
        }
    }

    private static LatentRecord latentRecord(String version, String imageId, String shardUri, float[] latent, int c,
                                             int side, Instant eventTime) {
        return LatentRecord.newBuilder()
                .setImageId(imageId)
                .setModelVersion(version)
                .setShape(List.of(c, side, side))
                .setShardUri(shardUri)
                .setMember(ShardWriter.latentMember(imageId))
                .setSummary(LatentSummaries.of(latent))
                .setEventTime(eventTime)
                .setProcessingTime(eventTime)
                .build();
    }

    private static float[] encode(ServingModel model, Path photo, int f) throws Exception {
        ModelInputResizer resizer = new ModelInputResizer(SIZE, f);
        byte[] rgb = resizer.resize(new ImageDecoder().decode(Files.readAllBytes(photo)));
        try (LatentEncoder encoder = model.newEncoder()) {
            return encoder.encode(ModelInputBatch.toNchw(List.of(rgb), SIZE), 1, SIZE, SIZE);
        }
    }

    private void upload(EmbeddedS3 s3, String key, String sample, byte[] npy) throws Exception {
        Path shard = work.resolve("shard.tar");
        try (ShardWriter writer = new ShardWriter(shard)) {
            writer.add(sample, npy, "{}".getBytes(StandardCharsets.UTF_8));
            writer.finish();
        }
        s3.settings().newClient().uploadObject(UploadObjectArgs.builder()
                .bucket(s3.settings().bucket()).object(key).filename(shard.toString()).build());
    }

    private static Path firstPhoto() throws Exception {
        try (var files = Files.list(PHOTOS)) {
            return files.filter(p -> p.toString().endsWith(".jpg")).sorted().findFirst().orElseThrow();
        }
    }

    private JsonNode awaitOutlier(Dashboard dashboard, String model) {
        ObjectMapper json = new ObjectMapper();
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode window = json.readTree(new String(get(dashboard, "/api/windows/latest?model=" + model).body(),
                    StandardCharsets.UTF_8)).get("window");
            return window == null || window.isNull() ? null : window.get("outliers").get(0);
        }, outlier -> outlier != null);
    }

    private static HttpResponse<byte[]> get(Dashboard dashboard, String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertSamePixels(BufferedImage actual, BufferedImage expected) {
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(expected.getRGB(x, y));
            }
        }
    }
}

package io.latentflow.cli.ingest;

import io.latentflow.schemas.CommittedTopicReader;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.NetworkLink;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.Topics;
import io.minio.GetObjectArgs;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file given to the ingest ends as an acknowledged record or a named failure: small files inline, large ones
 * uploaded and sent by reference, files over the upload limit and records the broker refuses reported, not lost.
 */
class ImageIngestTest {

    private static final Path PHOTO = Path.of(System.getProperty("latentflow.home"), "samples", "photos",
            "Autumn_s1280_000.jpg");

    @TempDir
    Path work;

    @Test
    void everyFileIsAcknowledgedOrReportedByNameWithItsReason() throws Exception {
        Path folder = Files.createDirectories(work.resolve("camera"));
        Files.copy(PHOTO, folder.resolve("a-small.jpg"));
        Files.write(folder.resolve("b-large.jpg"), bytes(1_500_000));
        Files.write(folder.resolve("c-huge.jpg"), bytes(3_000_000));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            ImageIngest.Report report;
            try (ImageIngest ingest = new ImageIngest(kafka.settings(), Topics.IMAGES, s3.settings(),
                    new ImageIngest.Limits(512 * 1024, 2_000_000))) {
                report = ingest.send(List.of(folder), null, Instant.parse("2026-11-30T00:00:00Z"),
                        Duration.ofSeconds(1));
            }
            assertThat(report.sent()).isEqualTo(2);
            assertThat(report.bytes()).isEqualTo(Files.size(PHOTO) + 1_500_000);
            assertThat(report.failed()).singleElement().satisfies(failure -> {
                assertThat(failure.file()).endsWith("c-huge.jpg");
                assertThat(failure.reason()).contains("over the upload limit");
            });

            Map<String, ImageRecord> records;
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
                records = reader.readFrom(Topics.IMAGES, Map.of(), AvroCodec.of(ImageRecord.class)).stream()
                        .collect(Collectors.toMap(ImageRecord::getId, Function.identity()));
            }
            String smallId = ImageIds.of("camera", Path.of("a-small.jpg"), Files.readAllBytes(PHOTO));
            String largeId = ImageIds.of("camera", Path.of("b-large.jpg"), Files.readAllBytes(folder.resolve("b-large.jpg")));
            assertThat(smallId).startsWith("camera/a-small.jpg@");
            assertThat(records).containsOnlyKeys(smallId, largeId);
            ImageRecord small = records.get(smallId);
            assertThat(small.getInlineBytes().remaining()).isEqualTo((int) Files.size(PHOTO));
            assertThat(small.getSource()).isEqualTo("camera");
            ImageRecord large = records.get(largeId);
            assertThat(large.getInlineBytes()).isNull();
            URI uri = URI.create(large.getObjectUri());
            assertThat(uri.getScheme()).isEqualTo("s3");
            try (InputStream object = s3.settings().newClient().getObject(GetObjectArgs.builder()
                    .bucket(uri.getHost()).object(uri.getPath().substring(1)).build())) {
                assertThat(object.readAllBytes()).isEqualTo(Files.readAllBytes(folder.resolve("b-large.jpg")));
            }

            // Inline past the broker's message.max.bytes (1 MB by default): refused by the broker, and said so.
            try (ImageIngest careless = new ImageIngest(kafka.settings(), Topics.IMAGES, s3.settings(),
                    new ImageIngest.Limits(4_000_000, 4_000_000))) {
                ImageIngest.Report refused = careless.send(List.of(folder.resolve("b-large.jpg")), "camera",
                        Instant.now(), Duration.ZERO);
                assertThat(refused.sent()).isZero();
                assertThat(refused.failed()).singleElement()
                        .satisfies(failure -> assertThat(failure.reason()).startsWith("the broker refused it"));
            }
        }
    }

    @Test
    void aLargeFileSentWhileObjectStorageIsBrieflyUnreachableIsUploadedOnceItAnswers() throws Exception {
        Path folder = Files.createDirectories(work.resolve("camera"));
        Files.write(folder.resolve("large.jpg"), bytes(1_500_000));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             NetworkLink link = s3.link()) {
            link.cut(); // the S3 server killed; 'cluster restart s3' brings it back a moment later
            CompletableFuture<ImageIngest.Report> sending = CompletableFuture.supplyAsync(() -> {
                try (ImageIngest ingest = new ImageIngest(kafka.settings(), Topics.IMAGES, s3.settingsThrough(link),
                        new ImageIngest.Limits(512 * 1024, 2_000_000))) {
                    return ingest.send(List.of(folder), null, Instant.now(), Duration.ZERO);
                }
            });
            Thread.sleep(3000);
            assertThat(sending).as("still waiting for object storage").isNotDone();
            link.mend();

            ImageIngest.Report report = sending.get(2, TimeUnit.MINUTES);
            assertThat(report.failed()).isEmpty();
            assertThat(report.sent()).isEqualTo(1);
        }
    }

    @Test
    void aWebdatasetShardInObjectStorageIsStreamedSampleBySampleWithCaptionsAndItsOwnKeys() throws Exception {
        java.io.ByteArrayOutputStream shard = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(shard)) {
            member(tar, "000000007.jpg", Files.readAllBytes(PHOTO));
            member(tar, "000000007.txt", "Straße im Herbst, 秋".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            member(tar, "000000008.json", "{\"status\": \"failed_to_download\"}".getBytes());
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            s3.settings().newClient().putObject(io.minio.PutObjectArgs.builder().bucket("latentflow")
                    .object("datasets/laion/00000.tar").stream(new java.io.ByteArrayInputStream(shard.toByteArray()),
                            shard.size(), -1).build());
            ImageIngest.Report report;
            try (ImageIngest ingest = new ImageIngest(kafka.settings(), Topics.IMAGES, s3.settings(),
                    ImageIngest.Limits.DEFAULTS)) {
                report = ingest.sendObjects(List.of(URI.create("s3://latentflow/datasets/laion/00000.tar"),
                                URI.create("s3://latentflow/datasets/missing.tar"), URI.create("s3://latentflow/a.jpg")),
                        null, Instant.now(), Duration.ZERO);
            }
            assertThat(report.sent()).isEqualTo(1);
            assertThat(report.setAside()).singleElement().satisfies(f -> {
                assertThat(f.file()).isEqualTo("s3://latentflow/datasets/laion/00000.tar#000000008");
                assertThat(f.reason()).contains("failed download");
            });
            assertThat(report.failed()).extracting(ImageIngest.Failure::file).containsExactly(
                    "s3://latentflow/datasets/missing.tar", "s3://latentflow/a.jpg");
            ImageRecord record;
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
                record = reader.readFrom(Topics.IMAGES, Map.of(), AvroCodec.of(ImageRecord.class)).get(0);
            }
            assertThat(record.getId()).isEqualTo(ImageIds.of("laion", Path.of("00000.tar/000000007"),
                    Files.readAllBytes(PHOTO)));
            assertThat(record.getCaption()).isEqualTo("Straße im Herbst, 秋");
            assertThat(record.getSampleKey()).isEqualTo("000000007");
            assertThat(record.getLabel()).isNull();
        }
    }

    private static void member(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name,
                               byte[] content) throws Exception {
        var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}

package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.SigningKeys;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.Topics;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running encode job with one trusted key: an unsigned version, one signed by another key, and a signed one whose
 * weights and manifest were replaced together in the bucket are each REJECTED with the reason while serving stays; the
 * version the trusted key signed serves.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SignedVersionsEndToEndTest {

    private static final Duration LEAD = Duration.ofSeconds(5);

    @TempDir
    Path work;

    @Test
    void theJobServesOnlyVersionsATrustedKeySigned() throws Exception {
        List<Path> photos = E2eImages.photos();
        Path first = E2eImages.copies(photos.subList(0, 4), work.resolve("first"));
        Path second = E2eImages.copies(photos.subList(4, 8), work.resolve("second"));
        Path third = E2eImages.copies(photos.subList(8, 12), work.resolve("third"));
        String own;
        try (ServingModel model = ServingModel.loadDefault()) {
            own = model.version();
        }
        SigningKeys.Generated ours = SigningKeys.generate(work.resolve("our-keys"));
        SigningKey signer = SigningKey.read(ours.privateKey());
        SigningKey stranger = SigningKey.read(SigningKeys.generate(work.resolve("their-keys")).privateKey());
        Path trustedDir = Files.createDirectories(work.resolve("trusted"));
        Files.copy(ours.publicKey(), trustedDir.resolve(ours.publicKey().getFileName()));

        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow");
             ModelRegistry registry = new ModelRegistry(stack.kafka().settings(), stack.s3().settings())) {
            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                    .model(ModelLocation.DEFAULT).resolution(64).batchSize(4)
                    .checkpointInterval(Duration.ofMillis(500))
                    .followRegistry(true)
                    .trustedKeys(TrustedKeys.load(trustedDir))
                    .build();
            JobClient job = EncodeJob.onKafka(settings).start(stack.flink().environment());
            try {
                ingest(stack, first);
                E2eImages.awaitLatents(stack.kafka().bootstrapServers(), 4);

                String unsigned = publish(registry, "bounded-f8c8-unsigned0001", Optional.empty());
                assertThat(rejectionOf(registry, unsigned)).contains("is unsigned");
                String foreign = publish(registry, "bounded-f8c8-foreign00001", Optional.of(stranger));
                assertThat(rejectionOf(registry, foreign)).contains("signed by key " + stranger.keyId())
                        .contains("not among the trusted keys");
                assertThat(registry.history().serving()).as("serving stays").isEmpty();

                String signed = publish(registry, "bounded-f8c8-signed000001", Optional.of(signer));
                awaitTime(registry.promote(signed, "signed by a trusted key", LEAD));
                ingest(stack, second);
                E2eImages.awaitLatents(stack.kafka().bootstrapServers(), 8);

                String forged = "bounded-f8c8-forged000001";
                registry.publish(PublishedVersions.shippedAs(forged, work.resolve(forged)), Map.of(),
                        Optional.of(signer));
                replaceWeightsAndManifest(stack, forged);
                assertThat(rejectionOf(registry, forged)).contains("bad signature");
                ingest(stack, third);
                List<LatentRecord> latents = E2eImages.awaitLatents(stack.kafka().bootstrapServers(), 12);

                assertThat(latents).extracting(LatentRecord::getImageId).doesNotHaveDuplicates().hasSize(12);
                Map<String, List<String>> byVersion = latents.stream().collect(Collectors.groupingBy(
                        LatentRecord::getModelVersion, Collectors.mapping(LatentRecord::getImageId,
                                Collectors.toList())));
                assertThat(byVersion).containsOnlyKeys(own, signed);
                assertThat(byVersion.get(own)).containsExactlyInAnyOrderElementsOf(ids("first", photos.subList(0, 4)));
                assertThat(byVersion.get(signed)).containsExactlyInAnyOrderElementsOf(Stream.concat(
                        ids("second", photos.subList(4, 8)).stream(), ids("third", photos.subList(8, 12)).stream())
                        .toList());
                assertThat(registry.history().serving()).contains(signed);
                assertThat(registry.history().events()).filteredOn(event -> event.getVersion().equals(signed)
                        && event.getType() == ModelEventType.PUBLISHED).singleElement()
                        .satisfies(event -> assertThat(event.getAttributes())
                                .containsEntry(ModelRegistry.SIGNED_BY, signer.keyId()));
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private String publish(ModelRegistry registry, String version, Optional<SigningKey> signer) throws Exception {
        return registry.publish(PublishedVersions.shippedAs(version, work.resolve(version)), Map.of(), signer);
    }

    /** Promotes the version and returns the reason the encoders recorded with its REJECTED event. */
    private static String rejectionOf(ModelRegistry registry, String version) {
        registry.promote(version, "test", LEAD);
        await().atMost(Duration.ofMinutes(1)).until(() -> registry.history().versions().get(version).state()
                == ModelEventType.REJECTED);
        ModelHistory history = registry.history();
        return history.versions().get(version).reason();
    }

    /**
     * What someone who can write the bucket but holds no trusted key can do: other weights, and a manifest whose sums
     * match them, under the version's old signature.
     */
    private void replaceWeightsAndManifest(LocalStack stack, String version) throws Exception {
        Path published = work.resolve(version);
        byte[] decoder = Files.readAllBytes(published.resolve(ModelDirectory.DECODER_PARAMS));
        decoder[decoder.length / 2] ^= 1;
        String forgedSha256 = ModelDirectory.sha256(Files.write(work.resolve("forged.params"), decoder));
        Manifest signed = Manifest.fromJson(Files.readString(published.resolve(ModelDirectory.MANIFEST)));
        List<Manifest.FileEntry> files = signed.files().stream().map(file -> file.path()
                .equals(ModelDirectory.DECODER_PARAMS) ? new Manifest.FileEntry(file.path(), decoder.length,
                forgedSha256) : file).toList();
        put(stack, "models/" + version + "/" + ModelDirectory.DECODER_PARAMS, decoder);
        put(stack, "models/" + version + "/" + ModelDirectory.MANIFEST, new Manifest(signed.formatVersion(), version,
                files).toJson().getBytes(StandardCharsets.UTF_8));
    }

    private static void put(LocalStack stack, String key, byte[] bytes) throws Exception {
        stack.s3().settings().newClient().putObject(PutObjectArgs.builder().bucket(stack.s3().settings().bucket())
                .object(key).stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
    }

    private static void ingest(LocalStack stack, Path folder) {
        try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
            ImageIngest.Report report = producer.send(List.of(folder), null, Instant.now(), Duration.ofMillis(300));
            assertThat(report.failed()).isEmpty();
        }
    }

    private static List<String> ids(String folder, List<Path> photos) {
        return photos.stream().map(photo -> E2eImages.id(folder, photo)).toList();
    }

    private static void awaitTime(Instant instant) throws InterruptedException {
        long wait = instant.toEpochMilli() - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait + 100);
        }
    }
}

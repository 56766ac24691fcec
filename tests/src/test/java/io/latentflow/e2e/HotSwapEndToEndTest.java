package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.FailOnce;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.RestartPolicy;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.infra.LocalStack;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.Topics;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model version published and promoted while the unbounded encode job runs, with the encoder failing once in the
 * middle of the swap, then a tampered version promoted: every image ends as exactly one latent, the ones stamped
 * before the promotion took effect under the old version, the ones after under the new one (its prefix, its drift
 * reference), the tampered version REJECTED with serving unchanged.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HotSwapEndToEndTest {

    private static final Duration LEAD = Duration.ofSeconds(5);
    private static final int RESOLUTION = 256; // the shipped reference profile's, so the monitor judges both versions

    @TempDir
    Path work;

    @Test
    void aPromotionSwapsTheRunningJobAcrossAFailureAndATamperedVersionIsRejected() throws Exception {
        List<Path> photos = E2eImages.photos();
        Path before = E2eImages.copies(photos.subList(0, 16), work.resolve("before"));
        Path after = E2eImages.copies(photos.subList(16, 40), work.resolve("after"));
        Path last = E2eImages.copies(photos.subList(40, 48), work.resolve("last"));
        String own;
        try (ServingModel model = ServingModel.loadDefault()) {
            own = model.version();
        }
        String next = "bounded-f8c8-hotswap00002";
        String tampered = "bounded-f8c8-hotswap00003";
        // fails once among the images after the swap: the restore must give them the new version again
        FailOnce failure = FailOnce.once(OperatorFaults.Stage.ENCODE,
                16 + 12);

        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow");
             ModelRegistry registry = new ModelRegistry(stack.kafka().settings(), stack.s3().settings())) {
            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                    .model(ModelLocation.DEFAULT).resolution(RESOLUTION).batchSize(8)
                    .checkpointInterval(Duration.ofMillis(500))
                    .restartPolicy(RestartPolicy.fixedDelay(3, Duration.ofMillis(200)))
                    .faults(failure)
                    .followRegistry(true)
                    .build();
            settings = settings.toBuilder().monitor(DriftMonitorSettings
                    .of(ReferenceProfiles.resolve(settings.model(), RESOLUTION, E2eImages.PHOTOS))
                    .withWindowSize(Duration.ofSeconds(2)).withOutOfOrderness(Duration.ZERO)).build();
            JobClient job = EncodeJob.onKafka(settings).start(stack.flink().environment());
            try {
                ingest(stack, before);
                E2eImages.awaitLatents(stack.kafka().bootstrapServers(), 16);

                registry.publish(PublishedVersions.shippedAs(next, work.resolve(next)));
                Instant effective = registry.promote(next, "test", LEAD);
                awaitTime(effective);
                ingest(stack, after);
                E2eImages.awaitLatents(stack.kafka().bootstrapServers(), 40);

                registry.publish(PublishedVersions.shippedAs(tampered, work.resolve(tampered)));
                stack.s3().settings().newClient().putObject(PutObjectArgs.builder()
                        .bucket(stack.s3().settings().bucket()).object("models/" + tampered + "/decoder.params")
                        .stream(new ByteArrayInputStream(new byte[1024]), 1024, -1).build());
                awaitTime(registry.promote(tampered, "test", LEAD));
                ingest(stack, last);
                List<LatentRecord> latents = E2eImages.awaitLatents(stack.kafka().bootstrapServers(), 48);

                assertThat(failure.hasFired()).as("the injected failure fired").isTrue();
                assertThat(latents).extracting(LatentRecord::getImageId).doesNotHaveDuplicates().hasSize(48);
                Map<String, List<String>> byVersion = latents.stream().collect(Collectors.groupingBy(
                        LatentRecord::getModelVersion, Collectors.mapping(LatentRecord::getImageId,
                                Collectors.toList())));
                assertThat(byVersion.get(own)).containsExactlyInAnyOrderElementsOf(ids("before", photos, 0, 16));
                List<String> swapped = ids("after", photos, 16, 40);
                swapped.addAll(ids("last", photos, 40, 48));
                assertThat(byVersion.get(next)).containsExactlyInAnyOrderElementsOf(swapped);
                assertThat(byVersion).containsOnlyKeys(own, next);
                for (LatentRecord latent : latents) {
                    assertThat(latent.getShardUri()).contains("/latents/model=" + latent.getModelVersion() + "/");
                }

                ModelHistory history = registry.history();
                assertThat(history.serving()).contains(next);
                assertThat(history.versions().get(tampered).state()).isEqualTo(ModelEventType.REJECTED);
                assertThat(history.versions().get(tampered).reason()).contains(ModelDirectory.DECODER_PARAMS);

                // the monitor judged the new version's latents against its own reference profile
                await().atMost(Duration.ofMinutes(1)).until(() -> latentStats(stack).stream()
                        .anyMatch(window -> window.getModelVersion().equals(next)));
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private static void ingest(LocalStack stack, Path folder) {
        try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
            ImageIngest.Report report = producer.send(List.of(folder), null, Instant.now(), Duration.ofMillis(300));
            assertThat(report.failed()).isEmpty();
        }
    }

    private static void awaitTime(Instant instant) throws InterruptedException {
        long wait = instant.toEpochMilli() - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait + 100);
        }
    }

    private static List<LatentStatsWindow> latentStats(LocalStack stack) {
        try (CommittedTopicReader reader = new CommittedTopicReader(stack.kafka().bootstrapServers())) {
            return reader.readFrom(Topics.LATENT_STATS, Map.of(), AvroCodec.of(LatentStatsWindow.class));
        }
    }

    private static List<String> ids(String folder, List<Path> photos, int from, int to) {
        return photos.subList(from, to).stream().map(p -> E2eImages.id(folder, p))
                .collect(Collectors.toCollection(java.util.ArrayList::new));
    }
}

package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of images and then silence, as a user's one upload is: the unbounded job's last windows are still judged
 * and alerted, with no later image to move event time past them. Without the idle watermarks they never close (the
 * test then times out waiting for them).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IdleStreamWindowsEndToEndTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final int RESOLUTION = 256; // the shipped reference profile's
    private static final int IMAGES = 32;

    @TempDir
    Path work;

    @Test
    void theLastWindowOfABurstIsJudgedAndAlertedWhileTheStreamStaysIdle() throws Exception {
        Path burst = E2eImages.copies(E2eImages.files(SAMPLES.resolve("illustrations")).subList(0, IMAGES),
                work.resolve("burst"));

        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                    .model(ModelLocation.DEFAULT).resolution(RESOLUTION).batchSize(8)
                    .checkpointInterval(Duration.ofSeconds(1)).build();
            settings = settings.toBuilder().monitor(DriftMonitorSettings
                    .of(ReferenceProfiles.resolve(settings.model(), RESOLUTION, SAMPLES.resolve("photos")))
                    .withWindowSize(Duration.ofMinutes(1)).withOutOfOrderness(Duration.ZERO)
                    .withIdleness(Duration.ofSeconds(3))).build();
            JobClient job = EncodeJob.onKafka(settings).start(stack.flink().environment());
            try {
                // one minute windows: the burst sits in one or two of them, and nothing follows it
                try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                        stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
                    assertThat(producer.send(List.of(burst), null, Instant.now(), Duration.ZERO).failed()).isEmpty();
                }
                E2eImages.awaitLatents(stack.kafka().bootstrapServers(), IMAGES);

                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        read(stack, Topics.LATENT_STATS, LatentStatsWindow.class).stream()
                                .mapToLong(LatentStatsWindow::getImages).sum() == IMAGES);
                List<DriftAlert> alerts = read(stack, Topics.DRIFT_ALERTS, DriftAlert.class);
                assertThat(alerts).as("drawn images after a photo reference").isNotEmpty()
                        .allSatisfy(alert -> assertThat(alert.getSeverity()).isNotEqualTo(DriftSeverity.OK));
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private static <T extends SpecificRecord> List<T> read(LocalStack stack, String topic, Class<T> type) {
        try (CommittedTopicReader reader = new CommittedTopicReader(stack.kafka().bootstrapServers())) {
            return reader.readFrom(topic, Map.of(), AvroCodec.of(type));
        }
    }
}

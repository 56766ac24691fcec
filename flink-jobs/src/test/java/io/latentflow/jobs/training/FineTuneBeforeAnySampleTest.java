package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import io.latentflow.schemas.TrainingTrigger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingest}, then at once {@code finetune}: the samples of the images just sent are taken only when their window
 * closes, so the service's fine-tune finds none. That is a refusal saying when to ask again (exit code 4 for
 * {@code finetune --wait}), not a failure naming an empty folder.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FineTuneBeforeAnySampleTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");

    @TempDir
    Path work;

    @Test
    void aFineTuneAskedBeforeAnySampleWasTakenIsRefusedWithWhenToAskAgain() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
            FineTuneSettings settings = FineTuneSettings.defaults(64, SAMPLES.resolve("photos"), work.resolve("tune"));
            TrainingRequest request = TrainingRequest.newBuilder().setRequestId("right-after-ingest")
                    .setRequestedAt(Instant.now()).setTrigger(TrainingTrigger.USER).setReason("test").build();

            FineTuneRun.Outcome outcome = new FineTuneRun(registry, new TrainingSampleStore(s3.settings()), settings)
                    .run(request, progress -> { });

            assertThat(outcome.state()).as(outcome.reason()).isEqualTo(TrainingState.REFUSED);
            assertThat(outcome.candidate()).isNull();
            assertThat(outcome.reason()).contains("more recent images are needed")
                    .contains("No training sample has been taken yet").contains("as it closes");
            assertThat(outcome.figures()).containsEntry("recentImages", 0.0);
            assertThat(outcome.figures().get("moreRecentImages")).isPositive();
        }
    }
}

package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.model.finetune.GatedCandidate;
import io.latentflow.registry.CandidatePublisher;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import io.latentflow.schemas.TrainingTrigger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous-training job killed in the middle of a fine-tune: Flink restores the request from the async
 * operator's state and runs it again. Whatever the dead attempt left (a half-written work folder, or a candidate
 * already published, its verdict not yet recorded), the request ends with one candidate, its verdict recorded once,
 * and no folder of the dead attempt.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FineTuneRestartTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final FineTuneRun.Listener UNWATCHED = progress -> { };

    @TempDir
    Path work;

    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;
    private ModelRegistry registry;
    private FineTuneSettings settings;

    @BeforeEach
    void registryOnAnEmbeddedStack() {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        s3 = EmbeddedS3.start(null, "latentflow");
        registry = new ModelRegistry(kafka.settings(), s3.settings());
        settings = FineTuneSettings.defaults(64, SAMPLES.resolve("photos"), work.resolve("tune")).withSteps(2)
                .withTraining(32, 2).withThresholds(new GateThresholds(10, 0.2, 0, 0.2, 1.2, 1_000_000, 100, -100, 4));
    }

    @AfterEach
    void stopTheStack() {
        registry.close();
        s3.close();
        kafka.close();
    }

    @Test
    void aRequestRunAgainAfterAKillMidTrainingClearsTheDeadAttemptsFolderAndMakesOneCandidate() throws Exception {
        Path dead = FineTuneRun.workFolder(Path.of(settings.workDirectory()), "killed-1");
        Files.createDirectories(dead.resolve("trained"));
        Files.writeString(dead.resolve("trained").resolve("encoder.params"), "half a file");
        ServingModel.extractDefault(dead.resolve("serving"));

        FineTuneRun.Outcome outcome = new FineTuneRun(registry, null, settings).run(request("killed-1"),
                UNWATCHED);

        assertThat(outcome.state()).as(outcome.reason()).isEqualTo(TrainingState.PROMOTED);
        assertThat(publishedFor("killed-1")).singleElement()
                .extracting(ModelEvent::getVersion).isEqualTo(outcome.candidate());
        assertThat(dead).doesNotExist();
        assertThat(Path.of(settings.workDirectory())).isEmptyDirectory();
    }

    /** Killed between the candidate's PUBLISHED event and its verdict: the replay records the gate's verdict. */
    @Test
    void aRequestRunAgainAfterItsCandidateWasPublishedMakesNoSecondOneAndRecordsTheLostVerdict() throws Exception {
        Path trained = ServingModel.extractDefault(work.resolve("trained"));
        GateVerdict failed = new GateVerdict("candidate", "serving", false, "failed the gate: older images: lost",
                List.of("older images: lost"), Map.of("older.psnrChange", -0.8, "recent.psnrChange", 0.4));
        GatedCandidate.write(trained, work.resolve("candidate"), failed, settings.thresholds(), Map.of());
        String published = registry.publish(work.resolve("candidate"),
                Map.of(CandidatePublisher.REQUEST_ID, "killed-2"));
        assertThat(registry.history().versions().get(published).state()).isEqualTo(ModelEventType.PUBLISHED);

        FineTuneRun.Outcome outcome = new FineTuneRun(registry, null, settings).run(request("killed-2"),
                UNWATCHED);

        assertThat(outcome.state()).isEqualTo(TrainingState.DUPLICATE);
        assertThat(outcome.candidate()).isEqualTo(published);
        assertThat(outcome.reason()).contains("recorded now: REJECTED");
        assertThat(publishedFor("killed-2")).singleElement()
                .extracting(ModelEvent::getVersion).isEqualTo(published);
        ModelHistory.VersionState state = registry.history().versions().get(published);
        assertThat(state.state()).isEqualTo(ModelEventType.REJECTED);
        assertThat(state.reason()).isEqualTo("failed the gate: older images: lost");
        assertThat(state.figures()).containsEntry("older.psnrChange", -0.8);
        assertThat(Path.of(settings.workDirectory())).isEmptyDirectory();

        FineTuneRun.Outcome again = new FineTuneRun(registry, null, settings).run(request("killed-2"), UNWATCHED);
        assertThat(again.reason()).as("recorded once").doesNotContain("recorded now");
        assertThat(registry.history().events()).filteredOn(e -> e.getType() == ModelEventType.REJECTED)
                .hasSize(1);
    }

    private static TrainingRequest request(String id) {
        return TrainingRequest.newBuilder().setRequestId(id).setRequestedAt(Instant.now())
                .setTrigger(TrainingTrigger.USER).setReason("test")
                .setRecentImages(SAMPLES.resolve("illustrations").toString()).build();
    }

    private List<ModelEvent> publishedFor(String requestId) {
        return registry.history().events().stream().filter(e -> e.getType() == ModelEventType.PUBLISHED)
                .filter(e -> requestId.equals(e.getAttributes().get(CandidatePublisher.REQUEST_ID))).toList();
    }
}

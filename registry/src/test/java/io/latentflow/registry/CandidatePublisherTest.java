package io.latentflow.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every fine-tune's candidate, whoever made it, leaves the same events: the request, the gate's verdict and figures. */
class CandidatePublisherTest {

    private static final Map<String, Double> FIGURES = Map.of("recent.psnrChange", 0.4, "older.psnrChange", -0.1);

    @TempDir
    Path work;

    /** The candidates' versions: one the gate passes, one it fails, one it passes but nobody asked to promote. */
    private static final String BETTER = "bounded-f8c8-00000000000b";
    private static final String WORSE = "bounded-f8c8-00000000000c";
    private static final String UNASKED = "bounded-f8c8-00000000000d";

    @Test
    void aPassingCandidateIsPromotedWithTheGatesFiguresAndAFailingOneRejected() throws Exception {
        Path serving = VersionDirectories.copyOfShipped(work.resolve("serving"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
            String first = registry.publish(serving);
            registry.promote(first, "first");
            CandidatePublisher publisher = new CandidatePublisher(registry, ModelRegistry.DEFAULT_LEAD);

            assertThat(publisher.publish(candidate(serving, BETTER), "request-b", verdict(true), true))
                    .isEqualTo(CandidatePublisher.Outcome.PROMOTED);
            assertThat(publisher.publish(candidate(serving, WORSE), "request-c", verdict(false), true))
                    .isEqualTo(CandidatePublisher.Outcome.REJECTED);
            assertThat(publisher.publish(candidate(serving, UNASKED), "request-d", verdict(true), false))
                    .isEqualTo(CandidatePublisher.Outcome.PUBLISHED);

            ModelHistory history = registry.history();
            List<ModelEvent> candidates = history.events().subList(2, history.events().size());
            assertThat(candidates).extracting(ModelEvent::getType).containsExactly(
                    ModelEventType.PUBLISHED, ModelEventType.PROMOTED,
                    ModelEventType.PUBLISHED, ModelEventType.REJECTED,
                    ModelEventType.PUBLISHED);
            assertThat(candidates.get(0).getAttributes()).containsEntry(CandidatePublisher.REQUEST_ID, "request-b");
            assertThat(candidates.get(1).getFigures()).as("the promotion carries the gate's figures")
                    .containsAllEntriesOf(FIGURES);
            assertThat(candidates.get(1).getReason()).isEqualTo("gate passed");
            assertThat(candidates.get(3).getFigures()).containsAllEntriesOf(FIGURES);
            assertThat(history.serving()).contains(BETTER);

            assertThat(CandidatePublisher.candidateOf(history, "request-c")).contains(WORSE);
            assertThat(CandidatePublisher.candidateOf(history, "request-d")).contains(UNASKED);
            assertThat(CandidatePublisher.candidateOf(history, "request-x")).isEmpty();
        }
    }

    /** A fine-tune's output as the publisher gets it: a verified version directory, here the serving weights. */
    private Path candidate(Path serving, String version) throws Exception {
        return VersionDirectories.anotherVersion(serving, work.resolve(version), version);
    }

    private static GateVerdict verdict(boolean passed) {
        return new GateVerdict("candidate", "serving", passed, passed ? "gate passed" : "gate failed",
                passed ? List.of() : List.of("older: 0.5 dB lost"), FIGURES);
    }
}

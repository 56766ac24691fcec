package io.latentflow.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end of every fine-tune, whoever ran it (the offline {@code models finetune} or the continuous-training job):
 * publishes the gated candidate naming the request that made it, then records the gate's verdict: REJECTED with the
 * gate's figures, or PROMOTED with them, or nothing more when promotion was not asked for. One sequence, so a
 * version's events read the same whichever way it was made.
 */
public final class CandidatePublisher {

    /** Attribute of a PUBLISHED event: the training request that made the version. */
    public static final String REQUEST_ID = "requestId";

    /** Where the candidate stands in the registry afterwards. */
    public enum Outcome {
        /** Passed and promoted: it serves from the registry's lead on. */
        PROMOTED,
        /** Passed, published, not promoted (it was not asked for). */
        PUBLISHED,
        /** Failed the gate: published for the record, never to serve. */
        REJECTED
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelRegistry registry;
    private final Duration lead;
    private final Optional<SigningKey> signingKey;

    /** @param lead how long after the promotion is recorded it takes effect ({@link ModelRegistry#DEFAULT_LEAD}) */
    public CandidatePublisher(ModelRegistry registry, Duration lead) {
        this(registry, lead, Optional.empty());
    }

    /**
     * @param signingKey signs each candidate's manifest when given: a service with trusted keys serves only signed
     *                   versions, so an unsigned candidate it promotes would be REJECTED by its encoders
     */
    public CandidatePublisher(ModelRegistry registry, Duration lead, Optional<SigningKey> signingKey) {
        this.registry = registry;
        this.lead = lead;
        this.signingKey = signingKey;
    }

    /**
     * Publishes {@code versionDir} with {@code requestId}, then REJECTED or PROMOTED by {@code verdict}, each with the
     * verdict's reason and figures; a passing candidate is left PUBLISHED when {@code promote} is false.
     */
    public Outcome publish(Path versionDir, String requestId, GateVerdict verdict, boolean promote)
            throws IOException {
        String version = registry.publish(versionDir, Map.of(REQUEST_ID, requestId), signingKey);
        return record(version, verdict, promote);
    }

    /**
     * Records the verdict of a candidate whose PUBLISHED event was never followed by one: the attempt that published
     * it died in between (the continuous-training job killed mid-request). The verdict is the gate's, as the
     * candidate's {@code metrics.json} holds it, so the replayed request ends as the first attempt would have.
     *
     * @param scratch a folder that does not exist, to download the candidate into
     * @return where the candidate stands afterwards; empty when its verdict was already recorded, or when it is not a
     *         gated candidate (its metrics.json has no {@code gate})
     */
    public Optional<Outcome> recordMissingVerdict(String version, boolean promote, Path scratch) throws IOException {
        ModelHistory.VersionState state = registry.history().versions().get(version);
        if (state == null || state.state() != ModelEventType.PUBLISHED) {
            return Optional.empty();
        }
        Path candidate = registry.download(version, scratch);
        JsonNode gate = JSON.readTree(candidate.resolve(ModelDirectory.METRICS).toFile()).path("gate");
        if (!gate.isObject()) {
            return Optional.empty();
        }
        List<String> failures = new ArrayList<>();
        gate.path("failures").forEach(failure -> failures.add(failure.asText()));
        Map<String, Double> figures = new LinkedHashMap<>();
        gate.path("figures").fields().forEachRemaining(figure -> figures.put(figure.getKey(),
                figure.getValue().asDouble()));
        GateVerdict verdict = new GateVerdict(version, gate.path("servingVersion").asText(),
                gate.path("passed").asBoolean(), gate.path("reason").asText(), failures, figures);
        return Optional.of(record(version, verdict, promote));
    }

    private Outcome record(String version, GateVerdict verdict, boolean promote) {
        if (!verdict.passed()) {
            registry.reject(version, verdict.reason(), verdict.figures());
            return Outcome.REJECTED;
        }
        if (!promote) {
            return Outcome.PUBLISHED;
        }
        registry.promote(version, verdict.reason(), lead, verdict.figures());
        return Outcome.PROMOTED;
    }

    /**
     * The version a PUBLISHED event names as made by {@code requestId}, if any: a request replayed after a restart
     * finds its candidate here instead of making a second one.
     */
    public static Optional<String> candidateOf(ModelHistory history, String requestId) {
        return history.events().stream()
                .filter(event -> event.getType() == ModelEventType.PUBLISHED)
                .filter(event -> requestId.equals(event.getAttributes().get(REQUEST_ID)))
                .map(ModelEvent::getVersion).findFirst();
    }
}

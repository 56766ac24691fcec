package io.latentflow.registry;

import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the model-events add up to: each version's latest state, and which version serves (the last PROMOTED that no
 * later ROLLED_BACK named and that was not REJECTED; a rollback returns serving to the version promoted before it).
 * When a change takes effect in the running encoders is {@link ServingTimeline}'s business.
 *
 * @param events   every event, oldest first
 * @param versions per version, in order of publication: its latest state
 */
public record ModelHistory(List<ModelEvent> events, Map<String, VersionState> versions, List<String> promotions) {

    /**
     * A version's latest state, when it was published, and the figures it was published or judged with.
     *
     * @param latentSpace what its latents mean, as its PUBLISHED event says; "" when it does not (published before
     *                    versions carried it)
     */
    public record VersionState(String version, ModelEventType state, String publishedAt, String reason,
                               Map<String, Double> figures, String latentSpace) {

        public VersionState(String version, ModelEventType state, String publishedAt, String reason,
                            Map<String, Double> figures) {
            this(version, state, publishedAt, reason, figures, "");
        }
    }

    /** The attribute of a PUBLISHED event (and of a PROMOTED one) that names the version's latent space. */
    public static final String LATENT_SPACE = "latentSpace";

    /** What {@code events}, oldest first, add up to. */
    public static ModelHistory of(List<ModelEvent> events) {
        Map<String, VersionState> versions = new LinkedHashMap<>();
        List<String> promotions = new ArrayList<>();
        for (ModelEvent event : events) {
            String version = event.getVersion();
            VersionState before = versions.get(version);
            String publishedAt = before != null ? before.publishedAt() : event.getTime().toString();
            Map<String, Double> figures = new LinkedHashMap<>(before != null ? before.figures() : Map.of());
            event.getFigures().forEach((name, value) -> figures.put(name.toString(), value));
            String latentSpace = before != null ? before.latentSpace() : "";
            if (event.getType() == ModelEventType.PUBLISHED && event.getAttributes().containsKey(LATENT_SPACE)) {
                latentSpace = event.getAttributes().get(LATENT_SPACE);
            }
            versions.put(version, new VersionState(version, event.getType(), publishedAt,
                    event.getReason() == null ? null : event.getReason(), figures, latentSpace));
            if (event.getType() == ModelEventType.PROMOTED) {
                promotions.add(version);
            } else if (event.getType() == ModelEventType.REJECTED) {
                // a promoted version the encoders could not load never served (ServingTimeline)
                promotions.removeIf(version::equals);
            } else if (event.getType() == ModelEventType.ROLLED_BACK && !promotions.isEmpty()
                    && promotions.get(promotions.size() - 1).equals(version)) {
                promotions.remove(promotions.size() - 1);
            }
        }
        return new ModelHistory(List.copyOf(events), Collections.unmodifiableMap(versions), List.copyOf(promotions));
    }

    /** The version that serves now, if any was ever promoted and not rolled back. */
    public Optional<String> serving() {
        return promotions.isEmpty() ? Optional.empty() : Optional.of(promotions.get(promotions.size() - 1));
    }

    /** When {@code version} was last promoted; empty when it never was. */
    public Optional<Instant> promotedAt(String version) {
        Instant at = null;
        for (ModelEvent event : events) {
            if (event.getType() == ModelEventType.PROMOTED && event.getVersion().equals(version)) {
                at = event.getTime();
            }
        }
        return Optional.ofNullable(at);
    }

    /**
     * The id of the key its PUBLISHED event says signed {@code version}; empty when it was published unsigned. What
     * the event claims: whether the stored signature verifies is {@link ModelRegistry#checkSignature}'s to say.
     */
    public Optional<String> signedBy(String version) {
        return events.stream().filter(event -> event.getType() == ModelEventType.PUBLISHED)
                .filter(event -> event.getVersion().equals(version))
                .map(event -> event.getAttributes().get(ModelRegistry.SIGNED_BY)).filter(Objects::nonNull)
                .findFirst();
    }

    /** The version that served before {@code version} (where a rollback of it returns to). */
    Optional<String> servedBefore(String version) {
        int at = promotions.lastIndexOf(version);
        return at > 0 ? Optional.of(promotions.get(at - 1)) : Optional.empty();
    }
}

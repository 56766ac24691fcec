package io.latentflow.registry;

import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which model version serves an image, as a pure function of the model-events log and the image's Kafka timestamp:
 * a PROMOTED or ROLLED_BACK event carries the time from which it takes effect ({@value #EFFECTIVE_FROM}, some seconds
 * after it was recorded), and an image stamped at or after that time is encoded by the version it names. Every encoder
 * subtask, and every restore from any checkpoint, reads the same log and so gives each image the same version.
 *
 * <p>A REJECTED version never serves: its promotions are left out, so the images after them stay with the version
 * before (the encoders, which could not load it, encoded them with that one).
 *
 * @param changes serving changes in log order; each from its effective time on
 */
public record ServingTimeline(List<Change> changes) {

    /** Attribute of PROMOTED and ROLLED_BACK events: epoch milliseconds from which the change applies. */
    public static final String EFFECTIVE_FROM = "effectiveFrom";

    /**
     * The shortest lead a change may have between being recorded and taking effect. An encoder only encodes an image
     * stamped {@code t} once it has read the whole log as of {@code t - }{@link #READ_HORIZON}, so a change recorded
     * later cannot apply to that image; the difference between the two absorbs the time to record an event and the
     * clock skew between the machines that stamp images and events.
     */
    public static final Duration MIN_LEAD = Duration.ofSeconds(5);
    /** How far ahead of the log an encoder reads; see {@link #MIN_LEAD}. */
    public static final Duration READ_HORIZON = Duration.ofSeconds(3);

    /** One change of the serving version: {@code version} serves images stamped at or after {@code from}. */
    public record Change(long from, String version) {
    }

    public static final ServingTimeline EMPTY = new ServingTimeline(List.of());

    public static ServingTimeline of(List<ModelEvent> events) {
        Set<String> rejected = new HashSet<>();
        for (ModelEvent event : events) {
            if (event.getType() == ModelEventType.REJECTED) {
                rejected.add(event.getVersion());
            }
        }
        List<String> promotions = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (ModelEvent event : events) {
            String version = event.getVersion();
            if (rejected.contains(version)) {
                continue;
            }
            if (event.getType() == ModelEventType.PROMOTED) {
                promotions.add(version);
                changes.add(new Change(effectiveFrom(event), version));
            } else if (event.getType() == ModelEventType.ROLLED_BACK && !promotions.isEmpty()
                    && promotions.get(promotions.size() - 1).equals(version)) {
                promotions.remove(promotions.size() - 1);
                changes.add(new Change(effectiveFrom(event),
                        promotions.isEmpty() ? null : promotions.get(promotions.size() - 1)));
            }
        }
        return new ServingTimeline(List.copyOf(changes));
    }

    /**
     * The version serving images stamped {@code timestamp}: that of the last change (in log order) in effect by then;
     * empty when none is, or when a rollback returned to before the first promotion: then the job's own model serves.
     */
    public Optional<String> versionAt(long timestamp) {
        Change current = null;
        for (Change change : changes) {
            if (change.from() <= timestamp) {
                current = change;
            }
        }
        return current == null ? Optional.empty() : Optional.ofNullable(current.version());
    }

    /** The version the last change names, which will serve from its effective time on (the one to load ahead). */
    public Optional<String> latest() {
        return changes.isEmpty() ? Optional.empty() : Optional.ofNullable(changes.get(changes.size() - 1).version());
    }

    public static long effectiveFrom(ModelEvent event) {
        CharSequence from = event.getAttributes().get(EFFECTIVE_FROM);
        return from != null ? Long.parseLong(from.toString()) : event.getTime().toEpochMilli();
    }
}

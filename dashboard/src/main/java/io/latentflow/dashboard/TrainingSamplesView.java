package io.latentflow.dashboard;

import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ServingTimeline;
import io.latentflow.registry.samples.SamplesSincePromotion;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.ModelEventType;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many training samples are stored, and how many a fine-tune of the serving version would take (those since it
 * was promoted, as {@code status} counts them): whether asking for a fine-tune now makes sense. Counting lists the
 * bucket, so the count is remembered for {@value #COUNT_EVERY_MS} ms, or until a promotion moves its start. Model
 * events come from the topic follower's thread, the count is read by the server's. Thread-safe.
 */
final class TrainingSamplesView {

    private static final long COUNT_EVERY_MS = 30_000;

    private final TrainingSampleStore store;
    private final List<ModelEvent> events = new ArrayList<>();
    private Map<String, Object> counted;
    private long nextCount;

    /** @param s3 where the sampler writes training samples; null when there is none (nothing is shown) */
    TrainingSamplesView(S3Settings s3) {
        this.store = s3 == null ? null : new TrainingSampleStore(s3);
    }

    synchronized void add(ModelEvent event) {
        events.add(event);
        if (event.getType() != ModelEventType.PUBLISHED) {
            nextCount = 0; // the serving version, and so the samples since its promotion, may have changed
        }
    }

    /**
     * {@code samplesStored} (all windows) and {@code samplesSincePromotion} ({@link SamplesSincePromotion}'s shape);
     * null without an object store.
     */
    synchronized Map<String, Object> counts() {
        if (store == null) {
            return null;
        }
        if (System.currentTimeMillis() >= nextCount) {
            nextCount = System.currentTimeMillis() + COUNT_EVERY_MS;
            String serving = ServingTimeline.of(events).versionAt(System.currentTimeMillis()).orElse(null);
            Instant since = SamplesSincePromotion.since(ModelHistory.of(events), serving);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("samplesStored", stored());
            view.put("samplesSincePromotion", SamplesSincePromotion.count(store, since));
            counted = view;
        }
        return counted;
    }

    /** Samples in every stored window; null when the store cannot be listed (the since-promotion count says why). */
    private Integer stored() {
        try {
            return store.availableSince(Instant.EPOCH).values().stream().mapToInt(Integer::intValue).sum();
        } catch (IOException e) {
            return null;
        }
    }
}

package io.latentflow.registry.samples;

import io.latentflow.registry.ModelHistory;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training samples a fine-tune of the serving version would take: those of the windows since it was promoted (all
 * of them when it never was: the shipped model serves from the start), per source. {@code status} and the dashboard
 * both report it, in this one shape: whether there is enough for the gate to judge, before asking for a fine-tune.
 */
public final class SamplesSincePromotion {

    private SamplesSincePromotion() {
    }

    /** Where those samples begin: the serving version's last promotion, the epoch when it was never promoted. */
    public static Instant since(ModelHistory history, String servingVersion) {
        return servingVersion == null ? Instant.EPOCH : history.promotedAt(servingVersion).orElse(Instant.EPOCH);
    }

    /**
     * {@code since}, {@code total} and {@code perSource} from the shard names alone; {@code since} and {@code error}
     * when the store cannot be listed.
     */
    public static Map<String, Object> count(TrainingSampleStore store, Instant since) {
        Map<String, Object> samples = new LinkedHashMap<>();
        samples.put("since", since.toString());
        try {
            Map<String, Integer> perSource = store.availableSince(since);
            samples.put("total", perSource.values().stream().mapToInt(Integer::intValue).sum());
            samples.put("perSource", perSource);
        } catch (IOException e) {
            samples.put("error", e.getMessage());
        }
        return samples;
    }
}

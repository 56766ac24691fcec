package io.latentflow.jobs.encode;

import io.latentflow.schemas.DeadLetterReason;
import org.apache.flink.api.common.JobExecutionResult;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one run of the encode job did, from its accumulators: images read, latents committed to
 * shards, shards committed, dead letters by reason, and images dropped as duplicates of an image id
 * already encoded (see {@link DropDuplicateImages}).
 *
 * <p>Accumulators count what the final attempt of each task did. After a restore from a checkpoint
 * they miss what earlier attempts did (and committed); the topics and the bucket are the record of
 * truth, these numbers are a summary for a run without failures.
 */
public record EncodeSummary(long imagesIn, long latentsWritten, long shardsCommitted,
                            Map<String, Long> deadLettersByReason, long duplicatesDropped) {

    static final String IMAGES_IN = "imagesIn";
    static final String LATENTS_WRITTEN = "latentsWritten";
    static final String SHARDS_COMMITTED = "shardsCommitted";
    static final String DUPLICATES_DROPPED = DropDuplicateImages.DUPLICATES_DROPPED;
    static final String DEAD_LETTER_PREFIX = "deadLetters.";

    public EncodeSummary {
        deadLettersByReason = Map.copyOf(deadLettersByReason);
    }

    public static EncodeSummary of(JobExecutionResult result) {
        Map<String, Long> byReason = new TreeMap<>();
        for (Map.Entry<String, Object> accumulator : result.getAllAccumulatorResults().entrySet()) {
            if (accumulator.getKey().startsWith(DEAD_LETTER_PREFIX)) {
                byReason.put(accumulator.getKey().substring(DEAD_LETTER_PREFIX.length()),
                        ((Number) accumulator.getValue()).longValue());
            }
        }
        return new EncodeSummary(count(result, IMAGES_IN), count(result, LATENTS_WRITTEN),
                count(result, SHARDS_COMMITTED), byReason, count(result, DUPLICATES_DROPPED));
    }

    public long deadLettered() {
        return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    static String deadLetterAccumulator(DeadLetterReason reason) {
        return DEAD_LETTER_PREFIX + reason.name();
    }

    private static long count(JobExecutionResult result, String name) {
        Object value = result.getAllAccumulatorResults().get(name);
        return value == null ? 0 : ((Number) value).longValue();
    }
}

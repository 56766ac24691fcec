package io.latentflow.jobs.encode;

import java.time.LocalDate;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where shards live in the bucket. Final shards:
 * {@code latents/model=<version>/dt=<yyyy-MM-dd>/part-<subtask>-<attempt>-<seq>.tar}: {@code attempt} is fixed when a
 * writer starts (an attempt of a job, restored or not) and sorts by that time; {@code seq} is zero-padded to six digits,
 * so that names sort in write order. A name is never given twice: a job started without state after a kill -9 starts
 * its sequence at 0 again, but under a new attempt, while a restored shard keeps the name its committed records hold.
 * Staged shards, before their checkpoint completes:
 * {@code _staging/<job id>/<operator id>/cp-<checkpoint id>/<final key>}, outside {@code latents/} so
 * that nobody reading latents ever sees one.
 */
public final class ShardKeys {

    public static final String LATENTS_ROOT = "latents/";
    public static final String STAGING_ROOT = "_staging/";

    private static final Pattern STAGED_CHECKPOINT = Pattern.compile("/cp-(\\d+)/");

    private ShardKeys() {
    }

    /** The prefix every final shard of one model version and day lies under. */
    public static String latentsPrefix(String modelVersion, LocalDate day) {
        return LATENTS_ROOT + "model=" + modelVersion + "/dt=" + day + "/";
    }

    public static String finalKey(String modelVersion, LocalDate day, int subtask, String attempt, long sequence) {
        return latentsPrefix(modelVersion, day) + String.format("part-%d-%s-%06d.tar", subtask, attempt, sequence);
    }

    /**
     * A writer attempt's part of its shard names: the start time in milliseconds, base 36, nine digits (so names
     * sort by it until the year 5000), then three random base-36 digits, for two jobs that write the same model
     * version's shards into one bucket and start in the same millisecond.
     */
    public static String attempt(long startedAtMillis, Random random) {
        String time = Long.toString(startedAtMillis, 36);
        StringBuilder tag = new StringBuilder("0".repeat(Math.max(0, 9 - time.length()))).append(time);
        for (int i = 0; i < 3; i++) {
            tag.append(Character.forDigit(random.nextInt(36), 36));
        }
        return tag.toString();
    }

    /** The prefix of every object one shard-writing operator of one job stages. */
    public static String stagingPrefix(String jobId, String operatorId) {
        return STAGING_ROOT + jobId + "/" + operatorId + "/";
    }

    public static String stagingKey(String stagingPrefix, long checkpointId, String finalKey) {
        return stagingPrefix + "cp-" + checkpointId + "/" + finalKey;
    }

    /** The staging prefix ({@link #stagingPrefix}) of a staging key, if it is one. */
    public static Optional<String> stagingPrefixOf(String stagingKey) {
        if (stagingKey == null || !stagingKey.startsWith(STAGING_ROOT)) {
            return Optional.empty();
        }
        Matcher matcher = STAGED_CHECKPOINT.matcher(stagingKey);
        return matcher.find() ? Optional.of(stagingKey.substring(0, matcher.start() + 1)) : Optional.empty();
    }

    /** The checkpoint a staged object was uploaded for, if the key is a staging key. */
    public static OptionalLong stagedCheckpoint(String stagingKey) {
        Matcher matcher = STAGED_CHECKPOINT.matcher(stagingKey);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }
}

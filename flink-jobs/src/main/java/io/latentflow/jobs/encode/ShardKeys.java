package io.latentflow.jobs.encode;

import java.time.LocalDate;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where shards live in the bucket. Final shards:
 * {@code latents/model=<version>/dt=<yyyy-MM-dd>/part-<subtask>-<seq>.tar} (seq zero-padded to six
 * digits so that names sort in write order). Staged shards, before their checkpoint completes:
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

    public static String finalKey(String modelVersion, LocalDate day, int subtask, long sequence) {
        return latentsPrefix(modelVersion, day) + String.format("part-%d-%06d.tar", subtask, sequence);
    }

    /** The prefix of every object one shard-writing operator of one job stages. */
    public static String stagingPrefix(String jobId, String operatorId) {
        return STAGING_ROOT + jobId + "/" + operatorId + "/";
    }

    public static String stagingKey(String stagingPrefix, long checkpointId, String finalKey) {
        return stagingPrefix + "cp-" + checkpointId + "/" + finalKey;
    }

    /** The checkpoint a staged object was uploaded for, if the key is a staging key. */
    public static OptionalLong stagedCheckpoint(String stagingKey) {
        Matcher matcher = STAGED_CHECKPOINT.matcher(stagingKey);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }
}

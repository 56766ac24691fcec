package io.latentflow.jobs.encode;

import java.util.Objects;

/**
 * A finished shard uploaded under its staging key, waiting for the checkpoint it belongs to to
 * complete before it is copied to its final key. Kept in operator state, so a restore commits it.
 *
 * <p>A Flink POJO: fields may be added later with defaults (state schema evolution).
 */
public class PendingShard {

    public String stagingKey;
    public String finalKey;
    /** The checkpoint whose completion makes this shard visible. */
    public long checkpointId;
    public int samples;
    public long bytes;

    public PendingShard() {
    }

    public PendingShard(String stagingKey, String finalKey, long checkpointId, int samples, long bytes) {
        this.stagingKey = stagingKey;
        this.finalKey = finalKey;
        this.checkpointId = checkpointId;
        this.samples = samples;
        this.bytes = bytes;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof PendingShard that)) {
            return false;
        }
        return checkpointId == that.checkpointId && samples == that.samples && bytes == that.bytes
                && Objects.equals(stagingKey, that.stagingKey) && Objects.equals(finalKey, that.finalKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stagingKey, finalKey, checkpointId);
    }

    @Override
    public String toString() {
        return "PendingShard{" + finalKey + " <- " + stagingKey + ", checkpoint " + checkpointId + "}";
    }
}

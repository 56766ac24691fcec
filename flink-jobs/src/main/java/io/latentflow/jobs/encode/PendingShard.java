package io.latentflow.jobs.encode;

import java.util.ArrayList;
import java.util.List;
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
    /**
     * A shard that spans several checkpoints: the staged ranges of its file, in order, to concatenate into the final
     * object ({@link #stagingKey} is then unused); empty for a shard staged whole.
     */
    public List<String> segmentKeys = new ArrayList<>();
    public List<Long> segmentSizes = new ArrayList<>();
    /** Append the end-of-archive marker after the segments: a shard still open at its last checkpoint. */
    public boolean appendEnd;
    /**
     * What the shard holds (model version, latent space, image ids, event times, source offsets) as a
     * single-object-encoded {@code ShardCommitted} without the commit's figures: announced once the shard is
     * committed. Null in state written before shards were announced.
     */
    public byte[] contents;
    /** Lowercase hex sha256 of the final object, when known before the commit (a shard rolled in this attempt). */
    public String sha256;

    public PendingShard() {
    }

    public PendingShard(String stagingKey, String finalKey, long checkpointId, int samples, long bytes) {
        this.stagingKey = stagingKey;
        this.finalKey = finalKey;
        this.checkpointId = checkpointId;
        this.samples = samples;
        this.bytes = bytes;
    }

    /** A shard staged as {@code segmentKeys}, in order. */
    public static PendingShard segmented(String finalKey, long checkpointId, List<String> segmentKeys,
                                         List<Long> segmentSizes, boolean appendEnd, int samples, long bytes) {
        PendingShard shard = new PendingShard(null, finalKey, checkpointId, samples, bytes);
        shard.segmentKeys = new ArrayList<>(segmentKeys);
        shard.segmentSizes = new ArrayList<>(segmentSizes);
        shard.appendEnd = appendEnd;
        return shard;
    }

    /** This shard with what it holds and, when known, the sha256 of its final object. */
    public PendingShard describing(byte[] contents, String sha256) {
        this.contents = contents;
        this.sha256 = sha256;
        return this;
    }

    public boolean isSegmented() {
        return segmentKeys != null && !segmentKeys.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof PendingShard that)) {
            return false;
        }
        return checkpointId == that.checkpointId && samples == that.samples && bytes == that.bytes
                && appendEnd == that.appendEnd && Objects.equals(stagingKey, that.stagingKey)
                && Objects.equals(finalKey, that.finalKey) && Objects.equals(segmentKeys, that.segmentKeys)
                && Objects.equals(segmentSizes, that.segmentSizes) && java.util.Arrays.equals(contents, that.contents)
                && Objects.equals(sha256, that.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stagingKey, finalKey, checkpointId);
    }

    @Override
    public String toString() {
        return "PendingShard{" + finalKey + " <- " + (isSegmented() ? segmentKeys + (appendEnd ? " + end" : "")
                : stagingKey) + ", checkpoint " + checkpointId + "}";
    }
}

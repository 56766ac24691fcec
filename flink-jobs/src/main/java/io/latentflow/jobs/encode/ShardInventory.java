package io.latentflow.jobs.encode;

import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.MalformedRecordException;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.SourceOffsetRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one shard holds, gathered as its latents are written: the body of its {@link ShardCommitted} announcement.
 * The image ids are listed up to {@link #MAX_LISTED_IMAGE_IDS} (a record of that many ids stays far below the
 * broker's 1 MB message limit); a larger shard lists its first and last id beside its member count.
 */
final class ShardInventory {

    static final int MAX_LISTED_IMAGE_IDS = 4096;
    private static final AvroCodec<ShardCommitted> CODEC = AvroCodec.of(ShardCommitted.class);

    private final String modelVersion;
    private String latentSpace = "";
    private int members;
    private final List<String> imageIds = new ArrayList<>();
    private String lastImageId;
    private long minEventTime = Long.MAX_VALUE;
    private long maxEventTime = Long.MIN_VALUE;
    private final Map<String, SourceOffsetRange> ranges = new LinkedHashMap<>();

    ShardInventory(String modelVersion) {
        this.modelVersion = modelVersion;
    }

    void add(EncodedLatent latent) {
        PreparedImage image = latent.image;
        if (members == 0 && latent.latentSpace != null) {
            latentSpace = latent.latentSpace;
        }
        members++;
        if (imageIds.size() < MAX_LISTED_IMAGE_IDS) {
            imageIds.add(image.imageId);
        }
        lastImageId = image.imageId;
        minEventTime = Math.min(minEventTime, image.eventTime);
        maxEventTime = Math.max(maxEventTime, image.eventTime);
        String topic = image.topic == null ? "" : image.topic;
        ranges.merge(topic + "\u0000" + image.partition,
                new SourceOffsetRange(topic, image.partition, image.offset, image.offset),
                (known, one) -> new SourceOffsetRange(known.getTopic(), known.getPartition(),
                        Math.min(known.getFirstOffset(), one.getFirstOffset()),
                        Math.max(known.getLastOffset(), one.getLastOffset())));
    }

    /**
     * The announcement as far as the contents go, encoded for operator state; {@link #completed} adds what only the
     * commit knows (object size, sha256, checkpoint, commit time).
     */
    byte[] encode(String shardUri) {
        boolean complete = members <= MAX_LISTED_IMAGE_IDS;
        return CODEC.encode(ShardCommitted.newBuilder()
                .setShardUri(shardUri)
                .setModelVersion(modelVersion)
                .setLatentSpace(latentSpace)
                .setMembers(members)
                .setImageIds(complete ? List.copyOf(imageIds) : List.of(imageIds.get(0), lastImageId))
                .setImageIdsComplete(complete)
                .setBytes(0L)
                .setSha256("")
                .setMinEventTime(Instant.ofEpochMilli(members == 0 ? 0 : minEventTime))
                .setMaxEventTime(Instant.ofEpochMilli(members == 0 ? 0 : maxEventTime))
                .setSourceRanges(List.copyOf(ranges.values()))
                .setCheckpointId(0L)
                .setCommitTime(Instant.EPOCH)
                .build());
    }

    /** The announcement of a committed shard: {@code contents} (from {@link #encode}) with what the commit knows. */
    static ShardCommitted completed(byte[] contents, long bytes, String sha256, long checkpointId, Instant commitTime) {
        ShardCommitted announcement;
        try {
            announcement = CODEC.decode(contents);
        } catch (MalformedRecordException e) {
            throw new IllegalStateException("A pending shard in operator state carries contents that do not decode"
                    + " as a ShardCommitted (" + e.getMessage() + "): was the state written by an unknown release?", e);
        }
        announcement.setBytes(bytes);
        announcement.setSha256(sha256);
        announcement.setCheckpointId(checkpointId);
        announcement.setCommitTime(commitTime);
        return announcement;
    }
}

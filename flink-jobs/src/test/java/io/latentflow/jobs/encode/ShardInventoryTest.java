package io.latentflow.jobs.encode;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.LatentSummary;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.shards.StoredLatents;
import io.latentflow.schemas.SourceOffsetRange;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ShardInventoryTest {

    @Test
    void aShardOfMoreImagesThanTheBoundListsItsFirstAndLastWithItsCount() {
        ShardInventory inventory = new ShardInventory("m");
        int images = ShardInventory.MAX_LISTED_IMAGE_IDS + 1;
        for (int i = 0; i < images; i++) {
            inventory.add(latent("img-" + i, i % 2, 100 + i, 1_000L * i));
        }

        ShardCommitted shard = ShardInventory.completed(inventory.encode("s3://b/k.tar"), 10, "ab", 3, Instant.EPOCH);

        assertThat(shard.getMembers()).isEqualTo(images);
        assertThat(shard.getImageIdsComplete()).isFalse();
        assertThat(shard.getImageIds()).containsExactly("img-0", "img-" + (images - 1));
        assertThat(shard.getMinEventTime()).isEqualTo(Instant.EPOCH);
        assertThat(shard.getMaxEventTime()).isEqualTo(Instant.ofEpochMilli(1_000L * (images - 1)));
        assertThat(shard.getSourceRanges()).extracting(SourceOffsetRange::getPartition, SourceOffsetRange::getFirstOffset,
                SourceOffsetRange::getLastOffset).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, 100L, 100L + images - 1),
                org.assertj.core.groups.Tuple.tuple(1, 101L, 100L + images - 2));
        assertThat(shard.getLatentSpace()).isEqualTo("sha256:space");
        assertThat(shard.getBytes()).isEqualTo(10);
        assertThat(shard.getCheckpointId()).isEqualTo(3);
    }

    private static EncodedLatent latent(String id, int partition, long offset, long eventTime) {
        PreparedImage image = new PreparedImage();
        image.imageId = id;
        image.topic = "images";
        image.partition = partition;
        image.offset = offset;
        image.eventTime = eventTime;
        return new EncodedLatent(image, "m", new int[] {1, 1, 1}, new float[1], new LatentSummary(0f, 0f, 0f, 0f, 0f),
                0, "sha256:space", 1.0, 0.0, StoredLatents.MEAN);
    }
}

package io.latentflow.jobs.encode;

import io.latentflow.infra.EmbeddedS3;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StagedShardStoreTest {

    private static EmbeddedS3 s3;
    private static MinioClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start(null, "latents-test");
        client = s3.settings().newClient();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void aCommitCopiesTheStagedShardToItsFinalKeyAndRemovesTheStagedCopy() throws Exception {
        StagedShardStore store = store();
        String prefix = uniquePrefix();
        PendingShard shard = stage(store, prefix, 3, "shard bytes");

        assertThat(store.list(ShardKeys.LATENTS_ROOT)).doesNotContain(shard.finalKey);

        store.commit(shard);

        assertThat(read(shard.finalKey)).isEqualTo("shard bytes");
        assertThat(store.list(prefix)).isEmpty();
    }

    @Test
    void committingTwiceChangesNothing() throws Exception {
        StagedShardStore store = store();
        String prefix = uniquePrefix();
        PendingShard shard = stage(store, prefix, 4, "once");

        store.commit(shard);
        store.commit(shard);

        assertThat(read(shard.finalKey)).isEqualTo("once");
        assertThat(store.list(prefix)).isEmpty();
    }

    @Test
    void aShardWhoseStagedAndFinalObjectsAreBothGoneCannotBeCommitted() throws Exception {
        StagedShardStore store = store();
        String finalKey = ShardKeys.finalKey("v-lost", LocalDate.of(2026, 1, 2), 0, "attempt", 1);
        PendingShard lost = new PendingShard(ShardKeys.stagingKey(uniquePrefix(), 9, finalKey), finalKey, 9, 5, 100);

        assertThatThrownBy(() -> store.commit(lost))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(finalKey).hasMessageContaining("lost");
    }

    @Test
    void aCommitNeverOverwritesAnotherShardOfTheSameName() throws Exception {
        StagedShardStore store = store();
        PendingShard shard = stage(store, uniquePrefix(), 3, "this shard's latents");
        byte[] other = "another run's shard".getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket(s3.settings().bucket()).object(shard.finalKey)
                .stream(new ByteArrayInputStream(other), other.length, -1).build());

        assertThatThrownBy(() -> store.commit(shard))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Refusing").hasMessageContaining(shard.finalKey)
                .hasMessageContaining("another job or run");
        assertThat(read(shard.finalKey)).isEqualTo("another run's shard");
        assertThat(store.exists(shard.stagingKey)).as("the staged copy is kept").isTrue();
    }

    @Test
    void aShardInRangesIsNeverComposedOverAnotherShardOfTheSameName() throws Exception {
        StagedShardStore store = store();
        String prefix = uniquePrefix();
        PendingShard range = stage(store, prefix, 4, "range of this shard");
        PendingShard shard = PendingShard.segmented(range.finalKey, 4, List.of(range.stagingKey),
                List.of((long) "range of this shard".length()), false, 1, range.bytes);
        byte[] other = "x".getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket(s3.settings().bucket()).object(shard.finalKey)
                .stream(new ByteArrayInputStream(other), other.length, -1).build());

        assertThatThrownBy(() -> store.compose(shard)).isInstanceOf(IOException.class).hasMessageContaining("Refusing");
        assertThat(read(shard.finalKey)).isEqualTo("x");
    }

    @Test
    void shardNamesOfTwoAttemptsDifferAndSortByStartTime() {
        java.util.Random random = new java.util.Random(7);
        String earlier = ShardKeys.attempt(1_780_000_000_000L, random);
        String later = ShardKeys.attempt(1_780_000_000_001L, random);
        LocalDate day = LocalDate.of(2026, 1, 2);

        assertThat(earlier).hasSize(12).isLessThan(later);
        assertThat(ShardKeys.finalKey("v", day, 0, earlier, 0)).isNotEqualTo(ShardKeys.finalKey("v", day, 0, later, 0))
                .isEqualTo("latents/model=v/dt=2026-01-02/part-0-" + earlier + "-000000.tar");
    }

    @Test
    void orphansAreTheObjectsStagedForCheckpointsAfterTheRestoredOne() throws Exception {
        StagedShardStore store = store();
        String prefix = uniquePrefix();
        PendingShard committable = stage(store, prefix, 5, "of checkpoint 5");
        PendingShard orphan6 = stage(store, prefix, 6, "of checkpoint 6");
        PendingShard orphan7 = stage(store, prefix, 7, "of checkpoint 7");

        assertThat(store.deleteStagedAfter(prefix, 5)).containsExactlyInAnyOrder(orphan6.stagingKey, orphan7.stagingKey);

        assertThat(store.list(prefix)).containsExactly(committable.stagingKey);
    }

    @Test
    void existsTellsWhetherAnObjectIsThere() throws Exception {
        StagedShardStore store = store();
        String key = "exists/" + UUID.randomUUID();
        assertThat(store.exists(key)).isFalse();

        byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket(s3.settings().bucket()).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());

        assertThat(store.exists(key)).isTrue();
    }

    @Test
    void stagedCheckpointIsReadBackFromTheStagingKey() {
        String key = ShardKeys.stagingKey(ShardKeys.stagingPrefix("job", "op"), 42, "latents/model=v/dt=2026-01-02/part-0-000001.tar");
        assertThat(key).isEqualTo("_staging/job/op/cp-42/latents/model=v/dt=2026-01-02/part-0-000001.tar");
        assertThat(ShardKeys.stagedCheckpoint(key)).hasValue(42);
        assertThat(ShardKeys.stagingPrefixOf(key)).hasValue("_staging/job/op/");
        assertThat(ShardKeys.stagingPrefixOf("latents/model=v/part-0-000001.tar")).isEmpty();
        assertThat(ShardKeys.stagedCheckpoint("latents/model=v/part-0-000001.tar")).isEmpty();
    }

    private StagedShardStore store() {
        return new StagedShardStore(client, s3.settings().bucket());
    }

    private PendingShard stage(StagedShardStore store, String prefix, long checkpoint, String content) throws IOException {
        Path file = Files.writeString(tmp.resolve(UUID.randomUUID() + ".tar"), content);
        String finalKey = ShardKeys.finalKey("v-" + UUID.randomUUID(), LocalDate.of(2026, 1, 2), 0, "attempt", checkpoint);
        String stagingKey = ShardKeys.stagingKey(prefix, checkpoint, finalKey);
        store.stage(file, stagingKey);
        return new PendingShard(stagingKey, finalKey, checkpoint, 1, content.length());
    }

    private static String uniquePrefix() {
        return ShardKeys.stagingPrefix(UUID.randomUUID().toString(), "op");
    }

    private static String read(String key) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(s3.settings().bucket()).object(key).build())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

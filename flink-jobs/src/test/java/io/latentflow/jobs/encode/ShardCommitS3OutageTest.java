package io.latentflow.jobs.encode;

import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.NetworkLink;
import io.minio.MinioClient;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shard commit protocol while the object store is unreachable: a real S3 server behind a {@link NetworkLink} that
 * is cut at the upload of a checkpoint (staging) or at the copy after it completed (commit), and mended later. A
 * failed upload fails the checkpoint and the job restores the one before; a failed commit fails the task and the
 * restore commits. Either way, once S3 is back, every latent is in exactly one committed shard, and nothing is left
 * under {@code _staging/}.
 */
class ShardCommitS3OutageTest {

    private static EmbeddedS3 s3;
    private static StagedShardStore directStore;
    private static MinioClient directClient;

    private final JobID jobId = new JobID();
    private final OperatorID operatorId = new OperatorID();
    private final String modelVersion = "outage-" + UUID.randomUUID();
    private NetworkLink link;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start(null, "shards");
        directClient = s3.settings().newClient();
        directStore = new StagedShardStore(directClient, s3.settings().bucket());
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void openLink() {
        link = s3.link();
    }

    @AfterEach
    void closeLink() {
        link.close();
    }

    @Test
    void anUploadThatFailsFailsTheCheckpointAndTheReplayAfterS3IsBackCommitsEveryLatentOnce() throws Exception {
        OperatorSubtaskState checkpoint1;
        try (var harness = harness(Duration.ZERO)) {
            harness.open();
            write(harness, "a", "b");
            checkpoint1 = harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);
            write(harness, "c", "d");

            link.cut();
            assertThatThrownBy(() -> harness.snapshot(2, 200))
                    .as("checkpoint 2 cannot stage its shard: it fails, and Flink restores checkpoint 1")
                    .hasMessageContaining("Checkpoint was declined")
                    .hasStackTraceContaining("Could not upload shard");
        }
        link.mend();

        try (var restored = harness(Duration.ZERO)) {
            restore(restored, 1, checkpoint1);
            write(restored, "c", "d"); // replayed from Kafka: the offsets of checkpoint 1
            restored.snapshot(3, 300);
            restored.notifyOfCompletedCheckpoint(3);
        }

        assertThat(members()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(staged()).isEmpty();
    }

    @Test
    void aCommitThatFailsIsDoneByTheRestoreOnceS3IsBackHoweverOftenTheRestoreFailsBefore() throws Exception {
        OperatorSubtaskState checkpoint1;
        try (var harness = harness(Duration.ZERO)) {
            harness.open();
            write(harness, "a", "b");
            checkpoint1 = harness.snapshot(1, 100);

            link.cut();
            assertThatThrownBy(() -> harness.notifyOfCompletedCheckpoint(1))
                    .as("checkpoint 1 completed, but its shard cannot be copied: the task fails")
                    .isInstanceOf(IOException.class);
        }
        assertThat(members()).isEmpty();
        for (int attempt = 0; attempt < 2; attempt++) {
            try (var restored = harness(Duration.ZERO)) {
                assertThatThrownBy(() -> restore(restored, 1, checkpoint1))
                        .as("a restore while S3 is still down fails, and Flink tries again")
                        .isInstanceOf(IOException.class);
            }
        }
        link.mend();

        try (var restored = harness(Duration.ZERO)) {
            restore(restored, 1, checkpoint1);
            write(restored, "c");
            restored.snapshot(2, 200);
            restored.notifyOfCompletedCheckpoint(2);
        }

        assertThat(members()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(staged()).isEmpty();
    }

    /** A shard that spans checkpoints is staged in ranges; the restore composes them, once S3 answers. */
    @Test
    void aShardStagedInRangesIsComposedByTheRestoreOnceS3IsBack() throws Exception {
        OperatorSubtaskState checkpoint2;
        try (var harness = harness(Duration.ofHours(1))) {
            harness.open();
            write(harness, "a");
            harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);
            write(harness, "b");
            checkpoint2 = harness.snapshot(2, 200);
            link.cut();
            write(harness, "c"); // never checkpointed: the task fails before
        }
        try (var restored = harness(Duration.ofHours(1))) {
            assertThatThrownBy(() -> restore(restored, 2, checkpoint2)).isInstanceOf(IOException.class);
        }
        assertThat(members()).isEmpty();
        link.mend();

        try (var restored = harness(Duration.ofHours(1))) {
            restore(restored, 2, checkpoint2);
            write(restored, "c");
            restored.snapshot(3, 300);
            restored.notifyOfCompletedCheckpoint(3);
        }

        assertThat(members()).as("the open shard finished as checkpoint 2 had it; c is in the replay's shard, later")
                .containsExactlyInAnyOrder("a", "b");
        assertThat(staged()).as("c's range waits for its shard to roll").hasSize(1);
    }

    private OneInputStreamOperatorTestHarness<EncodedLatent, ?> harness(Duration maxShardAge) throws Exception {
        var environment = new MockEnvironmentBuilder().setJobID(jobId).build();
        var harness = new OneInputStreamOperatorTestHarness<>(
                new LatentShardWriter(s3.settingsThrough(link), 1 << 20, maxShardAge, OperatorFaults.NONE),
                environment);
        harness.getStreamConfig().setOperatorID(operatorId);
        return harness;
    }

    private static void restore(OneInputStreamOperatorTestHarness<EncodedLatent, ?> harness, long checkpointId,
                                OperatorSubtaskState checkpoint) throws Exception {
        harness.setRestoredCheckpointId(checkpointId);
        harness.initializeState(checkpoint);
        harness.open();
    }

    private void write(OneInputStreamOperatorTestHarness<EncodedLatent, ?> harness, String... keys) throws Exception {
        for (String key : keys) {
            harness.processElement(TestLatents.of(key, modelVersion), 0);
        }
    }

    /** The sample keys in the committed shards of this test, read past the link: one entry per latent member. */
    private List<String> members() throws Exception {
        List<String> keys = new ArrayList<>();
        for (String shard : directStore.list(ShardKeys.LATENTS_ROOT + "model=" + modelVersion + "/")) {
            ShardContents.read(directClient, s3.settings().bucket(), shard).keySet().stream()
                    .filter(member -> member.endsWith(".latent.npy"))
                    .map(member -> member.substring(0, member.length() - ".latent.npy".length()))
                    .forEach(keys::add);
        }
        return keys;
    }

    private List<String> staged() throws Exception {
        return directStore.list(ShardKeys.STAGING_ROOT).stream()
                .filter(key -> key.contains("/model=" + modelVersion + "/")).toList();
    }
}

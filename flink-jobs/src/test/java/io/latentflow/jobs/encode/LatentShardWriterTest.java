package io.latentflow.jobs.encode;

import io.latentflow.infra.EmbeddedS3;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ShardCommitted;
import io.minio.MinioClient;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shard commit protocol against a real S3 server, driven through Flink's operator test harness:
 * what is visible in the bucket before and after a checkpoint completes, after a restore, and after
 * a commit that is repeated.
 */
class LatentShardWriterTest {

    private static EmbeddedS3 s3;
    private static MinioClient client;
    private static StagedShardStore store;

    private final JobID jobId = new JobID();
    private final OperatorID operatorId = new OperatorID();
    private String modelVersion;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start(null, "shards");
        client = s3.settings().newClient();
        store = new StagedShardStore(client, s3.settings().bucket());
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void newModelVersion() {
        modelVersion = "test-" + UUID.randomUUID(); // every test writes under its own latents/model=... prefix
    }

    @Test
    void nothingIsVisibleUnderLatentsUntilTheCheckpointCompletes() throws Exception {
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "b", "c");

            assertThat(shards()).isEmpty();
            harness.snapshot(1, 100);
            assertThat(shards()).as("staged, not committed").isEmpty();
            assertThat(staged()).hasSize(1);

            harness.notifyOfCompletedCheckpoint(1);

            assertThat(shards()).hasSize(1);
            assertThat(staged()).isEmpty();
            Map<String, byte[]> members = ShardContents.read(client, s3.settings().bucket(), shards().get(0));
            assertThat(members.keySet()).containsExactly(
                    "a.latent.npy", "a.json", "b.latent.npy", "b.json", "c.latent.npy", "c.json");
        }
    }

    @Test
    void everyRecordNamesTheShardAndMemberItsLatentIsCommittedIn() throws Exception {
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "b");
            harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);

            List<LatentRecord> records = harness.extractOutputValues();
            assertThat(records).extracting(LatentRecord::getImageId).containsExactly("id-a", "id-b");
            assertThat(records).extracting(LatentRecord::getMember).containsExactly("a.latent.npy", "b.latent.npy");
            assertThat(records).extracting(LatentRecord::getShardUri).containsOnly(s3.settings().uri(shards().get(0)));
            assertThat(shards().get(0)).matches("latents/model=" + modelVersion + "/dt=\\d{4}-\\d{2}-\\d{2}/part-0-[0-9a-z]{12}-000000\\.tar");
        }
    }

    @Test
    void aRestoreCommitsTheShardsOfTheCheckpointItRestoresFrom() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "b");
            checkpoint = harness.snapshot(1, 100);
            // the task fails before the notification that checkpoint 1 completed arrives
        }
        assertThat(shards()).isEmpty();

        try (var restored = harness(1 << 20)) {
            restore(restored, 1, checkpoint);

            assertThat(shards()).hasSize(1);
            assertThat(staged()).isEmpty();
        }
    }

    @Test
    void committingTheSameCheckpointAgainChangesNothing() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "b");
            checkpoint = harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);
        }
        List<String> committed = shards();
        byte[] content = ShardContents.read(client, s3.settings().bucket(), committed.get(0)).get("a.latent.npy");

        for (int restore = 0; restore < 2; restore++) {
            try (var restored = harness(1 << 20)) {
                restore(restored, 1, checkpoint); // restored pending shards were committed already
                restored.notifyOfCompletedCheckpoint(1);
            }
        }

        assertThat(shards()).isEqualTo(committed);
        assertThat(ShardContents.read(client, s3.settings().bucket(), committed.get(0)).get("a.latent.npy"))
                .isEqualTo(content);
    }

    @Test
    void aRestoreDeletesWhatWasStagedForCheckpointsThatNeverCompletedAndContinuesAfterTheCommittedShards()
            throws Exception {
        OperatorSubtaskState checkpoint1;
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a");
            checkpoint1 = harness.snapshot(1, 100);
            write(harness, "b");
            harness.snapshot(2, 200); // staged, but checkpoint 2 never completes: the task fails
        }
        assertThat(staged()).hasSize(2);

        try (var restored = harness(1 << 20)) {
            restore(restored, 1, checkpoint1);
            assertThat(staged()).as("the orphan of checkpoint 2 is gone").isEmpty();
            assertThat(shards()).hasSize(1);

            write(restored, "b"); // replayed from Kafka
            restored.snapshot(3, 300);
            restored.notifyOfCompletedCheckpoint(3);
        }

        assertThat(shards()).hasSize(2).allSatisfy(key -> assertThat(key).doesNotContain("_staging"));
        assertThat(shards().get(0)).matches(".*/part-0-[0-9a-z]{12}-000000\\.tar");
        assertThat(shards().get(1)).matches(".*/part-0-[0-9a-z]{12}-000001\\.tar");
        assertThat(allMembers()).containsExactlyInAnyOrder("a.latent.npy", "a.json", "b.latent.npy", "b.json");
    }

    @Test
    void aShardIsRolledAtTheSizeLimitAndEveryRolledShardCommitsWithTheCheckpoint() throws Exception {
        try (var harness = harness(2048)) { // about two latents of 8x8x8 float16 with their json and tar headers
            harness.open();
            write(harness, "a", "b", "c", "d", "e", "f");
            harness.snapshot(1, 100);
            assertThat(shards()).isEmpty();

            harness.notifyOfCompletedCheckpoint(1);

            assertThat(shards()).hasSizeGreaterThan(1);
            assertThat(allMembers()).hasSize(12).doesNotHaveDuplicates();
            List<LatentRecord> records = harness.extractOutputValues();
            assertThat(records).extracting(LatentRecord::getShardUri).hasSameSizeAs(records)
                    .allSatisfy(uri -> assertThat(shards()).contains(uri.substring(("s3://" + s3.settings().bucket() + "/").length())));
        }
    }

    @Test
    void aRepeatedImageIdGoesToANewShardSoNoShardHoldsAMemberTwice() throws Exception {
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "a");
            harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);

            assertThat(shards()).hasSize(2);
        }
    }

    @Test
    void aShardKeyLeftByAnEarlierRunIsNeverOverwritten() throws Exception {
        try (var first = harness(1 << 20)) {
            first.open();
            write(first, "a");
            first.snapshot(1, 100);
            first.notifyOfCompletedCheckpoint(1);
        }
        try (var secondRun = harness(1 << 20, new JobID())) { // a new job starts at sequence 0 again
            secondRun.open();
            write(secondRun, "b");
            secondRun.snapshot(1, 100);
            secondRun.notifyOfCompletedCheckpoint(1);
        }

        assertThat(shards()).hasSize(2);
        assertThat(allMembers()).containsExactlyInAnyOrder("a.latent.npy", "a.json", "b.latent.npy", "b.json");
    }

    @Test
    void aRecordCarriesItsLatentInlineAsTheVeryBytesOfItsShardMember() throws Exception {
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "b");

            List<LatentRecord> records = harness.extractOutputValues();
            assertThat(records).allSatisfy(record -> {
                assertThat(record.getLatentInStorageOnly()).isFalse();
                assertThat(record.getLatentNpy()).isNotNull();
                assertThat(record.getScalingFactor()).isEqualTo(1.0);
                assertThat(record.getShiftFactor()).isEqualTo(0.0);
                assertThat(record.getLatentSpace()).isEqualTo("sha256:test-space");
            });
            harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);
            Map<String, byte[]> members = ShardContents.read(client, s3.settings().bucket(), shards().get(0));
            for (LatentRecord record : records) {
                assertThat(bytes(record.getLatentNpy())).isEqualTo(members.get(record.getMember()));
            }
        }
    }

    @Test
    void aLatentLargerThanTheInlineBoundIsInItsShardOnlyAndItsRecordSaysSo() throws Exception {
        // an 8x8x8 float16 latent is 1024 bytes of data plus the .npy header
        var environment = new MockEnvironmentBuilder().setJobID(jobId).build();
        try (var harness = new OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord>(
                new LatentShardWriter(s3.settings(), 1 << 20, Duration.ZERO, 1024, FinalShardAnnouncer.NONE, OperatorFaults.NONE),
                environment)) {
            harness.getStreamConfig().setOperatorID(operatorId);
            harness.open();
            write(harness, "a");

            LatentRecord record = harness.extractOutputValues().get(0);
            assertThat(record.getLatentNpy()).isNull();
            assertThat(record.getLatentInStorageOnly()).isTrue();
            assertThat(record.getMember()).isEqualTo("a.latent.npy");
        }
    }

    @Test
    void aShardIsAnnouncedOnlyOnceItsObjectIsCommittedWithExactlyItsMembers() throws Exception {
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a", "b", "c");
            harness.snapshot(1, 100);
            assertThat(announced(harness)).as("staged, not committed").isEmpty();

            harness.notifyOfCompletedCheckpoint(1);

            ShardCommitted shard = announced(harness).get(0);
            String key = shards().get(0);
            byte[] object = read(key);
            assertThat(announced(harness)).hasSize(1);
            assertThat(shard.getShardUri()).isEqualTo(s3.settings().uri(key));
            assertThat(shard.getModelVersion()).isEqualTo(modelVersion);
            assertThat(shard.getLatentSpace()).isEqualTo("sha256:test-space");
            assertThat(shard.getMembers()).isEqualTo(3);
            assertThat(shard.getImageIds()).containsExactly("id-a", "id-b", "id-c");
            assertThat(shard.getImageIdsComplete()).isTrue();
            assertThat(shard.getBytes()).isEqualTo(object.length);
            assertThat(shard.getSha256()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(object)));
            assertThat(shard.getCheckpointId()).isEqualTo(1);
            assertThat(shard.getSourceRanges()).singleElement().satisfies(range -> {
                assertThat(range.getTopic()).isEqualTo("images");
                assertThat(range.getFirstOffset()).isEqualTo(List.of("a", "b", "c").stream()
                        .mapToLong(String::hashCode).min().orElseThrow());
                assertThat(range.getLastOffset()).isEqualTo(List.of("a", "b", "c").stream()
                        .mapToLong(String::hashCode).max().orElseThrow());
            });
        }
    }

    @Test
    void anAnnouncementLostWithItsTransactionIsMadeAgainByTheRestoreAndOnlyThen() throws Exception {
        OperatorSubtaskState checkpoint1;
        OperatorSubtaskState checkpoint2;
        try (var harness = harness(1 << 20)) {
            harness.open();
            write(harness, "a");
            checkpoint1 = harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1); // committed and announced: into checkpoint 2's transaction
            harness.prepareSnapshotPreBarrier(2);
            checkpoint2 = harness.snapshot(2, 200);
            assertThat(announced(harness)).hasSize(1);
        }

        // checkpoint 2 never completed: its transaction, the announcement in it, is aborted
        try (var restored = harness(1 << 20)) {
            restore(restored, 1, checkpoint1);
            restored.prepareSnapshotPreBarrier(2);
            assertThat(announced(restored)).singleElement()
                    .satisfies(shard -> assertThat(shard.getImageIds()).containsExactly("id-a"));
        }
        // checkpoint 2 completed: its transaction holds the announcement
        try (var restored = harness(1 << 20)) {
            restore(restored, 2, checkpoint2);
            restored.prepareSnapshotPreBarrier(3);
            assertThat(announced(restored)).isEmpty();
        }
        assertThat(shards()).hasSize(1);
    }

    @Test
    void aShardOpenAtTheRestoredCheckpointIsAnnouncedWithTheMembersAndDigestOfTheObjectTheRestoreComposes()
            throws Exception {
        OperatorSubtaskState checkpoint2;
        try (var harness = agingHarness(Duration.ofHours(1))) {
            checkpoint2 = aCommittedAndBOpenAtCheckpoint2(harness);
            write(harness, "c"); // lost with the task
            assertThat(announced(harness)).as("not rolled").isEmpty();
        }

        try (var restored = agingHarness(Duration.ofHours(1))) {
            restore(restored, 2, checkpoint2);
            restored.prepareSnapshotPreBarrier(3);

            byte[] object = read(shards().get(0));
            assertThat(announced(restored)).singleElement().satisfies(shard -> {
                assertThat(shard.getImageIds()).containsExactly("id-a", "id-b");
                assertThat(shard.getMembers()).isEqualTo(2);
                assertThat(shard.getBytes()).isEqualTo(object.length);
                assertThat(shard.getSha256()).isEqualTo(sha256(object));
            });
        }
    }

    /** What the final announcer of {@link #theShardsOfABoundedInputsFinalCheckpointAreAnnouncedOnceCommitted} got. */
    private static final List<ShardCommitted> FINAL_ANNOUNCEMENTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void theShardsOfABoundedInputsFinalCheckpointAreAnnouncedOnceCommitted() throws Exception {
        FINAL_ANNOUNCEMENTS.clear();
        List<Boolean> objectExisted = new java.util.concurrent.CopyOnWriteArrayList<>();
        var environment = new MockEnvironmentBuilder().setJobID(jobId).build();
        FinalShardAnnouncer announcer = shards -> {
            for (ShardCommitted shard : shards) {
                objectExisted.add(store.exists(shard.getShardUri().substring(
                        ("s3://" + s3.settings().bucket() + "/").length())));
            }
            FINAL_ANNOUNCEMENTS.addAll(shards);
        };
        try (var harness = new OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord>(
                new LatentShardWriter(s3.settings(), 1 << 20, Duration.ofHours(1), 1 << 20, announcer, OperatorFaults.NONE),
                environment)) {
            harness.getStreamConfig().setOperatorID(operatorId);
            harness.open();
            write(harness, "a", "b");
            harness.getOneInputOperator().finish(); // the end of a bounded input
            harness.prepareSnapshotPreBarrier(1);
            harness.snapshot(1, 100);
            assertThat(FINAL_ANNOUNCEMENTS).isEmpty();

            harness.notifyOfCompletedCheckpoint(1);

            assertThat(announced(harness)).as("nothing can travel downstream anymore").isEmpty();
            assertThat(FINAL_ANNOUNCEMENTS).singleElement()
                    .satisfies(shard -> assertThat(shard.getImageIds()).containsExactly("id-a", "id-b"));
            assertThat(objectExisted).containsExactly(true);
        }
    }

    @Test
    void aShardCommittedLateAfterTheEndOfTheInputIsAnnouncedOnlyOnceTheFinalCheckpointCompletes() throws Exception {
        FINAL_ANNOUNCEMENTS.clear();
        var environment = new MockEnvironmentBuilder().setJobID(jobId).build();
        FinalShardAnnouncer announcer = FINAL_ANNOUNCEMENTS::addAll;
        try (var harness = new OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord>(
                new LatentShardWriter(s3.settings(), 2048, Duration.ofHours(1), 1 << 20, announcer, OperatorFaults.NONE),
                environment)) {
            harness.getStreamConfig().setOperatorID(operatorId);
            harness.open();
            write(harness, "a", "b", "c"); // the size limit rolls a shard before the end
            harness.snapshot(1, 100);
            write(harness, "d");
            harness.getOneInputOperator().finish();
            harness.snapshot(2, 200); // the final checkpoint
            harness.notifyOfCompletedCheckpoint(1); // late: a failure now would restore from 1, which holds it

            assertThat(shards()).isNotEmpty();
            assertThat(FINAL_ANNOUNCEMENTS).as("not before the final checkpoint completes").isEmpty();

            harness.notifyOfCompletedCheckpoint(2);

            assertThat(FINAL_ANNOUNCEMENTS.stream().flatMap(shard -> shard.getImageIds().stream()))
                    .containsExactlyInAnyOrder("id-a", "id-b", "id-c", "id-d");
            assertThat(announced(harness)).isEmpty();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static List<ShardCommitted> announced(
            OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> harness) {
        var side = harness.getSideOutput(LatentShardWriter.COMMITTED_SHARDS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    /** A task that resumes from {@code checkpoint}, the state of checkpoint {@code checkpointId}. */
    private static void restore(OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> harness,
                                long checkpointId, OperatorSubtaskState checkpoint) throws Exception {
        harness.setRestoredCheckpointId(checkpointId);
        harness.initializeState(checkpoint);
        harness.open();
    }

    /** Writes "a" into a shard that checkpoint 1 commits, then "b" into one still open at checkpoint 2: returns it. */
    private OperatorSubtaskState aCommittedAndBOpenAtCheckpoint2(
            OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> harness) throws Exception {
        harness.open();
        write(harness, "a");
        harness.snapshot(1, 100);
        harness.notifyOfCompletedCheckpoint(1);
        write(harness, "b");
        return harness.snapshot(2, 200);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    // ------------------------------------------------------------------------------------------

    private OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> harness(long maxShardBytes) throws Exception {
        return harness(maxShardBytes, jobId);
    }

    /** A writer whose shards span checkpoints until they are {@code maxShardAge} old. */
    private OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> agingHarness(Duration maxShardAge)
            throws Exception {
        return agingHarness(maxShardAge, jobId);
    }

    private OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> agingHarness(Duration maxShardAge, JobID job)
            throws Exception {
        var environment = new MockEnvironmentBuilder().setJobID(job).build();
        var harness = new OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord>(
                new LatentShardWriter(s3.settings(), 1 << 20, maxShardAge, OperatorFaults.NONE), environment);
        harness.getStreamConfig().setOperatorID(operatorId);
        return harness;
    }

    @Test
    void aShardSpansCheckpointsUntilItIsOldEnoughAndThenHoldsEveryMemberOnceInOrder() throws Exception {
        try (var harness = agingHarness(Duration.ofMillis(300))) {
            harness.open();
            write(harness, "a", "b");
            harness.snapshot(1, 100);
            harness.notifyOfCompletedCheckpoint(1);
            assertThat(shards()).as("not rolled yet: its first range is staged").isEmpty();
            assertThat(staged()).hasSize(1);

            write(harness, "c");
            harness.snapshot(2, 200);
            harness.notifyOfCompletedCheckpoint(2);
            assertThat(shards()).isEmpty();

            Thread.sleep(400);
            write(harness, "d");
            harness.snapshot(3, 300); // old enough: rolled, its last range staged with the end of the archive
            harness.notifyOfCompletedCheckpoint(3);

            assertThat(shards()).singleElement().satisfies(key -> assertThat(key).matches(".*/part-0-[0-9a-z]{12}-000000\\.tar"));
            assertThat(staged()).as("the ranges are deleted once composed").isEmpty();
            byte[] tar = read(shards().get(0));
            Map<String, byte[]> members = ShardContents.read(client, s3.settings().bucket(), shards().get(0));
            assertThat(members.keySet()).containsExactly("a.latent.npy", "a.json", "b.latent.npy", "b.json",
                    "c.latent.npy", "c.json", "d.latent.npy", "d.json");
            assertThat(tar.length % 512).as("whole tar records").isZero();
            assertThat(harness.extractOutputValues()).extracting(LatentRecord::getShardUri).containsOnly(
                    s3.settings().uri(shards().get(0)));
        }
    }

    @Test
    void aRestoreFinishesTheShardThatWasOpenWithTheMembersOfItsCheckpoint() throws Exception {
        OperatorSubtaskState checkpoint2;
        try (var harness = agingHarness(Duration.ofHours(1))) {
            checkpoint2 = aCommittedAndBOpenAtCheckpoint2(harness);
            harness.notifyOfCompletedCheckpoint(2);
            write(harness, "c"); // after the last checkpoint: lost with the task, replayed from Kafka
            harness.snapshot(3, 300); // staged, but checkpoint 3 never completes
        }
        assertThat(shards()).isEmpty();

        try (var restored = agingHarness(Duration.ofHours(1))) {
            restore(restored, 2, checkpoint2);
            assertThat(shards()).singleElement().satisfies(key -> assertThat(key).matches(".*/part-0-[0-9a-z]{12}-000000\\.tar"));
            assertThat(allMembers()).containsExactly("a.latent.npy", "a.json", "b.latent.npy", "b.json");
            assertThat(staged()).as("the ranges of checkpoints 1 and 2 composed, that of 3 an orphan").isEmpty();
        }
    }

    @Test
    void aNewJobResumedFromAKilledJobsCheckpointFinishesItsOpenShardUnderItsNameAndDeletesItsOrphans()
            throws Exception {
        OperatorSubtaskState checkpoint1;
        String openShard;
        try (var killed = agingHarness(Duration.ofHours(1))) {
            killed.open();
            write(killed, "a");
            checkpoint1 = killed.snapshot(1, 100);
            killed.notifyOfCompletedCheckpoint(1); // "a"'s record is committed, naming the open shard
            openShard = killed.extractOutputValues().get(0).getShardUri();
            write(killed, "b");
            killed.snapshot(2, 200); // staged, then kill -9: checkpoint 2 never completes
        }

        try (var resumed = agingHarness(Duration.ofHours(1), new JobID())) {
            restore(resumed, 1, checkpoint1);
            assertThat(shards()).extracting(s3.settings()::uri).containsExactly(openShard);
            assertThat(staged()).as("the killed job's range of checkpoint 2 is an orphan").isEmpty();

            write(resumed, "b"); // replayed from Kafka
            resumed.snapshotWithLocalState(2, 200, SavepointType.terminate(SavepointFormatType.CANONICAL));
            resumed.notifyOfCompletedCheckpoint(2);
            assertThat(resumed.extractOutputValues().get(0).getShardUri()).isNotEqualTo(openShard);
        }
        assertThat(shards()).hasSize(2);
        assertThat(allMembers()).containsExactlyInAnyOrder("a.latent.npy", "a.json", "b.latent.npy", "b.json");
    }

    @Test
    void aJobStartedWithoutStateNeverNamesAShardTheWayADeadJobsCommittedRecordsDo() throws Exception {
        String deadJobsShard;
        try (var killed = agingHarness(Duration.ofHours(1))) {
            killed.open();
            write(killed, "a");
            killed.snapshot(1, 100);
            killed.notifyOfCompletedCheckpoint(1);
            deadJobsShard = killed.extractOutputValues().get(0).getShardUri(); // open, in staged ranges
        }
        try (var fresh = agingHarness(Duration.ofHours(1), new JobID())) {
            fresh.open();
            write(fresh, "z");
            fresh.snapshotWithLocalState(1, 100, SavepointType.terminate(SavepointFormatType.CANONICAL));
            fresh.notifyOfCompletedCheckpoint(1);

            assertThat(fresh.extractOutputValues().get(0).getShardUri()).isNotEqualTo(deadJobsShard);
            assertThat(shards()).extracting(s3.settings()::uri).doesNotContain(deadJobsShard);
        }
    }

    @Test
    void aSavepointRollsTheOpenShardSoAServiceStoppedWithOneLeavesItComplete() throws Exception {
        try (var harness = agingHarness(Duration.ofHours(1))) {
            harness.open();
            write(harness, "a", "b");
            harness.snapshotWithLocalState(1, 100, SavepointType.terminate(SavepointFormatType.CANONICAL));
            harness.notifyOfCompletedCheckpoint(1);

            assertThat(shards()).singleElement().satisfies(key -> assertThat(key).matches(".*/part-0-[0-9a-z]{12}-000000\\.tar"));
            assertThat(allMembers()).containsExactly("a.latent.npy", "a.json", "b.latent.npy", "b.json");
            assertThat(staged()).isEmpty();
        }
    }

    private byte[] read(String key) throws Exception {
        try (var in = client.getObject(io.minio.GetObjectArgs.builder().bucket(s3.settings().bucket()).object(key)
                .build())) {
            return in.readAllBytes();
        }
    }

    /** The same job and operator ids across harnesses, as across the attempts of one job. */
    private OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> harness(long maxShardBytes, JobID job)
            throws Exception {
        var environment = new MockEnvironmentBuilder().setJobID(job).build();
        var harness = new OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord>(
                new LatentShardWriter(s3.settings(), maxShardBytes, OperatorFaults.NONE), environment);
        harness.getStreamConfig().setOperatorID(operatorId);
        return harness;
    }

    private void write(OneInputStreamOperatorTestHarness<EncodedLatent, LatentRecord> harness, String... keys)
            throws Exception {
        for (String key : keys) {
            harness.processElement(latent(key), 0);
        }
    }

    private EncodedLatent latent(String key) {
        return TestLatents.of(key, modelVersion);
    }

    private List<String> shards() throws Exception {
        return store.list(ShardKeys.LATENTS_ROOT + "model=" + modelVersion + "/");
    }

    private List<String> staged() throws Exception {
        List<String> mine = new ArrayList<>();
        for (String key : store.list(ShardKeys.STAGING_ROOT)) {
            if (key.contains("/model=" + modelVersion + "/")) {
                mine.add(key);
            }
        }
        return mine;
    }

    private List<String> allMembers() throws Exception {
        List<String> members = new ArrayList<>();
        for (String key : shards()) {
            members.addAll(ShardContents.read(client, s3.settings().bucket(), key).keySet());
        }
        return members;
    }
}

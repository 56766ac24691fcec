package io.latentflow.jobs.encode;

import io.latentflow.connections.S3Settings;
import io.latentflow.shards.Npy;
import io.latentflow.shards.SampleMetadata;
import io.latentflow.shards.StoredLatents;
import io.latentflow.shards.ShardWriter;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ShardCommitted;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Writes latents into WebDataset shards in S3, exactly once, and emits one {@link LatentRecord} per
 * latent, with the latent inline and the shard and member it is in, and one {@link ShardCommitted} per committed
 * shard on a side output.
 *
 * <h2>The commit protocol (a two-phase commit tied to Flink checkpoints)</h2>
 * <ol>
 *   <li><b>Write.</b> Each latent is appended to the open local shard (a tar file on the task
 *       manager's disk) as {@code <key>.latent.npy} + {@code <key>.json}. The shard's final key,
 *       {@code latents/model=<version>/dt=<day>/part-<subtask>-<attempt>-<seq>.tar}, is fixed when it
 *       is opened, so the emitted record can name it, and kept in state with the shard. {@code attempt}
 *       is new for every start of this operator ({@link ShardKeys#attempt}), so a job that starts
 *       without state (after a kill -9 that left no usable checkpoint) never names a shard the way
 *       the dead one's committed records do; {@code seq} comes from operator state and only grows
 *       across restores; a key that already exists in the bucket is skipped, and a commit never
 *       overwrites an object that is not its own shard. A shard is rolled when it reaches the size
 *       limit, when the model version or the day changes, when an image id repeats, or at the first
 *       checkpoint at which it is older than the age limit (zero: at every checkpoint).</li>
 *   <li><b>Pre-commit</b> ({@link #snapshotState}). Every shard finished since the last checkpoint
 *       is uploaded to a staging key outside {@code latents/}:
 *       {@code _staging/<job>/<operator>/cp-<checkpoint>/<final key>}, and goes into operator list
 *       state as pending. A shard that stays open (younger than the age limit) has the range of its
 *       file written since the last checkpoint staged instead ({@code ...<final key>.range-<n>}; the
 *       file holds whole tar members once flushed), and its ranges go into state; when it rolls,
 *       its last range (with the end-of-archive marker) is staged and it becomes pending with all
 *       its ranges.</li>
 *   <li><b>Commit</b> ({@link #notifyCheckpointComplete}). For every pending shard of that checkpoint
 *       or an earlier one: a server-side copy from the staging key to the final key (for a shard in
 *       ranges: the ranges concatenated into the final object, streamed through the task), then the
 *       staged objects are deleted. Idempotent: staged objects that are gone while the final object
 *       exists were committed before.</li>
 *   <li><b>Recovery</b> ({@link #initializeState}). Pending shards restored from a checkpoint belong
 *       to a completed checkpoint (Flink restores only those), so they are committed right away: the
 *       notification may have been lost in the failure. A shard that was open at that checkpoint is
 *       finished as it was then: its ranges plus the end-of-archive marker, holding exactly the
 *       members whose records that checkpoint committed. Records after that checkpoint are replayed
 *       from Kafka into new shards; the local files of the failed attempt are simply gone.</li>
 * </ol>
 *
 * <p><b>What a reader sees.</b> Nothing under {@code latents/} until the checkpoint that contains it
 * has completed and the shard has rolled; then whole shards, each exactly once, appearing with a
 * single copy. A {@code LatentRecord} is committed to Kafka with its own checkpoint (transactional sink) and carries
 * the latent's {@code .npy} bytes (the shard member's very bytes) up to {@code inlineLatentMaxBytes}, so a
 * read_committed consumer can use it at once; the shard it names appears when the shard rolls (at most the age
 * limit later), and a larger latent's record says it is in storage only ({@code latentInStorageOnly}).
 *
 * <h2>Announcing committed shards ({@link #COMMITTED_SHARDS}, the {@code shards} topic)</h2>
 * One {@link ShardCommitted} per committed shard, written only once its object is readable, never for an object a
 * failover replaced, and exactly once. The shard's commit (the copy or compose in {@link #notifyCheckpointComplete})
 * happens when checkpoint N completes, which is also when the Kafka transaction of N commits: the two run side by
 * side, so an announcement in N's transaction could be read before the object exists. So the announcement is
 * emitted AFTER the commit, into the transaction of the next checkpoint:
 * <ol>
 *   <li>What a shard holds (ids, event times, offsets) is gathered as it is written and kept with the pending shard
 *       in operator state ({@link PendingShard#contents}), with the sha256 of its local file when it rolled here.</li>
 *   <li>{@link #notifyCheckpointComplete}(N) commits the object, completes the announcement (size, sha256, commit
 *       time) and emits it on the side output, so it travels before the next barrier M and lands in M's Kafka
 *       transaction, after the object exists.</li>
 *   <li>The shard leaves the pending state in the same step: every checkpoint taken before barrier M holds it as
 *       pending, none from M on does. Restoring from M or later (M's transaction committed, announcement included)
 *       announces nothing again; restoring from an earlier one (M never completed: its transaction is aborted, the
 *       announcement with it) commits the shard again (idempotent: the object exists) and announces it again.</li>
 *   <li>Only shards of COMPLETED checkpoints are ever committed, and a restore commits a pending shard to the very key
 *       it was staged for, so no announced object is ever replaced.</li>
 * </ol>
 * The price is one checkpoint interval of latency on {@code shards} (the announcement of a shard committed at N is
 * read after M completes). A bounded input's last shards are committed by its final checkpoint, after which nothing
 * can travel downstream: the {@link FinalShardAnnouncer} writes those straight to the topic once the final checkpoint
 * has completed (a finished operator is not run again by a restore from it, so they are not announced twice). A
 * shard committed as the job stops with a savepoint is announced when a job resumes from that savepoint.
 *
 * <p><b>Why staging + copy rather than S3 multipart uploads</b> (what Flink's own S3 file sink uses):
 * a shard is small and already complete on local disk when the checkpoint is taken, so a single
 * PUT is simplest; a staged object is an ordinary object that any S3-compatible server stores, lists
 * and copies the same way, whereas an incomplete multipart upload is invisible to listings, may be
 * aborted by a bucket lifecycle rule while the job is down (losing a checkpoint's data), and
 * completing one twice is an error rather than a no-op. The price is one server-side copy per
 * shard.
 *
 * <p><b>Orphans.</b> A staged object whose checkpoint never completed (the attempt failed first) is
 * never committed. On every (re)start, subtask 0 deletes the objects staged by this operator of
 * this job for checkpoints after the one restored; those cannot be in any state anymore (checkpoint
 * ids only grow, and no new checkpoint starts before every subtask has initialised). A new job
 * restored from another job's checkpoint or savepoint (the service after a kill -9) does the same
 * under that job's prefix, which the state names. Staged objects of a job that nothing restores
 * (started again without state) stay under its {@code _staging/<job>/} prefix, which
 * {@code latentflow status} counts: delete them once no restore of that job can happen, or let a
 * lifecycle rule on {@code _staging/} expire them after a few days. So does an upload of a failed attempt that the
 * server completes only after the restart's sweep (S3 hung while it was in flight, the checkpoint expired, the job
 * failed over): it is never committed, only left behind.
 *
 * <p><b>Requires checkpointing</b> (the encode job always enables it): without checkpoints nothing
 * is ever committed, and {@link #close} says so. At the end of a bounded input Flink takes a final
 * checkpoint and waits for its completion notification, which commits the last shard.
 */
public final class LatentShardWriter extends AbstractStreamOperator<LatentRecord>
        implements OneInputStreamOperator<EncodedLatent, LatentRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LatentShardWriter.class);
    private static final String DTYPE = "float16";

    /** Side output: one announcement per shard this operator committed (see "Announcing committed shards"). */
    public static final OutputTag<ShardCommitted> COMMITTED_SHARDS =
            new OutputTag<>("committed-shards", new AvroTypeInfo<>(ShardCommitted.class));

    private final S3Settings s3;
    private final long maxShardBytes;
    private final Duration maxShardAge;
    private final int inlineLatentMaxBytes;
    private final FinalShardAnnouncer finalAnnouncer;
    private final OperatorFaults faults;

    private transient StagedShardStore store;
    private transient String stagingPrefix;
    private transient int subtask;
    private transient ListState<PendingShard> pendingState;
    private transient ListState<PendingShard> openShardState;
    private transient ListState<Long> sequenceState;
    /** The staging prefixes of the jobs whose state this is (a job resumed from another's checkpoint adds its own). */
    private transient ListState<String> stagingPrefixState;
    private transient java.util.Set<String> stagingPrefixes;
    private transient List<PendingShard> pending;
    /** Shards committed whose announcement is not emitted yet. */
    private transient List<ShardCommitted> toAnnounce;
    private transient long nextSequence;
    private transient String attempt;

    private transient Path localDirectory;
    private transient OpenShard open;
    private transient List<OpenShard> finishedLocally;
    private transient boolean inputFinished;
    /** The first checkpoint taken after the end of the input (the final one); Long.MAX_VALUE before. */
    private transient long finalCheckpointId;
    private transient boolean savepoint;
    private transient long latentsSeen;

    private transient Counter latentsWritten;
    private transient Counter shardsCommitted;
    private transient LongCounter latentsAccumulator;
    private transient LongCounter shardsAccumulator;

    /**
     * @param maxShardBytes    roll to a new shard once the open one holds this many bytes
     * @param faults           told of every latent, {@link OperatorFaults#NONE} but in recovery tests
     */
    public LatentShardWriter(S3Settings s3, long maxShardBytes, OperatorFaults faults) {
        this(s3, maxShardBytes, Duration.ZERO, faults);
    }

    /**
     * @param maxShardAge roll a shard at the first checkpoint at which it is this old; until then each checkpoint
     *                    stages the range written since the last one. Zero: every checkpoint closes the open shard
     */
    public LatentShardWriter(S3Settings s3, long maxShardBytes, Duration maxShardAge,
                             OperatorFaults faults) {
        this(s3, maxShardBytes, maxShardAge, EncodeJobSettings.DEFAULT_INLINE_LATENT_MAX_BYTES,
                FinalShardAnnouncer.NONE, faults);
    }

    /**
     * @param inlineLatentMaxBytes a record carries its latent's {@code .npy} bytes up to this size; a larger latent is
     *                             in its shard only (the record says so). Zero: never inline
     * @param finalAnnouncer       announces the shards the final checkpoint of a bounded input commits
     */
    public LatentShardWriter(S3Settings s3, long maxShardBytes, Duration maxShardAge, int inlineLatentMaxBytes,
                             FinalShardAnnouncer finalAnnouncer, OperatorFaults faults) {
        this.s3 = s3;
        this.maxShardBytes = maxShardBytes;
        this.maxShardAge = maxShardAge;
        this.inlineLatentMaxBytes = inlineLatentMaxBytes;
        this.finalAnnouncer = finalAnnouncer;
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        stagingPrefix = ShardKeys.stagingPrefix(getRuntimeContext().getJobInfo().getJobId().toHexString(),
                getOperatorID().toHexString());
        store = new StagedShardStore(s3.newClient(), s3.bucket());
        finishedLocally = new ArrayList<>();
        pending = new ArrayList<>();
        toAnnounce = new ArrayList<>();
        finalCheckpointId = Long.MAX_VALUE;
        latentsWritten = getMetricGroup().counter("latentsWritten");
        shardsCommitted = getMetricGroup().counter("shardsCommitted");
        getMetricGroup().gauge("pendingShards", () -> pending.size());
        latentsAccumulator = getRuntimeContext().getLongCounter(EncodeSummary.LATENTS_WRITTEN);
        shardsAccumulator = getRuntimeContext().getLongCounter(EncodeSummary.SHARDS_COMMITTED);

        pendingState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("pending-shards", PendingShard.class));
        // union: after a rescale every subtask continues above the highest sequence any subtask used
        sequenceState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("next-shard-sequence", Long.class));
        nextSequence = 0;
        attempt = ShardKeys.attempt(System.currentTimeMillis(), java.util.concurrent.ThreadLocalRandom.current());
        for (Long sequence : sequenceState.get()) {
            nextSequence = Math.max(nextSequence, sequence);
        }
        stagingPrefixState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("staging-prefixes", String.class));
        stagingPrefixes = new java.util.TreeSet<>(List.of(stagingPrefix));
        stagingPrefixState.get().forEach(stagingPrefixes::add);
        for (PendingShard shard : pendingState.get()) {
            pending.add(shard);
        }
        openShardState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("open-shard-ranges", PendingShard.class));
        for (PendingShard open : openShardState.get()) {
            // the ranges of a shard still open at the restored checkpoint: finish it as it was then, with the
            // members of those ranges (the records naming them were committed with it); what came after is replayed
            pending.add(open);
        }
        if (subtask == 0) {
            deleteOrphans(context);
        }
        if (!pending.isEmpty()) {
            LOG.info("Subtask {} restored {} pending shards of completed checkpoint {}: committing them",
                    subtask, pending.size(), context.getRestoredCheckpointId());
            commitUpTo(Long.MAX_VALUE);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        localDirectory = Files.createTempDirectory("latentflow-shards-" + subtask + "-");
    }

    /**
     * Staged objects of checkpoints after the restored one were uploaded by an attempt that failed
     * before those checkpoints completed, under this job's prefix or, for a restore from another
     * job's state, under that one's. Without a restored checkpoint id (a fresh start) every object
     * under this job's and operator's staging prefix is such an orphan.
     */
    private void deleteOrphans(StateInitializationContext context) throws IOException {
        if (context.isRestored() && context.getRestoredCheckpointId().isEmpty()) {
            LOG.warn("Restored without a checkpoint id: not deleting staged shards under {}", stagingPrefix);
            return;
        }
        long restoredCheckpoint = context.getRestoredCheckpointId().orElse(0L);
        // a new job resumed from the retained checkpoint of a killed one: that job staged under its own prefix
        java.util.Set<String> prefixes = new java.util.TreeSet<>(stagingPrefixes);
        for (PendingShard shard : pending) {
            (shard.isSegmented() ? shard.segmentKeys.stream() : java.util.stream.Stream.of(shard.stagingKey))
                    .map(ShardKeys::stagingPrefixOf).flatMap(java.util.Optional::stream).forEach(prefixes::add);
        }
        List<String> orphans = new ArrayList<>();
        for (String prefix : prefixes) {
            orphans.addAll(store.deleteStagedAfter(prefix, restoredCheckpoint));
        }
        if (!orphans.isEmpty()) {
            LOG.info("Deleted {} shards staged for checkpoints after {} that never completed: {}",
                    orphans.size(), restoredCheckpoint, orphans);
        }
    }

    @Override
    public void processElement(StreamRecord<EncodedLatent> element) throws Exception {
        EncodedLatent latent = element.getValue();
        latentsSeen++;
        faults.elementsSeen(OperatorFaults.Stage.SHARD_WRITE, latentsSeen);
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        if (open != null && !open.accepts(latent, day)) {
            roll();
        }
        if (open == null) {
            open = openShard(latent.modelVersion, day);
        }
        byte[] npy = Npy.float16(latent.latent, latent.shape);
        String member = open.add(latent, npy);
        boolean inline = npy.length <= inlineLatentMaxBytes;
        output.collect(new StreamRecord<>(LatentRecord.newBuilder()
                .setImageId(latent.image.imageId)
                .setSource(latent.image.source)
                .setModelVersion(latent.modelVersion)
                .setShape(Arrays.stream(latent.shape).boxed().toList())
                .setDtype(DTYPE)
                .setShardUri(s3.uri(open.finalKey))
                .setMember(member)
                .setSummary(latent.summary)
                .setEventTime(Instant.ofEpochMilli(latent.image.eventTime))
                .setProcessingTime(Instant.ofEpochMilli(latent.encodedAt))
                .setAttributes(latent.image.attributes)
                .setLatentNpy(inline ? ByteBuffer.wrap(npy) : null)
                .setLatentInStorageOnly(!inline)
                .setScalingFactor(latent.scalingFactor)
                .setShiftFactor(latent.shiftFactor)
                .setLatentSpace(latent.latentSpace == null ? "" : latent.latentSpace)
                .setCaption(latent.image.caption)
                .setLabel(latent.image.label)
                .setLatents(stored(latent).jsonName())
                .build()));
        latentsWritten.inc();
        latentsAccumulator.add(1);
        if (open.bytes() >= maxShardBytes) {
            roll();
        }
    }

    /** Latents of a checkpoint taken before the field (null after a restore) are means. */
    private static StoredLatents stored(EncodedLatent latent) {
        return latent.latents == null ? StoredLatents.MEAN : latent.latents;
    }

    @Override
    public void finish() throws Exception {
        emitAnnouncements(); // the last moment anything can travel downstream: into the final checkpoint's transaction
        inputFinished = true;
        super.finish();
    }

    /** Notes whether this snapshot is a savepoint, which {@link #snapshotState(StateSnapshotContext)} cannot see. */
    @Override
    public OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp, CheckpointOptions options,
                                                 CheckpointStreamFactory storage) throws Exception {
        savepoint = options.getCheckpointType().isSavepoint();
        return super.snapshotState(checkpointId, timestamp, options, storage);
    }

    /**
     * Rolls the open shard when it is old enough, at the end of the input, and at a savepoint: a service stopped
     * with one (and perhaps never started again) leaves its shards complete under {@code latents/}.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        long checkpointId = context.getCheckpointId();
        if (inputFinished && finalCheckpointId == Long.MAX_VALUE) {
            finalCheckpointId = checkpointId;
        }
        if (open != null && (inputFinished || savepoint || open.ageMillis() >= maxShardAge.toMillis())) {
            roll();
        }
        for (Iterator<OpenShard> it = finishedLocally.iterator(); it.hasNext(); ) {
            OpenShard shard = it.next();
            String stagingKey = ShardKeys.stagingKey(stagingPrefix, checkpointId, shard.finalKey);
            String sha256 = StagedShardStore.sha256(shard.file);
            byte[] contents = shard.contents.encode(s3.uri(shard.finalKey));
            if (shard.segmentKeys.isEmpty()) {
                store.stage(shard.file, stagingKey);
                pending.add(new PendingShard(stagingKey, shard.finalKey, checkpointId, shard.samples(),
                        Files.size(shard.file)).describing(contents, sha256));
            } else {
                stageRange(shard, Files.size(shard.file), stagingKey);
                pending.add(PendingShard.segmented(shard.finalKey, checkpointId, shard.segmentKeys,
                        shard.segmentSizes, false, shard.samples(), Files.size(shard.file))
                        .describing(contents, sha256));
            }
            it.remove(); // staged: if a later upload fails, this one is not staged twice
            Files.deleteIfExists(shard.file);
        }
        if (open != null && open.bytes() > open.stagedBytes) {
            open.writer.flush();
            stageRange(open, open.bytes(), ShardKeys.stagingKey(stagingPrefix, checkpointId, open.finalKey));
        }
        openShardState.update(open == null || open.segmentKeys.isEmpty() ? List.of()
                : List.of(PendingShard.segmented(open.finalKey, checkpointId, open.segmentKeys, open.segmentSizes,
                        true, open.samples(), open.stagedBytes)
                        .describing(open.contents.encode(s3.uri(open.finalKey)), null)));
        pendingState.update(pending);
        sequenceState.update(List.of(nextSequence));
        // union state, so one copy is enough (and every subtask must write, or it snapshots the restored union
        // again); the last job is enough too: it deleted its predecessor's orphans when it started
        stagingPrefixState.update(subtask == 0 ? List.of(stagingPrefix) : List.of());
    }

    /** Announcements of shards committed since the last barrier go before this one: into its Kafka transaction. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!inputFinished) {
            emitAnnouncements();
        }
    }

    /**
     * Commits, then announces. After the end of the input nothing can travel downstream anymore (the sinks have
     * finished): those announcements wait for the final checkpoint to complete, after which no restore runs this
     * operator again, and go to the {@link FinalShardAnnouncer}. (A failure before it completes restores their shards
     * as pending, and they are announced by the attempt that follows.)
     */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        commitUpTo(checkpointId);
        if (!inputFinished) {
            emitAnnouncements();
        } else if (checkpointId >= finalCheckpointId && !toAnnounce.isEmpty()) {
            finalAnnouncer.announce(List.copyOf(toAnnounce));
            LOG.info("Subtask {} announced {} shards committed after the end of its input", subtask,
                    toAnnounce.size());
            toAnnounce.clear();
        }
    }

    /** Emits the announcements of committed shards downstream: into the Kafka transaction of the next barrier. */
    private void emitAnnouncements() {
        for (ShardCommitted shard : toAnnounce) {
            output.collect(COMMITTED_SHARDS, new StreamRecord<>(shard));
        }
        toAnnounce.clear();
    }

    @Override
    public void close() throws Exception {
        try {
            if (inputFinished && pending != null && (!pending.isEmpty() || open != null || !finishedLocally.isEmpty())) {
                LOG.error("Subtask {} finished with {} shards never committed: is checkpointing enabled? Shards are"
                        + " only committed when a checkpoint completes.", subtask,
                        pending.size() + finishedLocally.size() + (open == null ? 0 : 1));
            }
            if (open != null) {
                open.writer.close();
            }
            deleteLocalDirectory();
        } finally {
            super.close();
        }
    }

    /** Stages bytes {@code [stagedBytes, to)} of the shard's file as its next range. */
    private void stageRange(OpenShard shard, long to, String checkpointStagingKey) throws IOException {
        String key = checkpointStagingKey + ".range-" + shard.segmentKeys.size();
        store.stageRange(shard.file, shard.stagedBytes, to - shard.stagedBytes, key);
        shard.segmentKeys.add(key);
        shard.segmentSizes.add(to - shard.stagedBytes);
        shard.stagedBytes = to;
    }

    private void commitUpTo(long checkpointId) throws IOException {
        for (Iterator<PendingShard> it = pending.iterator(); it.hasNext(); ) {
            PendingShard shard = it.next();
            if (shard.checkpointId <= checkpointId) {
                String sha256;
                if (shard.isSegmented()) {
                    sha256 = store.composeAndDigest(shard);
                } else {
                    store.commit(shard);
                    sha256 = shard.sha256 != null ? shard.sha256 : store.sha256(shard.finalKey);
                }
                it.remove();
                if (shard.contents != null) {
                    toAnnounce.add(ShardInventory.completed(shard.contents, objectBytes(shard), sha256,
                            shard.checkpointId, Instant.now()));
                }
                shardsCommitted.inc();
                shardsAccumulator.add(1);
                LOG.info("Committed shard {} ({} latents, {} bytes) of checkpoint {}", s3.uri(shard.finalKey),
                        shard.samples, shard.bytes, shard.checkpointId);
            }
        }
    }

    private static long objectBytes(PendingShard shard) {
        return shard.isSegmented() ? shard.segmentSizes.stream().mapToLong(Long::longValue).sum()
                + (shard.appendEnd ? ShardWriter.END_OF_ARCHIVE_BYTES : 0) : shard.bytes;
    }

    private OpenShard openShard(String modelVersion, LocalDate day) throws IOException {
        String finalKey = ShardKeys.finalKey(modelVersion, day, subtask, attempt, nextSequence++);
        while (store.exists(finalKey)) {
            LOG.info("Shard {} exists from an earlier run: skipping its sequence number", s3.uri(finalKey));
            finalKey = ShardKeys.finalKey(modelVersion, day, subtask, attempt, nextSequence++);
        }
        Path file = Files.createTempFile(localDirectory, "part-", ".tar");
        return new OpenShard(modelVersion, day, finalKey, file, new ShardWriter(file));
    }

    private void roll() throws IOException {
        open.writer.finish();
        finishedLocally.add(open);
        open = null;
    }

    private void deleteLocalDirectory() throws IOException {
        if (localDirectory == null || !Files.exists(localDirectory)) {
            return;
        }
        try (var files = Files.list(localDirectory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(localDirectory);
    }

    /** A shard being written on local disk, and where it will be committed. */
    private static final class OpenShard {
        final String modelVersion;
        final LocalDate day;
        final String finalKey;
        final Path file;
        final ShardWriter writer;
        final long openedAt = System.currentTimeMillis();
        /** Ranges of the file staged at earlier checkpoints, in order, and how far they reach. */
        final List<String> segmentKeys = new ArrayList<>();
        final List<Long> segmentSizes = new ArrayList<>();
        final ShardInventory contents;
        long stagedBytes;

        OpenShard(String modelVersion, LocalDate day, String finalKey, Path file, ShardWriter writer) {
            this.modelVersion = modelVersion;
            this.day = day;
            this.finalKey = finalKey;
            this.file = file;
            this.writer = writer;
            this.contents = new ShardInventory(modelVersion);
        }

        long ageMillis() {
            return System.currentTimeMillis() - openedAt;
        }

        /** A shard holds one model version and one day, and each image key once. */
        boolean accepts(EncodedLatent latent, LocalDate today) {
            return modelVersion.equals(latent.modelVersion) && day.equals(today)
                    && !writer.contains(latent.image.sampleKey);
        }

        /** @return the member name of the latent */
        String add(EncodedLatent latent, byte[] npy) throws IOException {
            PreparedImage image = latent.image;
            List<Integer> shape = Arrays.stream(latent.shape).boxed().toList();
            SampleMetadata metadata = new SampleMetadata(image.imageId, image.sampleKey, image.source,
                    latent.modelVersion, shape, image.eventTime, latent.encodedAt, latent.summary,
                    image.attributes, latent.latentSpace, latent.scalingFactor, latent.shiftFactor, stored(latent),
                    image.label);
            writer.add(image.sampleKey, npy, metadata.toJson(), image.caption);
            contents.add(latent);
            return ShardWriter.latentMember(image.sampleKey);
        }

        int samples() {
            return writer.samples();
        }

        long bytes() {
            return writer.bytes();
        }
    }
}

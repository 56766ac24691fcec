package io.latentflow.jobs.encode;

import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;

import io.latentflow.shards.ShardWriter;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The object-store half of {@link LatentShardWriter}'s commit protocol: upload a finished shard under
 * its staging key, make it visible by a server-side copy to its final key, and find staged objects
 * that no checkpoint will ever commit. Every failure of the store itself surfaces as an
 * {@link IOException}, so the operator fails and Flink retries from the last checkpoint.
 */
public final class StagedShardStore {

    private static final String TAR = "application/x-tar";

    private final MinioClient client;
    private final String bucket;

    public StagedShardStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    public void stage(Path localShard, String stagingKey) throws IOException {
        try {
            client.uploadObject(UploadObjectArgs.builder()
                    .bucket(bucket).object(stagingKey).filename(localShard.toString()).contentType(TAR).build());
        } catch (Exception e) {
            throw failure("upload shard " + localShard + " to s3://" + bucket + "/" + stagingKey, e);
        }
    }

    /**
     * Copies the staged shard to its final key, then deletes the staged copy. Idempotent: once the
     * staged copy is gone and the final object exists, the shard is committed and this does nothing.
     * Never overwrites: a final object that is there while the staged copy is too must be this
     * shard's earlier copy (same size), else the commit stops and says whose name it took.
     *
     * @throws IOException also when neither the staged nor the final object exists: the shard's data
     *     is lost (someone deleted the staging object before its checkpoint was committed)
     */
    public void commit(PendingShard shard) throws IOException {
        OptionalLong staged = size(shard.stagingKey);
        OptionalLong existing = size(shard.finalKey);
        if (existing.isPresent()) {
            if (staged.isPresent() && staged.getAsLong() != existing.getAsLong()) {
                throw refusal(shard, existing.getAsLong(), staged.getAsLong());
            }
            // committed before: the copy was done (and the staged object perhaps not yet deleted)
            if (staged.isPresent()) {
                delete(shard.stagingKey);
            }
            return;
        }
        if (staged.isEmpty()) {
            throw new IOException("Cannot commit shard s3://" + bucket + "/" + shard.finalKey + " of checkpoint "
                    + shard.checkpointId + ": neither its staged copy " + shard.stagingKey
                    + " nor the final object exists. Something deleted the staging object before the commit;"
                    + " the " + shard.samples + " latents in it are lost. Replay their images from Kafka.");
        }
        try {
            client.copyObject(CopyObjectArgs.builder()
                    .bucket(bucket).object(shard.finalKey)
                    .source(CopySource.builder().bucket(bucket).object(shard.stagingKey).build())
                    .build());
        } catch (Exception e) {
            throw failure("copy " + shard.stagingKey + " to " + shard.finalKey, e);
        }
        delete(shard.stagingKey);
    }

    /**
     * A final object that is not the shard being committed: another job or run gave a shard the same name. Its
     * records name that object, so overwriting it would make them point at other images.
     */
    private IOException refusal(PendingShard shard, long existingBytes, long shardBytes) {
        return new IOException("Refusing to commit shard s3://" + bucket + "/" + shard.finalKey + " of checkpoint "
                + shard.checkpointId + ": an object of " + existingBytes + " bytes is already there and this shard has "
                + shardBytes + "; another job or run wrote a shard of the same name, and the records that name it"
                + " would point at other images if it were overwritten. Its staged copy stays at "
                + (shard.isSegmented() ? shard.segmentKeys : shard.stagingKey) + ": move the existing object away"
                + " (and check which job wrote it) to let the commit go on.");
    }

    /** Uploads bytes {@code [from, from + length)} of {@code localShard}: one checkpoint's range of a shard. */
    public void stageRange(Path localShard, long from, long length, String stagingKey) throws IOException {
        try (FileChannel channel = FileChannel.open(localShard, StandardOpenOption.READ)) {
            channel.position(from);
            InputStream range = new BoundedInputStream(Channels.newInputStream(channel), length);
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(stagingKey)
                    .stream(range, length, -1).contentType(TAR).build());
        } catch (Exception e) {
            throw failure("upload bytes " + from + "+" + length + " of shard " + localShard + " to s3://" + bucket
                    + "/" + stagingKey, e);
        }
    }

    /**
     * Makes a shard staged in ranges visible: its final object is the ranges concatenated (plus the end-of-archive
     * marker for a shard that was still open), streamed through this task; then the ranges are deleted. Idempotent:
     * once the final object exists (of this shard's size), this only deletes what is left of the ranges; a final
     * object of another size is another shard's, and is never overwritten.
     *
     * @throws IOException also when a range is gone and the final object does not exist: its latents are lost
     */
    public void compose(PendingShard shard) throws IOException {
        composeAndDigest(shard);
    }

    /**
     * {@link #compose}, and the sha256 of the final object: digested while it is written, or read back when an
     * earlier attempt wrote it.
     */
    public String composeAndDigest(PendingShard shard) throws IOException {
        long size = shard.segmentSizes.stream().mapToLong(Long::longValue).sum()
                + (shard.appendEnd ? ShardWriter.END_OF_ARCHIVE_BYTES : 0);
        OptionalLong existing = size(shard.finalKey);
        if (existing.isPresent() && existing.getAsLong() != size) {
            throw refusal(shard, existing.getAsLong(), size);
        }
        String sha256 = null;
        if (existing.isEmpty()) {
            for (String key : shard.segmentKeys) {
                if (!exists(key)) {
                    throw new IOException("Cannot commit shard s3://" + bucket + "/" + shard.finalKey + " of checkpoint "
                            + shard.checkpointId + ": its staged range " + key + " is gone and the final object does"
                            + " not exist. Something deleted the staging objects before the commit; the "
                            + shard.samples + " latents in it are lost. Replay their images from Kafka.");
                }
            }
            MessageDigest digest = newSha256();
            try (InputStream whole = new DigestInputStream(new SequenceInputStream(new Ranges(shard)), digest)) {
                client.putObject(PutObjectArgs.builder().bucket(bucket).object(shard.finalKey)
                        .stream(whole, size, -1).contentType(TAR).build());
            } catch (Exception e) {
                throw failure("compose " + shard.segmentKeys.size() + " ranges into " + shard.finalKey, e);
            }
            sha256 = HexFormat.of().formatHex(digest.digest());
        }
        for (String key : shard.segmentKeys) {
            delete(key);
        }
        return sha256 != null ? sha256 : sha256(shard.finalKey);
    }

    /** The sha256 of an object's bytes, read through this task. */
    public String sha256(String key) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), digest));
        } catch (Exception e) {
            throw failure("read s3://" + bucket + "/" + key + " to digest it", e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The sha256 of a local file (a finished shard, before it is staged). */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), digest));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The ranges' contents, opened one after the other, then the end-of-archive marker if it needs one. */
    private final class Ranges implements Enumeration<InputStream> {
        private final PendingShard shard;
        private int next;

        Ranges(PendingShard shard) {
            this.shard = shard;
        }

        @Override
        public boolean hasMoreElements() {
            return next < shard.segmentKeys.size() || next == shard.segmentKeys.size() && shard.appendEnd;
        }

        @Override
        public InputStream nextElement() {
            if (next == shard.segmentKeys.size()) {
                next++;
                return new ByteArrayInputStream(new byte[ShardWriter.END_OF_ARCHIVE_BYTES]);
            }
            String key = shard.segmentKeys.get(next++);
            try {
                return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
            } catch (Exception e) {
                throw new UncheckedIOException(failure("read staged range s3://" + bucket + "/" + key, e));
            }
        }
    }

    /** At most {@code limit} bytes of a stream. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    public boolean exists(String key) throws IOException {
        return size(key).isPresent();
    }

    /** The size of the object {@code key}, or empty when there is none. */
    private OptionalLong size(String key) throws IOException {
        try {
            return OptionalLong.of(client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build())
                    .size());
        } catch (ErrorResponseException e) {
            if (isNotFound(e)) {
                return OptionalLong.empty();
            }
            throw failure("look up s3://" + bucket + "/" + key, e);
        } catch (Exception e) {
            throw failure("look up s3://" + bucket + "/" + key, e);
        }
    }

    /**
     * Deletes the objects staged under {@code stagingPrefix} for checkpoints after
     * {@code lastCompletedCheckpoint}: uploads of an attempt that failed before those checkpoints
     * completed. Staged objects of completed checkpoints are left for their commit.
     *
     * @return the keys deleted
     */
    public List<String> deleteStagedAfter(String stagingPrefix, long lastCompletedCheckpoint) throws IOException {
        List<String> deleted = new ArrayList<>();
        for (String key : list(stagingPrefix)) {
            OptionalLong checkpoint = ShardKeys.stagedCheckpoint(key);
            if (checkpoint.isPresent() && checkpoint.getAsLong() > lastCompletedCheckpoint) {
                delete(key);
                deleted.add(key);
            }
        }
        return deleted;
    }

    /** Every object key under {@code prefix}, recursively. */
    public List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> result : client.listObjects(
                    ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
        } catch (Exception e) {
            throw failure("list s3://" + bucket + "/" + prefix, e);
        }
        return keys;
    }

    private void delete(String key) throws IOException {
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw failure("delete s3://" + bucket + "/" + key, e);
        }
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse() == null ? null : e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || e.response() != null && e.response().code() == 404 && !"NoSuchBucket".equals(code);
    }

    private IOException failure(String what, Exception cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IOException("Could not " + what + ": " + cause.getMessage(), cause);
    }
}

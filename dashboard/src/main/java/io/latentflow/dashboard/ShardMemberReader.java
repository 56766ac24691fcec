package io.latentflow.dashboard;

import io.latentflow.connections.S3Settings;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.errors.ErrorResponseException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads one member of a latent shard (a tar in the bucket) by streaming the shard up to that member. Only shards of
 * the configured bucket are read: the URIs come from records on a topic, and the dashboard has no business elsewhere.
 */
final class ShardMemberReader {

    /** Far above any latent (16 x 128 x 128 float32 is 1 MB): a member claiming more is not a latent. */
    private static final long MAX_MEMBER_BYTES = 64L << 20;

    private final S3Settings s3;
    private final MinioClient client;

    ShardMemberReader(S3Settings s3) {
        this.s3 = s3;
        this.client = s3.newClient();
    }

    byte[] read(String shardUri, String member) throws IOException {
        String prefix = "s3://" + s3.bucket() + "/";
        if (shardUri == null || !shardUri.startsWith(prefix)) {
            throw new IOException("shard " + shardUri + " is not in the bucket " + s3.bucket() + " this dashboard reads");
        }
        String key = shardUri.substring(prefix.length());
        try (InputStream object = client.getObject(GetObjectArgs.builder().bucket(s3.bucket()).object(key).build());
             TarArchiveInputStream tar = new TarArchiveInputStream(object)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().equals(member)) {
                    if (entry.getSize() > MAX_MEMBER_BYTES) {
                        throw new IOException(shardUri + " member " + member + " is " + entry.getSize()
                                + " bytes, too large for a latent");
                    }
                    return tar.readAllBytes();
                }
            }
        } catch (ErrorResponseException e) {
            throw new IOException("cannot read shard " + shardUri + ": " + e.errorResponse().code(), e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // The MinIO client declares a dozen checked exceptions for transport and signing failures.
            throw new IOException("cannot read shard " + shardUri + " from " + s3.endpoint() + ": " + e.getMessage(), e);
        }
        throw new IOException("shard " + shardUri + " has no member " + member);
    }
}

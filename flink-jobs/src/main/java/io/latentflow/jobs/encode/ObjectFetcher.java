package io.latentflow.jobs.encode;

import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.schemas.DeadLetterReason;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

/**
 * Fetches images passed by reference ({@code ImageRecord.objectUri = s3://bucket/key}) from the
 * job's object store. A reference to nothing is the sender's fault and is refused with
 * {@code OBJECT_NOT_FOUND}; an object over the byte limit is refused from its size alone, before
 * it is downloaded. A store that does not answer is not the sender's fault: that surfaces as an
 * {@link IOException}, so the job retries from its last checkpoint instead of dropping images.
 */
final class ObjectFetcher {

    private static final Set<String> NOT_FOUND = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject", "NotFound");

    private final MinioClient client;
    private final long maxBytes;

    ObjectFetcher(MinioClient client, long maxBytes) {
        this.client = client;
        this.maxBytes = maxBytes;
    }

    byte[] fetch(String objectUri) throws ImageRejectedException, IOException {
        URI uri = parse(objectUri);
        String bucket = uri.getHost();
        String key = uri.getPath().substring(1);
        try {
            StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            if (stat.size() > maxBytes) {
                throw new ImageRejectedException(DeadLetterReason.TOO_MANY_BYTES, "the object " + objectUri + " is "
                        + stat.size() + " bytes, over the limit of " + maxBytes
                        + ": recompress or downscale it before sending, or raise maxBytes");
            }
            try (GetObjectResponse body = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return body.readAllBytes();
            }
        } catch (ErrorResponseException e) {
            String code = e.errorResponse() == null ? "" : e.errorResponse().code();
            if (NOT_FOUND.contains(code)) {
                throw new ImageRejectedException(DeadLetterReason.OBJECT_NOT_FOUND, "the object " + objectUri
                        + " does not exist (" + code + "): upload the image before sending its reference");
            }
            throw new IOException("Could not fetch " + objectUri + ": " + e.getMessage(), e);
        } catch (ImageRejectedException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("Could not fetch " + objectUri + ": " + e.getMessage(), e);
        }
    }

    private static URI parse(String objectUri) throws ImageRejectedException {
        URI uri;
        try {
            uri = new URI(objectUri);
        } catch (Exception e) {
            uri = null;
        }
        if (uri == null || !"s3".equals(uri.getScheme()) || uri.getHost() == null
                || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new ImageRejectedException(DeadLetterReason.OBJECT_NOT_FOUND, "objectUri \"" + objectUri
                    + "\" is not an s3://bucket/key URI: send the image's object URI in that form");
        }
        return uri;
    }
}

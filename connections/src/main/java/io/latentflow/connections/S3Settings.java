package io.latentflow.connections;

import io.minio.MinioClient;
import java.io.Serializable;
import java.util.Objects;

/**
 * Where an S3-compatible store is and how to sign requests to it, embedded or external.
 * {@link #toString()} hides the secret so settings can be logged.
 */
public record S3Settings(String endpoint, String accessKey, String secretKey, String region, String bucket)
        implements Serializable {

    /** What MinIO and S3Proxy accept when the store has no real regions. */
    public static final String DEFAULT_REGION = "us-east-1";

    public S3Settings {
        requireText(endpoint, "endpoint", "an http(s)://host:port URL");
        requireText(accessKey, "access key", "the store's access key id");
        requireText(secretKey, "secret key", "the store's secret access key");
        requireText(bucket, "bucket", "a bucket name");
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    private static void requireText(String value, String what, String expected) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("S3 " + what + " is missing: give " + expected);
        }
    }

    /**
     * A new MinIO client for this store. The region is always set: without one the client looks
     * the bucket's location up before signing, which S3-compatible servers answer unreliably.
     */
    public MinioClient newClient() {
        return MinioClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .region(region)
                .build();
    }

    /** {@code s3://bucket/key} for an object key of this bucket. */
    public String uri(String key) {
        Objects.requireNonNull(key, "key");
        return "s3://" + bucket + "/" + (key.startsWith("/") ? key.substring(1) : key);
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", accessKey=" + accessKey + ", secretKey=***, region=" + region
                + ", bucket=" + bucket + "]";
    }
}

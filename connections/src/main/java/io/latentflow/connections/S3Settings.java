package io.latentflow.connections;

import io.minio.MinioClient;
import io.minio.credentials.AwsConfigProvider;
import io.minio.credentials.AwsEnvironmentProvider;
import io.minio.credentials.ChainedProvider;
import io.minio.credentials.IamAwsProvider;
import io.minio.http.HttpUtils;
import java.io.Serializable;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where an S3-compatible store is and how to sign requests to it, embedded or external.
 * {@link #toString()} hides the secret so settings can be logged. An https endpoint whose certificate a private
 * authority signed is trusted through {@code trustedCaPem} (the PEM text of {@code --s3-ca-file}); null trusts the
 * JDK's authorities.
 */
public record S3Settings(String endpoint, String accessKey, String secretKey, String region, String bucket,
                         String trustedCaPem) implements Serializable {

    /** What MinIO and S3Proxy accept when the store has no real regions. */
    public static final String DEFAULT_REGION = "us-east-1";

    /**
     * Both keys null: credentials come from the provider chain the MinIO SDK offers (AWS environment variables, the
     * AWS credentials file, then the IAM role of the EC2 instance, ECS task or EKS pod it runs in).
     */
    public S3Settings {
        requireText(endpoint, "endpoint", "an http(s)://host:port URL");
        if (accessKey != null || secretKey != null) {
            requireText(accessKey, "access key", "the store's access key id (or neither key, for the provider chain)");
            requireText(secretKey, "secret key", "the store's secret key (or neither key, for the provider chain)");
        }
        requireText(bucket, "bucket", "a bucket name");
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
        if (trustedCaPem != null) {
            TrustedCertificates.of(trustedCaPem);
        }
    }

    /** A store whose certificate the JDK's authorities vouch for (or plain http). */
    public S3Settings(String endpoint, String accessKey, String secretKey, String region, String bucket) {
        this(endpoint, accessKey, secretKey, region, bucket, null);
    }

    /** The same store, its certificate checked against the authorities of {@code pem} (null: the JDK's). */
    public S3Settings withTrustedCa(String pem) {
        return new S3Settings(endpoint, accessKey, secretKey, region, bucket, pem);
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
        MinioClient.Builder builder = MinioClient.builder().endpoint(endpoint).region(region);
        if (trustedCaPem != null) {
            // the SDK's own default client (its timeouts), trusting the given authorities instead of the JDK's
            long fiveMinutes = TimeUnit.MINUTES.toMillis(5);
            TrustedCertificates trusted = TrustedCertificates.of(trustedCaPem);
            builder.httpClient(HttpUtils.newDefaultHttpClient(fiveMinutes, fiveMinutes, fiveMinutes).newBuilder()
                    .sslSocketFactory(trusted.sslContext().getSocketFactory(), trusted.trustManager()).build());
        }
        if (usesProviderChain()) {
            return builder.credentialsProvider(new ChainedProvider(new AwsEnvironmentProvider(),
                    new AwsConfigProvider(null, null), new IamAwsProvider(null, null))).build();
        }
        return builder.credentials(accessKey, secretKey).build();
    }

    /** Where no keys were given: the SDK's provider chain signs the requests. */
    public boolean usesProviderChain() {
        return accessKey == null;
    }

    /** {@code s3://bucket/key} for an object key of this bucket. */
    public String uri(String key) {
        Objects.requireNonNull(key, "key");
        return "s3://" + bucket + "/" + (key.startsWith("/") ? key.substring(1) : key);
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", accessKey=" + (usesProviderChain() ? "(provider chain)" : accessKey)
                + ", secretKey=***, region=" + region
                + ", bucket=" + bucket + (trustedCaPem == null ? "" : ", trustedCa=(from --s3-ca-file)") + "]";
    }
}

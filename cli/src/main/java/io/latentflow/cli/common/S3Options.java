package io.latentflow.cli.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.latentflow.connections.S3Settings;
import io.latentflow.connections.TrustedCertificates;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where an external S3-compatible store is, shared by the commands that read or write the bucket. */
public final class S3Options {

    @Option(names = "--s3-endpoint", defaultValue = "${env:LATENTFLOW_S3_ENDPOINT}",
            description = "S3/MinIO endpoint URL (env LATENTFLOW_S3_ENDPOINT). Without it the demo and the benchmarks"
                    + " start an embedded S3 server, and the dashboard lists the worst images without pictures.")
    String endpoint;

    @Option(names = "--s3-access-key", defaultValue = "${env:LATENTFLOW_S3_ACCESS_KEY}",
            description = "S3 access key (env LATENTFLOW_S3_ACCESS_KEY). With no keys at all, the MinIO SDK's provider"
                    + " chain signs requests (AWS variables, credentials file, IAM role).")
    String accessKey;

    // Never an option with the secret itself: a command line is visible to every user of the host (ps).
    @Option(names = "--s3-secret-key-file", paramLabel = "FILE",
            description = "File holding the S3 secret key (its first line). Or set env LATENTFLOW_S3_SECRET_KEY; the"
                    + " secret is never taken on the command line, where every user of the host can read it.")
    Path secretKeyFile;

    @Option(names = "--s3-region", defaultValue = "${env:LATENTFLOW_S3_REGION:-us-east-1}",
            description = "S3 region (env LATENTFLOW_S3_REGION, default ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--s3-ca-file", paramLabel = "PEM", defaultValue = "${env:LATENTFLOW_S3_CA_FILE}",
            description = "PEM file of the certificate authorities to trust for an https endpoint (env"
                    + " LATENTFLOW_S3_CA_FILE), instead of the JDK's: a store whose certificate a private CA signed.")
    Path caFile;

    @Option(names = "--bucket", defaultValue = "${env:LATENTFLOW_BUCKET:-latentflow}",
            description = "Bucket for latents, models and reports (env LATENTFLOW_BUCKET, default ${DEFAULT-VALUE}).")
    public String bucket;

    /** The external store, when an endpoint is given; its keys are then required. */
    public Optional<S3Settings> external() {
        if (endpoint == null || endpoint.isBlank()) {
            return Optional.empty();
        }
        if (blank(accessKey) && secretKeyFile == null && blank(System.getenv("LATENTFLOW_S3_SECRET_KEY"))) {
            // no keys at all: the MinIO SDK's provider chain (AWS variables, credentials file, IAM role)
            return Optional.of(new S3Settings(endpoint, null, null, region, bucket, trustedCa()));
        }
        return Optional.of(new S3Settings(endpoint, required(accessKey, "--s3-access-key"), secretKey(), region,
                bucket, trustedCa()));
    }

    /** The PEM text of --s3-ca-file, carried in the settings so a Flink task elsewhere needs no copy of the file. */
    private String trustedCa() {
        return caFile == null ? null : TrustedCertificates.readPem(caFile);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** From --s3-secret-key-file, else the environment; refused when neither gives one. */
    private String secretKey() {
        if (secretKeyFile != null) {
            try {
                String secret = Files.readAllLines(secretKeyFile).stream().findFirst().orElse("").strip();
                return required(secret, "a secret key in " + secretKeyFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the S3 secret key file " + secretKeyFile, e);
            }
        }
        return required(System.getenv("LATENTFLOW_S3_SECRET_KEY"),
                "--s3-secret-key-file FILE or env LATENTFLOW_S3_SECRET_KEY");
    }

    private static String required(String value, String flag) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(flag + " is required with --s3-endpoint");
        }
        return value;
    }
}

package io.latentflow.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where Kafka, S3 and Flink are. Every address left empty is started embedded, on loopback, with its
 * state under {@link #stateDir}; given addresses (flags or environment) are used as they are.
 */
public final class StackOptions {

    @Option(names = "--kafka", defaultValue = "${env:LATENTFLOW_KAFKA}",
            description = "Kafka bootstrap servers (env LATENTFLOW_KAFKA). Default: an embedded KRaft broker.")
    String kafkaBootstrap;

    @Option(names = "--s3-endpoint", defaultValue = "${env:LATENTFLOW_S3_ENDPOINT}",
            description = "S3/MinIO endpoint URL (env LATENTFLOW_S3_ENDPOINT). Default: an embedded S3 server.")
    String s3Endpoint;

    @Option(names = "--s3-access-key", defaultValue = "${env:LATENTFLOW_S3_ACCESS_KEY}",
            description = "S3 access key (env LATENTFLOW_S3_ACCESS_KEY).")
    String s3AccessKey;

    @Option(names = "--s3-secret-key", defaultValue = "${env:LATENTFLOW_S3_SECRET_KEY}",
            description = "S3 secret key (env LATENTFLOW_S3_SECRET_KEY).")
    String s3SecretKey;

    @Option(names = "--s3-region", defaultValue = "${env:LATENTFLOW_S3_REGION:-us-east-1}",
            description = "S3 region (env LATENTFLOW_S3_REGION, default ${DEFAULT-VALUE}).")
    String s3Region;

    @Option(names = "--bucket", defaultValue = "${env:LATENTFLOW_BUCKET:-latentflow}",
            description = "Bucket for latents, models and reports (env LATENTFLOW_BUCKET, default ${DEFAULT-VALUE}).")
    String bucket;

    @Option(names = "--flink", defaultValue = "${env:LATENTFLOW_FLINK}",
            description = "Flink REST address host:port of a session cluster (env LATENTFLOW_FLINK). "
                    + "Default: an embedded MiniCluster.")
    String flinkRest;

    @Option(names = "--job-jar", defaultValue = "${env:LATENTFLOW_JOB_JAR}",
            description = "Job jar to submit with --flink (env LATENTFLOW_JOB_JAR).")
    Path jobJar;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "Folder for the embedded stack's state (default ${DEFAULT-VALUE}).")
    Path stateDir;
}

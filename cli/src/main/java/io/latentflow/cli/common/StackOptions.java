package io.latentflow.cli.common;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where Kafka, S3 and Flink are. Every address left empty is started embedded, on loopback, with its
 * state under {@link #stateDir}; given addresses (flags or environment) are used as they are.
 */
public final class StackOptions {

    @Option(names = "--kafka", defaultValue = "${env:LATENTFLOW_KAFKA}",
            description = "Kafka bootstrap servers (env LATENTFLOW_KAFKA). Default: an embedded KRaft broker.")
    public String kafkaBootstrap;

    @Mixin
    public KafkaConfigOptions kafkaConfig = new KafkaConfigOptions();

    @Mixin
    public S3Options s3 = new S3Options();

    @Option(names = "--flink", defaultValue = "${env:LATENTFLOW_FLINK}",
            description = "REST address of a Flink session cluster, http://HOST:PORT or HOST:PORT (env LATENTFLOW_FLINK),"
                    + " e.g. the one 'latentflow cluster up' prints. Default: an embedded MiniCluster.")
    public String flinkRest;

    @Option(names = "--job-jar", defaultValue = "${env:LATENTFLOW_JOB_JAR}",
            description = "Job jar to submit with --flink (env LATENTFLOW_JOB_JAR; default: the one mvn package builds,"
                    + " flink-jobs/target/latentflow-flink-jobs-*-job.jar).")
    public Path jobJar;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "Folder for the embedded stack's state (default ${DEFAULT-VALUE}).")
    public Path stateDir;

    /** Whether the jobs run in this process's MiniCluster (no --flink given). */
    public boolean embeddedFlink() {
        return flinkRest == null || flinkRest.isBlank();
    }
}

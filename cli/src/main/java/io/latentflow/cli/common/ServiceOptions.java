package io.latentflow.cli.common;

import io.latentflow.cli.stack.ServiceConnections;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a client command (ingest, models) finds Kafka and object storage: given, else the running service's. */
public final class ServiceOptions {

    @Option(names = "--kafka", defaultValue = "${env:LATENTFLOW_KAFKA}",
            description = "Kafka bootstrap servers (env LATENTFLOW_KAFKA). Default: the running service's, from"
                    + " <state-dir>/service.json, with its object storage.")
    String kafka;

    @Mixin
    public KafkaConfigOptions kafkaConfig = new KafkaConfigOptions();

    @Mixin
    public S3Options s3 = new S3Options();

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "State folder of the running service (default ${DEFAULT-VALUE}).")
    public Path stateDir;

    public ServiceConnections resolve() {
        return ServiceConnections.resolve(kafka, kafkaConfig, s3, stateDir);
    }
}

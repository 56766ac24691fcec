package io.latentflow.cli.common;

import io.latentflow.connections.KafkaClientConfig;
import io.latentflow.connections.KafkaSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to connect to Kafka, the way Kafka's own tools take it: a client properties file. */
public final class KafkaConfigOptions {

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:LATENTFLOW_KAFKA_CONFIG}",
            description = "Kafka client .properties file (env LATENTFLOW_KAFKA_CONFIG): security.protocol, sasl.*,"
                    + " ssl.*, applied to every producer, consumer and admin client, the jobs' included. Default: the"
                    + " running service's, else PLAINTEXT.")
    public Path file;

    /** {@code bootstrapServers} with the properties of {@link #file} (or of {@code fallback} when none was given). */
    public KafkaSettings settings(String bootstrapServers, Path fallback) {
        return new KafkaSettings(bootstrapServers, KafkaClientConfig.load(file != null ? file : fallback));
    }
}

package io.latentflow.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.cli.common.KafkaConfigOptions;
import io.latentflow.cli.common.S3Options;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Kafka and object storage as a client command (ingest, models) reaches them: the given addresses, else the running
 * service's, from its {@code service.json} (with the embedded store's throwaway key beside it).
 */
public record ServiceConnections(KafkaSettings kafka, Optional<S3Settings> s3) {

    /** The model registry on these connections; the caller closes it. */
    public ModelRegistry openRegistry() {
        return new ModelRegistry(kafka, s3.orElseThrow(() -> new IllegalArgumentException(
                "the registry needs object storage: give --s3-endpoint and its keys, or run 'latentflow run'")));
    }

    /**
     * Checks Kafka answers and accepts the connection (a bounded round trip), so a command with wrong credentials
     * fails at once, saying why.
     */
    public static ServiceConnections resolve(String kafkaOption, KafkaConfigOptions kafkaConfig, S3Options s3Options,
                                             Path stateDir) {
        ServiceConnections connections = resolveUnchecked(kafkaOption, kafkaConfig, s3Options, stateDir);
        KafkaConnectionCheck.verify(connections.kafka());
        return connections;
    }

    private static ServiceConnections resolveUnchecked(String kafkaOption, KafkaConfigOptions kafkaConfig,
                                                       S3Options s3Options, Path stateDir) {
        Optional<S3Settings> s3 = s3Options.external();
        if (kafkaOption != null && !kafkaOption.isBlank()) {
            return new ServiceConnections(kafkaConfig.settings(kafkaOption, null), s3);
        }
        JsonNode service = ServiceState.read(stateDir);
        if (s3.isEmpty() && service.hasNonNull("s3CredentialsFile")) {
            try {
                List<String> keys = Files.readAllLines(Path.of(service.get("s3CredentialsFile").asText()));
                s3 = Optional.of(new S3Settings(service.get("s3Endpoint").asText(), keys.get(0), keys.get(1), null,
                        service.get("bucket").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the service's S3 key file", e);
            }
        }
        return new ServiceConnections(kafkaConfig.settings(service.get("kafka").asText(),
                ServiceState.kafkaConfigFile(service)), s3);
    }
}

package io.latentflow.connections;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where a Kafka cluster is, embedded or external, and how to connect to it: the client properties of a
 * {@code --kafka-config} file ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) travel with the address, so
 * every producer, consumer and admin client built from {@link #clientProperties()}, in the CLI or in a Flink task,
 * connects the same way.
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientConfig) implements Serializable {

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are blank: give host:port[,host:port...]");
        }
        // a TreeMap, not Map.copyOf: it serializes into a Flink task and prints in a stable order
        clientConfig = clientConfig == null ? new TreeMap<>() : new TreeMap<>(clientConfig);
    }

    /** A PLAINTEXT cluster: no client properties beyond the address. */
    public KafkaSettings(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** The same address with these client properties (those of a {@code --kafka-config} file). */
    public KafkaSettings withClientConfig(Map<String, String> config) {
        return new KafkaSettings(bootstrapServers, config);
    }

    @Override
    public Map<String, String> clientConfig() {
        return java.util.Collections.unmodifiableMap(clientConfig);
    }

    /**
     * A fresh client config: the connection properties and {@code bootstrap.servers} (the address wins over one in the
     * file, as with Kafka's own tools); add the rest per client.
     */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.putAll(clientConfig);
        properties.setProperty("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /** Hides every password and JAAS line, so settings can be logged. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        clientConfig.forEach((key, value) -> shown.put(key, KafkaClientConfig.isSecret(key) ? "***" : value));
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientConfig=" + shown + "]";
    }
}

package io.latentflow.connections;

import java.io.Serializable;
import java.util.Objects;
import java.util.Properties;

/** Where a Kafka cluster is, embedded or external. */
public record KafkaSettings(String bootstrapServers) implements Serializable {

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are blank: give host:port[,host:port...]");
        }
    }

    /** A fresh client config holding only {@code bootstrap.servers}; add the rest per client. */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.setProperty("bootstrap.servers", bootstrapServers);
        return properties;
    }
}

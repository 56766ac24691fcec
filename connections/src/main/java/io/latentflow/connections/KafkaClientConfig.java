package io.latentflow.connections;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Kafka client {@code .properties} file, the one Kafka's own tools take with {@code --command-config}: read once
 * where the command starts, then carried by {@link KafkaSettings} to every client.
 */
public final class KafkaClientConfig {

    /** Properties each client sets for itself; one in the file would silently change what the code relies on. */
    private static final Set<String> SET_PER_CLIENT = Set.of("key.serializer", "value.serializer",
            "key.deserializer", "value.deserializer", "transactional.id", "isolation.level", "group.id",
            "enable.auto.commit", "enable.idempotence");

    private KafkaClientConfig() {
    }

    /** The properties of {@code file}; none when {@code file} is null. */
    public static Map<String, String> load(Path file) {
        Map<String, String> config = new TreeMap<>();
        if (file == null) {
            return config;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--kafka-config " + file + " does not exist: give a Kafka client"
                    + " .properties file (security.protocol, sasl.*, ssl.*)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka client properties " + file, e);
        }
        for (String key : properties.stringPropertyNames()) {
            if (SET_PER_CLIENT.contains(key)) {
                throw new IllegalArgumentException("--kafka-config " + file + " sets " + key + ", which latentflow sets"
                        + " per client: keep only connection properties (security.protocol, sasl.*, ssl.*, timeouts)");
            }
            config.put(key, properties.getProperty(key).strip());
        }
        return config;
    }

    /** Whether a property's value must never be printed: passwords, keys and JAAS lines that embed them. */
    static boolean isSecret(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("password") || lower.contains("jaas") || lower.endsWith(".key")
                || lower.contains("secret") || lower.contains("credentials");
    }
}

package io.latentflow.infra;

import io.latentflow.connections.KafkaSettings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A SASL_SSL listener of the embedded broker, the way a managed Kafka is reached: TLS with {@code certificate}, and a
 * SCRAM-SHA-512 login for one user, whose credential is written into the cluster's bootstrap records when its storage
 * is formatted (so it is there before the first client connects). The PLAINTEXT listener stays for the broker itself.
 */
public record SaslSslListener(int port, SelfSignedCertificate certificate, String user, String password) {

    static final String NAME = "SECURE";
    public static final String MECHANISM = "SCRAM-SHA-512";

    public SaslSslListener {
        if (!user.matches("[A-Za-z0-9-]+") || !password.matches("[A-Za-z0-9-]+")) {
            // the bootstrap record's syntax (name=...,password=...) and the JAAS line take these as they are
            throw new IllegalArgumentException("a SCRAM user and password of letters, digits and '-' only");
        }
    }

    /** On a free loopback port. */
    public static SaslSslListener onFreePort(SelfSignedCertificate certificate, String user, String password) {
        return new SaslSslListener(FreePorts.pick(1)[0], certificate, user, password);
    }

    /** The listener added to the broker's own {@code listeners}, {@code advertised.listeners} and protocol map. */
    void addTo(Properties broker) {
        String address = NAME + "://127.0.0.1:" + port;
        broker.setProperty("listeners", broker.getProperty("listeners") + "," + address);
        broker.setProperty("advertised.listeners", broker.getProperty("advertised.listeners") + "," + address);
        broker.setProperty("listener.security.protocol.map",
                broker.getProperty("listener.security.protocol.map") + "," + NAME + ":SASL_SSL");
        String prefix = "listener.name." + NAME.toLowerCase() + ".";
        broker.setProperty("sasl.enabled.mechanisms", MECHANISM);
        broker.setProperty(prefix + MECHANISM.toLowerCase() + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker.setProperty(prefix + "ssl.keystore.type", "PKCS12");
        broker.setProperty(prefix + "ssl.keystore.location", certificate.keyStore().toAbsolutePath().toString());
        broker.setProperty(prefix + "ssl.keystore.password", certificate.keyStorePassword());
        broker.setProperty(prefix + "ssl.key.password", certificate.keyStorePassword());
    }

    /** The storage tool's arguments that create the user's SCRAM credential in the bootstrap records. */
    List<String> formatArguments() {
        return List.of("--add-scram", MECHANISM + "=[name=" + user + ",password=" + password + "]");
    }

    /** What a client puts in its {@code --kafka-config} file to log in as {@code user} with {@code password}. */
    public static Map<String, String> clientConfig(SelfSignedCertificate trusted, String user, String password) {
        Map<String, String> config = new TreeMap<>();
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", MECHANISM);
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.location", trusted.certificatePem().toAbsolutePath().toString());
        return config;
    }

    /** This listener's address, logging in as its user. */
    public KafkaSettings clientSettings() {
        return new KafkaSettings(bootstrapServers(), clientConfig(certificate, user, password));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }
}

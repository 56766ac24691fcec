package io.latentflow.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.minio.BucketExistsArgs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with a SASL_SSL listener and SCRAM-SHA-512, and the embedded S3 server on https, both with a
 * certificate the test made: the right credentials and the certificate get in, a wrong password or an untrusted
 * certificate is refused at once with the exception that names it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecureListenersTest {

    private static final String TOPIC = "secured";

    @TempDir
    static Path work;

    static SelfSignedCertificate certificate;
    static SaslSslListener listener;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        certificate = SelfSignedCertificate.create(work.resolve("tls"));
        listener = SaslSslListener.onFreePort(certificate, "encoder", "right-password");
        kafka = EmbeddedKafka.start(work.resolve("state"), listener);
        kafka.createTopics(1, TOPIC);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void theRightUserOverTlsWritesAndReads() throws Exception {
        KafkaSettings secure = listener.clientSettings();
        try (KafkaProducer<String, String> producer = producer(secure)) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "over SASL_SSL")).get(30, TimeUnit.SECONDS);
        }
        Properties config = secure.clientProperties();
        config.setProperty("auto.offset.reset", "earliest");
        config.setProperty("group.id", "secure-reader");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            assertThat(values).containsExactly("over SASL_SSL");
        }
    }

    @Test
    void aWrongPasswordIsRefusedAsAFailedAuthentication() {
        KafkaSettings wrong = new KafkaSettings(listener.bootstrapServers(),
                SaslSslListener.clientConfig(certificate, "encoder", "wrong-password"));
        try (KafkaProducer<String, String> producer = producer(wrong)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "v")).get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class)
                    .rootCause().hasMessageContaining("Authentication failed");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
        Map<String, String> config = new TreeMap<>(SaslSslListener.clientConfig(certificate, "encoder",
                "right-password"));
        config.remove("ssl.truststore.type");
        config.remove("ssl.truststore.location"); // the JDK's authorities, which never signed this certificate
        try (KafkaProducer<String, String> producer = producer(new KafkaSettings(listener.bootstrapServers(), config))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "v")).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void theHttpsStoreIsReachedWithItsCertificateAsTheAuthorityAndRefusedWithout() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "secure-bucket", certificate)) {
            assertThat(s3.endpoint()).startsWith("https://");
            S3Settings trusting = s3.settings().withTrustedCa(java.nio.file.Files.readString(
                    certificate.certificatePem()));
            assertThat(trusting.newClient().bucketExists(BucketExistsArgs.builder().bucket("secure-bucket").build()))
                    .isTrue();
            assertThatThrownBy(() -> s3.settings().newClient()
                    .bucketExists(BucketExistsArgs.builder().bucket("secure-bucket").build()))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX path building failed");
        }
    }

    private static KafkaProducer<String, String> producer(KafkaSettings kafka) {
        Properties config = kafka.clientProperties();
        config.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}

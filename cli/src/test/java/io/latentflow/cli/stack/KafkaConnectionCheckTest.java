package io.latentflow.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.SaslSslListener;
import io.latentflow.infra.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The check every command makes before it works on Kafka, against a SASL_SSL listener with SCRAM-SHA-512. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaConnectionCheckTest {

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
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void theRightCredentialsPass() {
        assertThatCode(() -> KafkaConnectionCheck.verify(listener.clientSettings())).doesNotThrowAnyException();
    }

    @Test
    void aWrongPasswordIsNamedAsAFailedAuthenticationAtThatAddress() {
        KafkaSettings wrong = new KafkaSettings(listener.bootstrapServers(),
                SaslSslListener.clientConfig(certificate, "encoder", "wrong-password"));
        assertThatThrownBy(() -> KafkaConnectionCheck.verify(wrong))
                .hasMessageStartingWith("Kafka at " + listener.bootstrapServers() + " authentication failed")
                .hasMessageContaining("sasl.jaas.config");
    }

    @Test
    void anUntrustedCertificateIsNamedAsAFailedSslHandshake() {
        Map<String, String> config = new TreeMap<>(SaslSslListener.clientConfig(certificate, "encoder",
                "right-password"));
        config.remove("ssl.truststore.type");
        config.remove("ssl.truststore.location");
        assertThatThrownBy(() -> KafkaConnectionCheck.verify(new KafkaSettings(listener.bootstrapServers(), config)))
                .hasMessageStartingWith("Kafka at " + listener.bootstrapServers() + " SSL handshake failed")
                .hasMessageContaining("ssl.truststore");
    }

    @Test
    void aPlaintextClientOnTheSecureListenerGivesUpWithinTheBoundNamingTheProtocol() {
        assertThatThrownBy(() -> KafkaConnectionCheck.verify(new KafkaSettings(listener.bootstrapServers())))
                .hasMessageContaining("did not answer within " + KafkaConnectionCheck.TIMEOUT_S + " s")
                .hasMessageContaining("security.protocol (PLAINTEXT)");
    }

    @Test
    void anHttpsCertificateNoAuthorityVouchesForIsExplainedWithTheOptionThatFixesIt() {
        Exception failure = new IllegalStateException("Cannot reach bucket latentflow",
                new SSLHandshakeException("PKIX path building failed"));
        assertThat(ConnectionFailures.explain(failure)).hasValueSatisfying(message -> assertThat(message)
                .startsWith("SSL handshake failed: PKIX path building failed").contains("--s3-ca-file"));
        assertThat(ConnectionFailures.explain(new IllegalArgumentException("no such file"))).isEmpty();
    }
}

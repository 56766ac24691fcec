package io.latentflow.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private final S3Settings s3 = new S3Settings("http://127.0.0.1:9000", "AKIA", "s3cr3t-value", null, "latentflow");

    @Test
    void s3UrisNameTheBucketAndKey() {
        assertThat(s3.uri("latents/model=v1/part-0-0.tar")).isEqualTo("s3://latentflow/latents/model=v1/part-0-0.tar");
        assertThat(s3.uri("/models/v1/config.json")).isEqualTo("s3://latentflow/models/v1/config.json");
    }

    @Test
    void aMissingRegionMeansTheDefaultOne() {
        assertThat(s3.region()).isEqualTo(S3Settings.DEFAULT_REGION);
    }

    @Test
    void printedSettingsDoNotShowTheSecret() {
        assertThat(s3.toString()).doesNotContain("s3cr3t-value").contains("AKIA", "http://127.0.0.1:9000", "latentflow");
    }

    @Test
    void withoutKeysTheSdksProviderChainSignsAndOneKeyAloneIsRefused() {
        S3Settings chained = new S3Settings("http://127.0.0.1:9000", null, null, null, "latentflow");
        assertThat(chained.usesProviderChain()).isTrue();
        assertThat(chained.newClient()).isNotNull();
        assertThat(chained.toString()).contains("provider chain");
        assertThatThrownBy(() -> new S3Settings("http://127.0.0.1:9000", "AKIA", null, null, "latentflow"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret key");
    }

    @Test
    void missingValuesAreRefusedNamingWhatIsMissing() {
        assertThatThrownBy(() -> new S3Settings("http://127.0.0.1:9000", "AKIA", "secret", null, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucket is missing");
        assertThatThrownBy(() -> new KafkaSettings(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap servers");
    }

    @Test
    void aKafkaClientConfigFileTravelsWithTheAddressAndItsPasswordsAreNeverPrinted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="encoder" password="hunter2-secret";
                ssl.truststore.password=store-secret
                bootstrap.servers=ignored:9092
                """);
        KafkaSettings kafka = new KafkaSettings("broker:9093").withClientConfig(KafkaClientConfig.load(file));
        assertThat(kafka.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "broker:9093");
        assertThat(kafka.clientProperties().getProperty("sasl.jaas.config")).contains("password=\"hunter2-secret\"");
        assertThat(kafka.toString()).contains("SASL_SSL").doesNotContain("hunter2-secret", "store-secret");
    }

    @Test
    void aKafkaClientConfigThatSetsWhatEachClientSetsOrIsMissingIsRefusedNamingTheFile(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "transactional.id=mine\n");
        assertThatThrownBy(() -> KafkaClientConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("transactional.id");
        assertThatThrownBy(() -> KafkaClientConfig.load(dir.resolve("absent.properties")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    }

    @Test
    void aCaFileWithoutACertificateIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ca.pem");
        Files.writeString(file, "not a certificate\n");
        assertThatThrownBy(() -> TrustedCertificates.readPem(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--s3-ca-file " + file);
    }
}

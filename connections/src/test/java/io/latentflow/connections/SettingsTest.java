package io.latentflow.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

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
}

package io.latentflow.jobs.encode;

import io.latentflow.infra.SelfSignedCertificate;
import io.latentflow.registry.SigningKeys;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.shards.StoredLatents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncodeJobArgumentsTest {

    private static final Map<String, String> CREDENTIALS = Map.of(EncodeJobArguments.ACCESS_KEY_VARIABLE, "key",
            EncodeJobArguments.SECRET_KEY_VARIABLE, "secret");

    @Test
    void theJobJarsArgumentsBecomeSettingsWithCredentialsFromTheEnvironment() {
        EncodeJobSettings settings = EncodeJobArguments.parse(new String[] {"--kafka", "broker:9092", "--s3-endpoint",
                "http://minio:9000", "--bucket", "lf", "--resolution", "128", "--batch", "8", "--parallelism", "4",
                "--checkpoint-interval", "PT10S", "--bounded", "--no-monitor"}, CREDENTIALS);

        assertThat(settings.kafka().bootstrapServers()).isEqualTo("broker:9092");
        assertThat(settings.s3().endpoint()).isEqualTo("http://minio:9000");
        assertThat(settings.s3().bucket()).isEqualTo("lf");
        assertThat(settings.s3().accessKey()).isEqualTo("key");
        assertThat(settings.s3().secretKey()).isEqualTo("secret");
        assertThat(settings.model().isDefault()).isTrue();
        assertThat(settings.resolution()).isEqualTo(128);
        assertThat(settings.batchSize()).isEqualTo(8);
        assertThat(settings.parallelism()).isEqualTo(4);
        assertThat(settings.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.bounded()).isTrue();
        assertThat(settings.monitoring()).isEmpty();
        assertThat(settings.deduplication()).as("one latent per image id for 7 days by default")
                .contains(Duration.ofDays(7));
    }

    @Test
    void theDedupHorizonIsAnArgumentAndAllowDuplicatesTurnsItOff() {
        String[] base = {"--kafka", "k:9092", "--s3-endpoint", "http://s3:9000", "--no-monitor"};
        assertThat(EncodeJobArguments.parse(concat(base, "--dedup-horizon", "PT12H"), CREDENTIALS).deduplication())
                .contains(Duration.ofHours(12));
        assertThat(EncodeJobArguments.parse(concat(base, "--allow-duplicates"), CREDENTIALS).deduplication()).isEmpty();
        assertThatThrownBy(() -> EncodeJobArguments.parse(concat(base, "--dedup-horizon", "PT0S"), CREDENTIALS))
                .hasMessageContaining("dedupHorizon");
    }

    @Test
    void trustedKeysAreReadFromTheirFolderAndNeedTheRegistry(@TempDir Path keys) throws Exception {
        String[] base = {"--kafka", "k:9092", "--s3-endpoint", "http://s3:9000", "--no-monitor"};
        assertThat(EncodeJobArguments.parse(base, CREDENTIALS).trustedKeys()).isSameAs(TrustedKeys.NOT_CHECKED);
        SigningKeys.generate(keys);

        EncodeJobSettings settings = EncodeJobArguments.parse(concat(base, "--follow-registry", "--trusted-keys",
                keys.toString()), CREDENTIALS);

        assertThat(settings.trustedKeys().describe()).isEqualTo("trusted keys: 1");
        assertThatThrownBy(() -> EncodeJobArguments.parse(concat(base, "--trusted-keys", keys.toString()),
                CREDENTIALS)).hasMessageContaining("trustedKeys").hasMessageContaining("follows the registry");
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void theKafkaClientFileAndTheS3CaAreReadWhereTheJobIsSubmittedAndTravelInsideTheSettings(@TempDir Path dir)
            throws Exception {
        Path clientFile = java.nio.file.Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir.resolve("tls"));
        EncodeJobSettings settings = EncodeJobArguments.parse(new String[] {"--kafka", "k:9093", "--kafka-config",
                clientFile.toString(), "--s3-endpoint", "https://s3:9000", "--s3-ca-file",
                certificate.certificatePem().toString(), "--no-monitor"}, CREDENTIALS);

        assertThat(settings.kafka().clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("bootstrap.servers", "k:9093");
        assertThat(settings.s3().trustedCaPem()).isEqualTo(java.nio.file.Files.readString(
                certificate.certificatePem()));
        assertThatThrownBy(() -> EncodeJobArguments.parse(new String[] {"--kafka", "k:9093", "--kafka-config",
                dir.resolve("absent").toString(), "--s3-endpoint", "https://s3:9000", "--no-monitor"}, CREDENTIALS))
                .hasMessageContaining("--kafka-config").hasMessageContaining("does not exist");
    }

    @Test
    void latentsAreTheMeanByDefaultAndMomentsAreRefusedForABoundedModel() {
        String[] base = {"--kafka", "k:9092", "--s3-endpoint", "http://s3:9000", "--no-monitor"};
        assertThat(EncodeJobArguments.parse(base, CREDENTIALS).latents()).isEqualTo(StoredLatents.MEAN);
        assertThatThrownBy(() -> EncodeJobArguments.parse(concat(base, "--latents", "moments"), CREDENTIALS))
                .hasMessageContaining("latents is moments").hasMessageContaining("bounded")
                .hasMessageContaining("use latents mean");
        assertThatThrownBy(() -> EncodeJobArguments.parse(concat(base, "--latents", "samples"), CREDENTIALS))
                .hasMessageContaining("neither \"mean\" nor \"moments\"");
    }

    @Test
    void theMonitorUsesTheProfileStoredWithTheModel() {
        EncodeJobSettings settings = EncodeJobArguments.parse(new String[] {"--kafka", "k:9092", "--s3-endpoint",
                "http://s3:9000"}, CREDENTIALS);
        assertThat(settings.monitoring()).isPresent();
        assertThat(settings.bounded()).isFalse();
    }

    @Test
    void missingAddressesUnknownArgumentsAndCredentialsOnTheCommandLineAreRefused() {
        assertThatThrownBy(() -> EncodeJobArguments.parse(new String[] {"--s3-endpoint", "http://s3:9000"},
                CREDENTIALS)).hasMessageContaining("--kafka is required");
        assertThatThrownBy(() -> EncodeJobArguments.parse(new String[] {"--kafka", "k:9092", "--s3-endpoint",
                "http://s3:9000", "--s3-secret-key", "oops"}, CREDENTIALS)).hasMessageContaining("unknown argument")
                .hasMessageContaining("s3-secret-key");
        assertThatThrownBy(() -> EncodeJobArguments.parse(new String[] {"--kafka", "k:9092", "--s3-endpoint",
                "http://s3:9000"}, Map.of(EncodeJobArguments.ACCESS_KEY_VARIABLE, "key")))
                .hasMessageContaining("secret key");
        assertThat(EncodeJobArguments.parse(new String[] {"--kafka", "k:9092", "--s3-endpoint", "http://s3:9000",
                "--no-monitor"}, Map.of()).s3().usesProviderChain()).as("no keys: the SDK's provider chain").isTrue();
        assertThatThrownBy(() -> EncodeJobArguments.parse(new String[] {"--kafka", "k:9092", "--s3-endpoint",
                "http://s3:9000", "--resolution", "128"}, CREDENTIALS)).hasMessageContaining("--reference-images");
    }
}

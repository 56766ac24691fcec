package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.LocalStack;
import io.latentflow.infra.SaslSslListener;
import io.latentflow.infra.SelfSignedCertificate;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import io.minio.ListObjectsArgs;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands against a Kafka reached only over SASL_SSL with SCRAM-SHA-512 and an object store reached only over
 * https, both with a certificate no public authority signed: with {@code --kafka-config} and {@code --s3-ca-file}
 * images become committed latents and shards; with a wrong password every command stops at once saying the
 * authentication failed, and without the CA file the store's certificate is named as the problem.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SecureConnectionsEndToEndTest {

    private static final int IMAGES = 12;

    @TempDir
    static Path work;

    static SelfSignedCertificate certificate;
    static SaslSslListener listener;
    static EmbeddedKafka kafka;
    static EmbeddedS3 s3;
    static Path images;
    static Path rightConfig;
    static Path wrongPasswordConfig;
    static Path secretKeyFile;

    @BeforeAll
    static void startSecuredKafkaAndHttpsStore() throws Exception {
        certificate = SelfSignedCertificate.create(work.resolve("tls"));
        listener = SaslSslListener.onFreePort(certificate, "latentflow-service", "right-password");
        kafka = EmbeddedKafka.start(work.resolve("kafka"), listener);
        kafka.createTopics(LocalStack.TOPIC_PARTITIONS, Topics.IMAGES, Topics.LATENTS, Topics.SHARDS,
                Topics.DEAD_LETTERS, Topics.LATENT_STATS, Topics.DRIFT_ALERTS, Topics.MODEL_EVENTS);
        s3 = EmbeddedS3.start(null, "latentflow", certificate);
        rightConfig = properties("client.properties",
                SaslSslListener.clientConfig(certificate, "latentflow-service", "right-password"));
        wrongPasswordConfig = properties("wrong-password.properties",
                SaslSslListener.clientConfig(certificate, "latentflow-service", "wrong-password"));
        secretKeyFile = Files.writeString(work.resolve("s3-secret"), s3.settings().secretKey() + "\n");
        images = E2eImages.copies(E2eImages.photos().subList(0, IMAGES), work.resolve("images"));
    }

    @AfterAll
    static void stop() {
        s3.close();
        kafka.close();
    }

    /**
     * {@code run} given the client file and the CA; {@code ingest} and {@code status} given neither: they take the
     * file from the service's {@code service.json}.
     */
    @Test
    void theServiceWithTheClientPropertiesAndTheCaTurnsIngestedImagesIntoCommittedLatentsAndShards() throws Exception {
        Path state = work.resolve("state-service");
        Process service = ServiceProcess.start(work, state, "secure-run", concat(new String[]{"--no-training",
                "--kafka", listener.bootstrapServers(), "--kafka-config", rightConfig.toString()}, s3Args(true)));
        try {
            JsonNode ingested = LatentflowCli.json("ingest", images.toString(), "--state-dir", state.toString(),
                    "--json");
            assertThat(ingested.get("sent").asInt()).isEqualTo(IMAGES);

            List<LatentRecord> latents = awaitLatentsOverSaslSsl(IMAGES);
            assertThat(latents).extracting(LatentRecord::getImageId).doesNotHaveDuplicates().hasSize(IMAGES);
            JsonNode status = LatentflowCli.json("status", "--state-dir", state.toString(), "--json");
            assertThat(status.get("imagesIn").asInt()).isEqualTo(IMAGES);
        } finally {
            ServiceProcess.stop(service);
        }
        List<String> shards = new ArrayList<>();
        for (var item : s3.settings().withTrustedCa(Files.readString(certificate.certificatePem())).newClient()
                .listObjects(ListObjectsArgs.builder().bucket("latentflow").prefix("latents/").recursive(true).build())) {
            shards.add(item.get().objectName());
        }
        assertThat(shards).as("shards committed to the https store").isNotEmpty();
    }

    private static List<LatentRecord> awaitLatentsOverSaslSsl(int count) {
        List<List<LatentRecord>> latest = new ArrayList<>(List.of(List.of()));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try (CommittedTopicReader reader = new CommittedTopicReader(listener.clientSettings().clientProperties())) {
                latest.set(0, reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class)));
            }
            return latest.get(0).size() >= count;
        });
        return latest.get(0);
    }

    @Test
    void withAWrongPasswordEveryCommandStopsSayingTheAuthenticationFailed() {
        String[] kafkaArgs = {"--kafka", listener.bootstrapServers(), "--kafka-config", wrongPasswordConfig.toString()};
        List<String[]> commands = List.of(
                concat(new String[]{"ingest", images.toString(), "--state-dir", work.resolve("ingest").toString()},
                        kafkaArgs),
                demo("wrong", wrongPasswordConfig, true),
                concat(concat(new String[]{"models", "list"}, kafkaArgs), s3Args(true)),
                concat(new String[]{"dashboard", "--port", "0"}, kafkaArgs));
        for (String[] command : commands) {
            LatentflowCli.Run run = LatentflowCli.run(command);
            assertThat(run.exit()).as("%s exit code; errors: %s", command[0], run.err()).isEqualTo(1);
            assertThat(run.err()).as(command[0]).contains("authentication failed").contains("sasl.jaas.config")
                    .doesNotContain("wrong-password");
        }
    }

    @Test
    void withoutTheCaFileTheStoresCertificateIsNamedAsTheProblem() {
        LatentflowCli.Run run = LatentflowCli.run(demo("no-ca", rightConfig, false));

        assertThat(run.exit()).as("errors: %s", run.err()).isEqualTo(1);
        assertThat(run.err()).contains("SSL handshake failed").contains("--s3-ca-file");
    }

    private static String[] demo(String name, Path kafkaConfig, boolean withCa) {
        String[] demo = {"demo", "--images", images.toString(), "--resolution", "64", "--no-dashboard", "--json",
                "--state-dir", work.resolve("state-" + name).toString(),
                "--kafka", listener.bootstrapServers(), "--kafka-config", kafkaConfig.toString()};
        return concat(demo, s3Args(withCa));
    }

    private static String[] s3Args(boolean withCa) {
        String[] s3Args = {"--s3-endpoint", s3.endpoint(), "--s3-access-key", s3.settings().accessKey(),
                "--s3-secret-key-file", secretKeyFile.toString()};
        return withCa ? concat(s3Args, new String[]{"--s3-ca-file", certificate.certificatePem().toString()}) : s3Args;
    }

    private static String[] concat(String[] first, String[] second) {
        return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
    }

    private static Path properties(String name, Map<String, String> config) throws IOException {
        Properties properties = new Properties();
        properties.putAll(config);
        Path file = work.resolve(name);
        try (var out = Files.newOutputStream(file)) {
            properties.store(out, "a Kafka client's connection, as --kafka-config takes it");
        }
        return file;
    }
}

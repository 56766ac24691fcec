package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.FailOnce;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.RestartPolicy;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DeadLetterReason;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few hundred real images and bad files through the encode job on the embedded stack while one
 * operator throws once mid-stream: after the restore from the last checkpoint, the committed outcome
 * is the same as without a failure (every good image exactly one LatentRecord and one shard member,
 * every shard one announcement, every bad file exactly one dead letter).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RecoveryEndToEndTest {


    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(value = OperatorFaults.Stage.class, names = {"ENCODE", "SHARD_WRITE"})
    void anOperatorFailingOnceMidStreamLosesAndDuplicatesNothing(OperatorFaults.Stage stage)
            throws Exception {
        Map<String, DeadLetterReason> bad = BadImages.writeInto(work.resolve("bad"), E2eImages.photos().get(0));
        FailOnce failure = FailOnce.once(stage, 120);
        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            int sent;
            try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                    stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
                ImageIngest.Report report = producer.send(List.of(E2eImages.PHOTOS, work.resolve("bad")), null, Instant.now(),
                        Duration.ofSeconds(1));
                assertThat(report.failed()).isEmpty();
                sent = report.sent();
            }
            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                    .model(ModelLocation.DEFAULT)
                    .resolution(64)
                    .batchSize(16)
                    .checkpointInterval(Duration.ofMillis(500))
                    .bounded(true)
                    .restartPolicy(RestartPolicy.fixedDelay(3, Duration.ofMillis(200)))
                    .faults(failure)
                    .build();

            EncodeJob.onKafka(settings).runToCompletion(stack.flink().environment());

            assertThat(failure.hasFired()).as("the injected failure fired").isTrue();
            List<String> goodIds = E2eImages.photos().stream().map(f -> E2eImages.id("photos", f)).toList();
            assertThat(sent).isEqualTo(goodIds.size() + bad.size());
            try (CommittedTopicReader reader = new CommittedTopicReader(stack.kafka().bootstrapServers())) {
                List<LatentRecord> latents = reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class));
                assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(goodIds);

                List<DeadLetter> deadLetters =
                        reader.readFrom(Topics.DEAD_LETTERS, Map.of(), AvroCodec.of(DeadLetter.class));
                Map<String, DeadLetterReason> reasons = deadLetters.stream().collect(Collectors.toMap(
                        d -> E2eImages.fileName(d.getImageId()), DeadLetter::getReason));
                assertThat(deadLetters).hasSize(bad.size());
                assertThat(reasons).isEqualTo(bad);

                Map<String, Integer> membersByName = new HashMap<>();
                for (Path shard : ShardReader.shardFiles(work.resolve("state/s3/latentflow/latents"))) {
                    ShardReader.members(Files.readAllBytes(shard)).keySet()
                            .forEach(member -> membersByName.merge(member, 1, Integer::sum));
                }
                assertThat(membersByName.values()).as("no member written twice").containsOnly(1);
                for (LatentRecord latent : latents) {
                    assertThat(membersByName).containsKey(latent.getMember());
                }
                assertThat(membersByName).hasSize(2 * goodIds.size());

                List<ShardCommitted> announced = reader.readFrom(Topics.SHARDS, Map.of(),
                        AvroCodec.of(ShardCommitted.class));
                assertThat(announced).as("every shard announced once").extracting(ShardCommitted::getShardUri)
                        .doesNotHaveDuplicates()
                        .hasSize(ShardReader.shardFiles(work.resolve("state/s3/latentflow/latents")).size());
                assertThat(announced.stream().flatMap(shard -> shard.getImageIds().stream()))
                        .containsExactlyInAnyOrderElementsOf(goodIds);
            }
        }
    }
}

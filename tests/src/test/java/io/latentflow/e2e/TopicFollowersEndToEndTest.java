package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.connections.S3Settings;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.FailOnce;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.RestartPolicy;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a downstream consumer does while the unbounded encode job runs and fails over once mid-stream: one follows
 * {@code latents} (read_committed) and decodes every latent from its record alone; another follows {@code shards}
 * and opens every shard the moment it is listed, which must hold exactly the images the record lists. Shards roll
 * every second or so, so several are committed (some spanning checkpoints) before and after the failure.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TopicFollowersEndToEndTest {

    private static final int IMAGES = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    /** What the shards follower found when it opened a listed shard. */
    private record OpenedShard(ShardCommitted record, Map<String, byte[]> members, List<String> imageIds,
                               long bytes, String sha256) {
    }

    @Test
    void everyCommittedLatentDecodesFromItsRecordAndEveryListedShardOpensAtOnceWithExactlyItsMembers()
            throws Exception {
        List<Path> photos = E2eImages.photos().subList(0, IMAGES);
        // two bursts, more than a shard's age apart: several shards whatever the machine's speed
        Path firstBurst = E2eImages.copies(photos.subList(0, IMAGES / 2), work.resolve("burst-1"));
        Path secondBurst = E2eImages.copies(photos.subList(IMAGES / 2, IMAGES), work.resolve("burst-2"));
        FailOnce failure = FailOnce.once(
                OperatorFaults.Stage.SHARD_WRITE, IMAGES / 2);
        List<LatentRecord> latents = new CopyOnWriteArrayList<>();
        List<OpenedShard> shards = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService followers = Executors.newFixedThreadPool(2);
        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            String kafka = stack.kafka().bootstrapServers();
            S3Settings s3 = stack.s3().settings();
            MinioClient client = s3.newClient();
            AvroCodec<LatentRecord> latentCodec = AvroCodec.of(LatentRecord.class);
            AvroCodec<ShardCommitted> shardCodec = AvroCodec.of(ShardCommitted.class);
            followers.submit(() -> follow(kafka, Topics.LATENTS, stop, problems, value -> {
                LatentRecord latent = decode(latentCodec, value);
                ShardReader.Latent decoded = ShardReader.float16Npy(bytes(latent.getLatentNpy()));
                if (!List.of(decoded.channels(), decoded.height(), decoded.width()).equals(latent.getShape())) {
                    problems.add(latent.getImageId() + ": record shape " + latent.getShape() + ", npy "
                            + decoded.channels() + "x" + decoded.height() + "x" + decoded.width());
                }
                latents.add(latent);
            }));
            followers.submit(() -> follow(kafka, Topics.SHARDS, stop, problems, value -> {
                ShardCommitted shard = decode(shardCodec, value);
                shards.add(open(client, s3, shard)); // at once: the record says the object is readable
            }));

            EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), s3)
                    .model(ModelLocation.DEFAULT).resolution(64).batchSize(8)
                    .checkpointInterval(Duration.ofMillis(500))
                    .maxShardAge(Duration.ofSeconds(1))
                    .restartPolicy(RestartPolicy.fixedDelay(3, Duration.ofMillis(200)))
                    .faults(failure)
                    .build();
            JobClient job = EncodeJob.onKafka(settings).start(stack.flink().environment());
            try {
                try (ImageIngest producer = new ImageIngest(stack.kafka().settings(), Topics.IMAGES, s3,
                        ImageIngest.Limits.DEFAULTS)) {
                    assertThat(producer.send(List.of(firstBurst), "photos", Instant.now(), Duration.ofMillis(300))
                            .failed()).isEmpty();
                    await().atMost(Duration.ofMinutes(2)).until(() -> latents.size() >= IMAGES / 4);
                    Thread.sleep(2_500);
                    assertThat(producer.send(List.of(secondBurst), "photos", Instant.now(), Duration.ofMillis(300))
                            .failed()).isEmpty();
                }
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() ->
                        !problems.isEmpty() || latents.size() >= IMAGES
                                && shards.stream().mapToInt(s -> s.record().getMembers()).sum() >= IMAGES);
            } finally {
                stop.set(true);
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        } finally {
            stop.set(true);
            followers.shutdown();
            followers.awaitTermination(30, TimeUnit.SECONDS);
        }

        assertThat(problems).isEmpty();
        assertThat(failure.hasFired()).as("the job failed over once").isTrue();
        List<String> expected = photos.stream().map(f -> E2eImages.id("photos", f)).toList();
        assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(shards).as("several shards, rolled by age").hasSizeGreaterThan(1);
        List<String> listed = new ArrayList<>();
        Map<String, byte[]> memberBytes = new ConcurrentHashMap<>();
        for (OpenedShard shard : shards) {
            ShardCommitted record = shard.record();
            assertThat(record.getImageIdsComplete()).isTrue();
            assertThat(shard.imageIds()).as(record.getShardUri()).containsExactlyElementsOf(record.getImageIds());
            assertThat(shard.members()).hasSize(2 * record.getMembers());
            assertThat(shard.bytes()).isEqualTo(record.getBytes());
            assertThat(shard.sha256()).isEqualTo(record.getSha256());
            listed.addAll(record.getImageIds());
            shard.members().forEach((name, content) -> memberBytes.put(record.getShardUri() + "#" + name, content));
        }
        assertThat(listed).as("every image in exactly one announced shard").containsExactlyInAnyOrderElementsOf(expected);
        for (LatentRecord latent : latents) {
            assertThat(latent.getLatentInStorageOnly()).isFalse();
            assertThat(latent.getLatentSpace()).matches("ls-[0-9a-f]{16}");
            assertThat(bytes(latent.getLatentNpy())).as("%s: inline bytes are the shard member's", latent.getImageId())
                    .isEqualTo(memberBytes.get(latent.getShardUri() + "#" + latent.getMember()));
        }
    }

    /** Reads {@code topic} read_committed from the beginning until {@code stop}; a failure is recorded, not thrown. */
    private static void follow(String kafka, String topic, AtomicBoolean stop, List<String> problems,
                               ThrowingConsumer onValue) {
        Properties config = new Properties();
        config.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        config.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    onValue.accept(record.value());
                }
            }
        } catch (Exception | AssertionError e) {
            problems.add("following " + topic + ": " + e);
        }
    }

    private interface ThrowingConsumer {
        void accept(byte[] value) throws Exception;
    }

    private static OpenedShard open(MinioClient client, S3Settings s3, ShardCommitted shard) throws Exception {
        String key = shard.getShardUri().substring(("s3://" + s3.bucket() + "/").length());
        byte[] tar;
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(s3.bucket()).object(key).build())) {
            tar = in.readAllBytes();
        }
        Map<String, byte[]> members = ShardReader.members(tar);
        List<String> imageIds = new ArrayList<>();
        for (Map.Entry<String, byte[]> member : members.entrySet()) {
            if (member.getKey().endsWith(".json")) {
                imageIds.add(JSON.readTree(member.getValue()).get("imageId").asText());
            }
        }
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar));
        return new OpenedShard(shard, members, imageIds, tar.length, sha256);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T decode(AvroCodec<T> codec, byte[] value)
            throws Exception {
        return codec.decode(value);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            throw new AssertionError("the record carries no latent");
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}

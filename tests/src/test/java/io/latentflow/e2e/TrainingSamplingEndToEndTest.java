package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.FailOnce;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.RestartPolicy;
import io.latentflow.jobs.sampling.SamplingSettings;
import io.latentflow.registry.samples.TrainingSampleLayout;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.Topics;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encode job samples its images for fine-tuning: per source and event-time window at most the configured number,
 * per source and event-time hour at most its budget,
 * an image sent twice sampled once, each with where it came from, as lossless model inputs; and a second run over the
 * same images (a replay, with a failure on the way) writes the very same shards, so none is ever doubled.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TrainingSamplingEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_SOURCE = 3;
    /** Less than the windows would take (2 windows of beta, 4 of alpha, 3 each): the hour's budget binds. */
    private static final int PER_SOURCE_PER_HOUR = 5;
    private static final int RESOLUTION = 64;

    @TempDir
    Path work;

    @Test
    void samplesArePerSourceAndWindowDistinctTraceableAndTheSameOnEveryRun() throws Exception {
        List<Path> photos = E2eImages.photos();
        Path alpha = E2eImages.copies(photos.subList(0, 20), work.resolve("alpha"));
        Path beta = E2eImages.copies(photos.subList(20, 40), work.resolve("beta"));
        // the same pixels under other ids (other names: the same name, source and pixels would be the same image,
        // which the job keeps once)
        Path again = Files.createDirectories(work.resolve("again"));
        for (Path photo : photos.subList(0, 20)) {
            Files.copy(photo, again.resolve("again-" + photo.getFileName()));
        }

        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            Instant start = Instant.parse("2026-11-30T10:00:00Z");
            try (ImageIngest ingest = new ImageIngest(stack.kafka().settings(), Topics.IMAGES,
                    stack.s3().settings(), ImageIngest.Limits.DEFAULTS)) {
                ingest.send(List.of(alpha), "alpha", start, Duration.ofMillis(100));
                ingest.send(List.of(beta), "beta", start, Duration.ofMillis(100));
                ingest.send(List.of(again), "alpha", start.plusSeconds(2), Duration.ofMillis(100));
            }
            run(stack, "first", FailOnce.once(OperatorFaults.Stage.ENCODE, 24));
            Map<String, byte[]> first = shards(stack);

            List<JsonNode> samples = new ArrayList<>();
            Set<String> hashes = new HashSet<>();
            for (Map.Entry<String, byte[]> shard : first.entrySet()) {
                Map<String, byte[]> members = ShardReader.members(shard.getValue());
                assertThat(members).as("%s: an image and its metadata per sample, at most %d samples",
                        shard.getKey(), PER_SOURCE).hasSizeBetween(2, 2 * PER_SOURCE);
                for (Map.Entry<String, byte[]> member : members.entrySet()) {
                    if (member.getKey().endsWith(TrainingSampleLayout.METADATA_SUFFIX)) {
                        JsonNode sample = JSON.readTree(member.getValue());
                        samples.add(sample);
                        assertThat(hashes.add(sample.get("contentSha256").asText()))
                                .as("an image sent twice is sampled once: %s", sample).isTrue();
                        assertThat(shard.getKey()).contains("-" + sample.get("source").asText() + "_");
                    } else {
                        BufferedImage image = ImageIO.read(new ByteArrayInputStream(member.getValue()));
                        assertThat(image.getWidth()).isEqualTo(RESOLUTION);
                        assertThat(image.getHeight()).isEqualTo(RESOLUTION);
                    }
                }
            }
            assertThat(first.keySet()).allMatch(key -> key.startsWith("training-samples/dt=2026-11-30/part-"));
            // 2 s of alpha, 2 s of beta, 2 s more of alpha (its first 2 s again): 1 s windows, 3 per window, and 5
            // per source in the hour
            assertThat(samples).filteredOn(s -> s.get("source").asText().equals("beta")).hasSize(PER_SOURCE_PER_HOUR);
            assertThat(samples).filteredOn(s -> s.get("source").asText().equals("alpha"))
                    .hasSize(PER_SOURCE_PER_HOUR);
            assertThat(new TrainingSampleStore(stack.s3().settings()).availableSince(start))
                    .isEqualTo(Map.of("alpha", PER_SOURCE_PER_HOUR, "beta", PER_SOURCE_PER_HOUR));
            for (JsonNode sample : samples) {
                assertThat(sample.get("topic").asText()).isEqualTo(Topics.IMAGES);
                assertThat(sample.get("offset").asLong()).isNotNegative();
                assertThat(sample.has("partition")).isTrue();
                assertThat(Instant.parse(sample.get("eventTime").asText())).isBetween(start, start.plusSeconds(5));
            }

            // read back for a fine-tune: the images as PNG files, with the offsets they came from
            TrainingSampleStore.Samples unpacked = new TrainingSampleStore(stack.s3().settings())
                    .download(start, start.plusSeconds(60), work.resolve("unpacked"));
            assertThat(unpacked.shards()).isEqualTo(first.size());
            assertThat(unpacked.images()).hasSizeBetween(samples.size() - PER_SOURCE, samples.size())
                    .allMatch(file -> file.getFileName().toString().endsWith(".png"));
            assertThat(unpacked.offsets()).isNotEmpty().allSatisfy((partition, range) -> {
                assertThat(partition).startsWith(Topics.IMAGES + "-");
                assertThat(range[0]).isLessThanOrEqualTo(range[1]);
            });
            assertThat(new TrainingSampleStore(stack.s3().settings())
                    .download(start.plusSeconds(60), start.plusSeconds(120), work.resolve("none")).images()).isEmpty();

            run(stack, "second", null);
            Map<String, byte[]> second = shards(stack);
            assertThat(second.keySet()).containsExactlyInAnyOrderElementsOf(first.keySet());
            first.forEach((key, bytes) -> assertThat(second.get(key)).as(key).isEqualTo(bytes));
        }
    }

    /** One bounded run of the encode job over every image, as its own consumer group. */
    private static void run(LocalStack stack, String name, FailOnce failure) throws Exception {
        EncodeJobSettings settings = EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                .model(ModelLocation.DEFAULT).resolution(RESOLUTION).batchSize(8)
                .checkpointInterval(Duration.ofMillis(500))
                .bounded(true).consumerGroup("sampling-" + name).transactionalIdPrefix("sampling-" + name)
                .restartPolicy(RestartPolicy.fixedDelay(3, Duration.ofMillis(200)))
                .faults(failure != null ? failure : OperatorFaults.NONE)
                .sampling(new SamplingSettings(Duration.ofSeconds(1), PER_SOURCE, SamplingSettings.DEFAULT_REMEMBER_FOR,
                        PER_SOURCE_PER_HOUR, SamplingSettings.DEFAULT_MAX_STORED_BYTES))
                .build();
        EncodeJob.onKafka(settings).runToCompletion(stack.flink().environment());
        if (failure != null) {
            assertThat(failure.hasFired()).as("the injected failure fired").isTrue();
        }
    }

    private static Map<String, byte[]> shards(LocalStack stack) throws Exception {
        MinioClient client = stack.s3().settings().newClient();
        String bucket = stack.s3().settings().bucket();
        Map<String, byte[]> shards = new LinkedHashMap<>();
        for (var item : client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                .prefix(TrainingSampleLayout.ROOT).recursive(true).build())) {
            String key = item.get().objectName();
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                shards.put(key, in.readAllBytes());
            }
        }
        return shards;
    }
}

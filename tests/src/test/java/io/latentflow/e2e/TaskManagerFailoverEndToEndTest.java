package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.cli.stack.ClusterClasspath;
import io.latentflow.connections.S3Settings;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.StandaloneFlinkCluster;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real multi-process Flink cluster (one JobManager, two TaskManagers of one slot): {@code demo
 * --flink} streams the sample photos twice over (480 images, so the job outlives its first checkpoints however fast
 * the machine is), and while the job runs the TaskManager running it is killed with SIGKILL. The
 * job restarts on the surviving TaskManager from its last checkpoint and finishes; the summary, the committed latents
 * and the shards hold every image exactly once, each shard announced once on the shards topic with exactly its
 * images.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TaskManagerFailoverEndToEndTest {

    private static final Path HOME = Path.of(System.getProperty("latentflow.home"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aTaskManagerKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
        Path again = E2eImages.copies(E2eImages.photos(), work.resolve("again"));
        ExecutorService demoThread = Executors.newSingleThreadExecutor();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             StandaloneFlinkCluster cluster = StandaloneFlinkCluster.start(work.resolve("cluster"), 2, 1,
                     ClusterClasspath.of(HOME), Duration.ofMinutes(2))) {
            Future<JsonNode> demo = demoThread.submit(() -> demo(kafka, s3.settings(), cluster.restAddress(), again));

            // Kill the TaskManager that runs the job once a checkpoint has committed part of the stream.
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() ->
                    completedCheckpoints(http, cluster.restAddress()) >= 1 || demo.isDone());
            assertThat(demo.isDone()).as("the job was still running when the TaskManager was to be killed; the demo"
                    + " ended with %s", demo.isDone() ? demo.get() : "").isFalse();
            int busy = busyTaskManager(cluster);
            long victim = cluster.taskManagerPids().get(busy);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL on Linux
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(victim).isEmpty()
                    || !ProcessHandle.of(victim).get().isAlive());

            JsonNode summary = demo.get(6, TimeUnit.MINUTES);
            long photos = 2L * E2eImages.photos().size();
            assertThat(summary.get("imagesIn").asLong()).isEqualTo(photos);
            assertThat(summary.get("latentsWritten").asLong()).isEqualTo(photos);
            assertThat(summary.get("deadLettered").asLong()).isZero();
            assertThat(jobRestarts(http, cluster.restAddress())).as("the job failed over at least once").isPositive();
            assertThat(ProcessHandle.of(cluster.taskManagerPids().get(1 - busy)).orElseThrow().isAlive())
                    .as("the job finished on the surviving TaskManager").isTrue();

            try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
                List<LatentRecord> latents = reader.readFrom(Topics.LATENTS, Map.of(),
                        AvroCodec.of(LatentRecord.class));
                List<String> expected = new java.util.ArrayList<>();
                for (Path photo : E2eImages.photos()) {
                    expected.add(E2eImages.id("photos", photo));
                    expected.add(E2eImages.id("again", photo));
                }
                assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(expected);
                Map<String, Map<String, byte[]>> shards = storedShards(s3.settings());
                Map<String, Integer> members = shardMembers(shards);
                assertThat(members.values()).as("no shard member written twice").containsOnly(1);
                assertThat(members).hasSize(2 * expected.size());
                latents.forEach(latent -> assertThat(members).containsKey(latent.getMember()));

                // every shard in storage announced once on the shards topic, listing exactly its images
                List<ShardCommitted> announced = reader.readFrom(Topics.SHARDS, Map.of(),
                        AvroCodec.of(ShardCommitted.class));
                Map<String, List<String>> stored = shardImageIds(shards);
                assertThat(announced).extracting(ShardCommitted::getShardUri).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(stored.keySet());
                for (ShardCommitted shard : announced) {
                    assertThat(shard.getImageIds()).as(shard.getShardUri())
                            .containsExactlyElementsOf(stored.get(shard.getShardUri()));
                }
            }
        } finally {
            demoThread.shutdownNow();
        }
    }

    /** {@code ./latentflow demo --flink REST} on the test's Kafka and S3, over the sample photos. */
    private JsonNode demo(EmbeddedKafka kafka, S3Settings s3, String flinkRest, Path again) throws Exception {
        Path secret = Files.writeString(work.resolve("s3-secret"), s3.secretKey());
        return LatentflowCli.json("demo", "--flink", flinkRest, "--kafka", kafka.bootstrapServers(),
                "--s3-endpoint", s3.endpoint(), "--s3-access-key", s3.accessKey(),
                "--s3-secret-key-file", secret.toString(), "--bucket", s3.bucket(),
                "--state-dir", work.resolve("state").toString(), "--images", E2eImages.PHOTOS.toString(),
                "--images", again.toString(), "--no-dashboard", "--json");
    }

    private static Optional<String> runningJob(HttpClient http, String rest) throws Exception {
        for (JsonNode job : get(http, rest + "/jobs/overview").get("jobs")) {
            if (!job.get("state").asText().equals("FINISHED")) {
                return Optional.of(job.get("jid").asText());
            }
        }
        return Optional.empty();
    }

    private static long completedCheckpoints(HttpClient http, String rest) throws Exception {
        Optional<String> job = runningJob(http, rest);
        if (job.isEmpty()) {
            return 0;
        }
        JsonNode counts = get(http, rest + "/jobs/" + job.get() + "/checkpoints").path("counts");
        return counts.path("completed").asLong(0);
    }

    /** Failures the job recovered from, from its exception history. */
    private static long jobRestarts(HttpClient http, String rest) throws Exception {
        String job = get(http, rest + "/jobs/overview").get("jobs").get(0).get("jid").asText();
        return get(http, rest + "/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    /** Which of the cluster's TaskManagers took the job's tasks: the one whose log shows them deployed. */
    private static int busyTaskManager(StandaloneFlinkCluster cluster) throws Exception {
        for (int i = 0; i < cluster.taskManagerPids().size(); i++) {
            String log = Files.readString(cluster.home().resolve("log").resolve("taskmanager-" + i + ".log"));
            if (log.contains("Received task")) {
                return i;
            }
        }
        throw new AssertionError("no TaskManager log shows a deployed task");
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** Every latent shard in the bucket: its uri to its members, in archive order. */
    private static Map<String, Map<String, byte[]>> storedShards(S3Settings s3) throws Exception {
        MinioClient client = s3.newClient();
        Map<String, Map<String, byte[]>> shards = new HashMap<>();
        for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(s3.bucket())
                .prefix("latents/").recursive(true).build())) {
            String key = result.get().objectName();
            if (!key.endsWith(".tar")) {
                continue;
            }
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(s3.bucket()).object(key).build())) {
                shards.put(s3.uri(key), ShardReader.members(in.readAllBytes()));
            }
        }
        return shards;
    }

    /** How many times each member name stands in the stored shards. */
    private static Map<String, Integer> shardMembers(Map<String, Map<String, byte[]>> shards) {
        Map<String, Integer> members = new HashMap<>();
        shards.values().forEach(shard -> shard.keySet().forEach(m -> members.merge(m, 1, Integer::sum)));
        return members;
    }

    /** Shard uri to the image ids of its samples (from each {@code <key>.json}), in archive order. */
    private static Map<String, List<String>> shardImageIds(Map<String, Map<String, byte[]>> shards) throws Exception {
        Map<String, List<String>> ids = new HashMap<>();
        for (Map.Entry<String, Map<String, byte[]>> shard : shards.entrySet()) {
            List<String> shardIds = new java.util.ArrayList<>();
            for (Map.Entry<String, byte[]> member : shard.getValue().entrySet()) {
                if (member.getKey().endsWith(".json")) {
                    shardIds.add(JSON.readTree(member.getValue()).get("imageId").asText());
                }
            }
            ids.put(shard.getKey(), shardIds);
        }
        return ids;
    }
}

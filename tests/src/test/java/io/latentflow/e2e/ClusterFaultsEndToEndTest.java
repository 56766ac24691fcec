package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.bench.support.ExactlyOnceCheck;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a cluster of separate processes ({@code cluster up --with-kafka --with-s3 --ha}, {@code run
 * --cluster}): while it encodes, the Kafka broker, the S3 server and the JobManager are each killed with SIGKILL and
 * brought back with {@code cluster restart}. The job recovers each time (the JobManager's through ZooKeeper HA: the
 * same job, from its last checkpoint), and in the end the committed {@code latents} topic and the shard files in the
 * S3 server's folder hold every ingested image exactly once.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ClusterFaultsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 40;

    @TempDir
    Path work;

    @Test
    void theBrokerTheS3ServerAndTheJobManagerKilledInTurnLoseAndDuplicateNothing() throws Exception {
        List<Path> photos = E2eImages.photos().subList(0, 3 * CHUNK);
        List<String> sources = List.of("before-kafka", "before-s3", "after-jobmanager");
        Path state = work.resolve("state");
        Process cluster = ServiceProcess.launchCli(work, "cluster", List.of("cluster", "up", "--with-kafka",
                "--with-s3", "--ha", "--taskmanagers", "1", "--slots", "2", "--state-dir", state.toString()));
        Process service = null;
        try {
            JsonNode started = awaitClusterFile(cluster, state);
            assertThat(started.get("ha").asBoolean()).isTrue();
            service = ServiceProcess.start(work, state, "service", "--cluster", "--no-training", "--no-sampling");
            String jobId = JSON.readTree(state.resolve("service.json").toFile()).get("jobId").asText();

            ingest(photos.subList(0, CHUNK), sources.get(0), state);
            awaitLatents(started, CHUNK);
            killAndRestart(state, "kafka", started.get("kafka").get("pid").asLong(), Duration.ZERO);

            // the S3 server dies while the second chunk is encoded, and stays down for a while
            ingest(photos.subList(CHUNK, 2 * CHUNK), sources.get(1), state);
            killAndRestart(state, "s3", clusterFile(state).get("s3").get("pid").asLong(), Duration.ofSeconds(10));
            awaitLatents(started, 2 * CHUNK);

            killAndRestart(state, "jobmanager", clusterFile(state).get("jobmanagerPids").get(0).asLong(),
                    Duration.ZERO);
            ingest(photos.subList(2 * CHUNK, 3 * CHUNK), sources.get(2), state);
            List<LatentRecord> latents = awaitLatents(started, 3 * CHUNK);
            assertThat(runningJobs(started.get("rest").asText())).as("the JobManager started again recovered the"
                    + " service's job from ZooKeeper").containsExactly(jobId);

            List<String> expected = new ArrayList<>();
            for (int chunk = 0; chunk < 3; chunk++) {
                for (Path photo : photos.subList(chunk * CHUNK, (chunk + 1) * CHUNK)) {
                    expected.add(E2eImages.id(sources.get(chunk), photo));
                }
            }
            assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(expected);
            // a shard file is committed just after the latents naming it: the stop's savepoint completes every commit
            ServiceProcess.stop(service);
            service = null;
            Path bucket = Path.of(started.get("s3").get("dataDir").asText()).resolve("latentflow");
            ExactlyOnceCheck check = ExactlyOnceCheck.of(started.get("kafka").get("bootstrap").asText(), bucket,
                    expected);
            assertThat(check.passed()).as("every image once in the latents topic and the shard files under %s: %s",
                    bucket, check.toJson()).isTrue();
        } finally {
            if (service != null) {
                ServiceProcess.stop(service);
            }
            LatentflowCli.run("cluster", "down", "--state-dir", state.toString());
            cluster.destroy();
            cluster.waitFor(1, TimeUnit.MINUTES);
        }
    }

    /** SIGKILL of the part's process, {@code down} of waiting, then {@code cluster restart PART}. */
    private static void killAndRestart(Path state, String part, long pid, Duration down) throws Exception {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
        Thread.sleep(down.toMillis());
        JsonNode restarted = LatentflowCli.json("cluster", "restart", part, "--state-dir", state.toString(), "--json");
        assertThat(restarted.get("startedPids")).as("cluster restart %s started a new process", part).hasSize(1);
    }

    private static JsonNode awaitClusterFile(Process cluster, Path state) throws java.io.IOException {
        Path file = state.resolve("cluster").resolve("cluster.json");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(cluster.isAlive()).as("cluster up exited; see %s", state.resolve("cluster/log")).isTrue();
            return Files.isRegularFile(file);
        });
        return clusterFile(state);
    }

    private static JsonNode clusterFile(Path state) throws java.io.IOException {
        return JSON.readTree(state.resolve("cluster").resolve("cluster.json").toFile());
    }

    private void ingest(List<Path> photos, String source, Path state) throws Exception {
        Path folder = E2eImages.copies(photos, work.resolve(source));
        JsonNode sent = LatentflowCli.json("ingest", folder.toString(), "--state-dir", state.toString(), "--json");
        assertThat(sent.get("failed")).isEmpty();
    }

    /** Waits (5 minutes at most: each recovery restarts the job) until {@code latents} holds {@code count} records. */
    private static List<LatentRecord> awaitLatents(JsonNode cluster, int count) {
        String kafka = cluster.get("kafka").get("bootstrap").asText();
        List<List<LatentRecord>> latest = new ArrayList<>(List.of(List.of()));
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka)) {
                latest.set(0, reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class)));
            }
            return latest.get(0).size() >= count;
        });
        return latest.get(0);
    }

    private static List<String> runningJobs(String rest) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(rest + "/jobs/overview")).build(), HttpResponse.BodyHandlers.ofString());
        List<String> running = new ArrayList<>();
        for (JsonNode job : JSON.readTree(response.body()).get("jobs")) {
            if (job.get("state").asText().equals("RUNNING")) {
                running.add(job.get("jid").asText());
            }
        }
        return running;
    }
}

package io.latentflow.e2e;

import static io.latentflow.e2e.LatentflowCli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.e2e.LatentflowCli.Run;
import io.latentflow.schemas.LatentRecord;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latentflow run} as a process, killed with SIGKILL mid-stream (what an OOM kill, a power cut or an evicted
 * container does), then run again: the second run resumes from the first one's last completed checkpoint, and every
 * image ends exactly once in the shards on disk and on the committed {@code latents} topic, each record naming the
 * object and member that hold its own latent. On the way: a second {@code run} on the live folder is refused at once
 * and the first keeps serving; {@code status} against the dead service's {@code service.json} says it is not running.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ServiceCrashEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aServiceKilledWithSigkillResumesFromItsLastCheckpointAndEveryImageEndsExactlyOnce() throws Exception {
        List<Path> photos = E2eImages.photos().subList(0, 40);
        Path before = E2eImages.copies(photos.subList(0, 16), work.resolve("before"));
        Path during = E2eImages.copies(photos.subList(16, 24), work.resolve("during"));
        Path after = E2eImages.copies(photos.subList(24, 40), work.resolve("after"));
        Path state = work.resolve("state");

        Process first = ServiceProcess.start(work, state, "run-1", "--no-training");
        try {
            ingest(before, state);
            awaitLatents(state, 16);

            // a second service on the same folder: refused at once, before it touches the first one's files
            Process second = ServiceProcess.launch(work, state, "run-2-refused", "run", "--no-training");
            assertThat(second.waitFor(1, TimeUnit.MINUTES)).as("the second run exits at once").isTrue();
            assertThat(second.exitValue()).isNotZero();
            assertThat(Files.readString(work.resolve("run-2-refused.out")))
                    .contains("a service already runs from", "pid " + first.pid(), "stop it first, or use --state-dir");
            // ... and the first one still encodes
            ingest(during, state);
            awaitLatents(state, 24);
        } finally {
            first.destroyForcibly(); // SIGKILL of the java process itself: no shutdown hook, no savepoint
            first.waitFor(1, TimeUnit.MINUTES);
        }
        assertThat(state.resolve("service.json")).as("a killed service leaves its file").isRegularFile();
        Run status = run("status", "--state-dir", state.toString(), "--json");
        assertThat(status.exit()).isNotZero();
        assertThat(status.err()).contains("the service is not running (stale").contains("pid " + first.pid());
        Run ingest = run("ingest", after.toString(), "--state-dir", state.toString(), "--json");
        assertThat(ingest.exit()).isNotZero();
        assertThat(ingest.err()).contains("the service is not running (stale");

        Process restarted = ServiceProcess.start(work, state, "run-3", "--no-training");
        List<LatentRecord> latents;
        try {
            assertThat(Files.readString(work.resolve("run-3.out")))
                    .containsPattern("resuming from checkpoint chk-\\d+ of job [0-9a-f]+ taken at ");
            assertThat(Files.readString(work.resolve("run-3.out"))).contains("taking over")
                    .contains("from pid " + first.pid());
            ingest(after, state);
            latents = awaitLatents(state, 40);
            JsonNode resumed = LatentflowCli.json("status", "--state-dir", state.toString(), "--json");
            assertThat(resumed.get("orphanedStaging").get("objects").asLong())
                    .as("the killed job's staged shards are committed or deleted by the resumed one").isZero();
        } finally {
            ServiceProcess.stop(restarted);
        }
        assertThat(Files.readString(work.resolve("run-3.out"))).contains("stopped; savepoint");

        List<String> expected = new ArrayList<>();
        photos.subList(0, 16).forEach(p -> expected.add(E2eImages.id("before", p)));
        photos.subList(16, 24).forEach(p -> expected.add(E2eImages.id("during", p)));
        photos.subList(24, 40).forEach(p -> expected.add(E2eImages.id("after", p)));
        assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(expected);

        // the shards in the embedded store's folder: every image once, by id and by the latent's content
        Path bucket = state.resolve("s3").resolve("latentflow");
        List<String> imageIds = new ArrayList<>();
        List<String> latentHashes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(bucket.resolve("latents"))) {
            for (Path shard : files.filter(f -> f.toString().endsWith(".tar")).toList()) {
                for (Map.Entry<String, byte[]> member : ShardReader.members(Files.readAllBytes(shard)).entrySet()) {
                    if (member.getKey().endsWith(".json")) {
                        imageIds.add(JSON.readTree(member.getValue()).get("imageId").asText());
                    } else if (member.getKey().endsWith(".latent.npy")) {
                        latentHashes.add(sha256(member.getValue()));
                    }
                }
            }
        }
        assertThat(imageIds).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(latentHashes).hasSize(expected.size()).doesNotHaveDuplicates();

        // every committed record names an object and a member that hold its own image
        for (LatentRecord record : latents) {
            URI shardUri = URI.create(record.getShardUri());
            Path shard = bucket.resolve(shardUri.getPath().substring(1));
            assertThat(shard).as("the object %s named by %s", shardUri, record.getImageId()).isRegularFile();
            Map<String, byte[]> members = ShardReader.members(Files.readAllBytes(shard));
            assertThat(members).containsKey(record.getMember());
            String metadata = record.getMember().replaceFirst("\\.latent\\.npy$", ".json");
            assertThat(JSON.readTree(members.get(metadata)).get("imageId").asText()).isEqualTo(record.getImageId());
        }
    }

    private static void ingest(Path folder, Path state) throws Exception {
        JsonNode sent = LatentflowCli.json("ingest", folder.toString(), "--state-dir", state.toString(), "--json");
        assertThat(sent.get("failed")).isEmpty();
    }

    private static List<LatentRecord> awaitLatents(Path state, int count) throws Exception {
        List<LatentRecord> latents = ServiceProcess.awaitLatents(state, count);
        assertThat(latents).hasSize(count);
        return latents;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.schemas.LatentRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latentflow run} as a process, stopped with SIGTERM the way systemd, Docker and Kubernetes stop it, then run
 * again: the second run resumes from the first one's savepoint, and photos ingested into each run end as exactly one
 * latent each; a version published and promoted during the second run encodes the photos after it, with no restart.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ServiceRestartEndToEndTest {


    @TempDir
    Path work;

    @Test
    void aServiceStoppedWithSigtermResumesFromItsSavepointLosingAndDuplicatingNothing() throws Exception {
        List<Path> photos = E2eImages.photos().subList(0, 64);
        Path first = E2eImages.copies(photos.subList(0, 32), work.resolve("first"));
        Path second = E2eImages.copies(photos.subList(32, 64), work.resolve("second"));
        Path state = work.resolve("state");

        Process service = ServiceProcess.start(work, state, "run-1");
        try {
            JsonNode ingest = ingest(first, state);
            assertThat(ingest.get("sent").asInt()).isEqualTo(32);
            ServiceProcess.awaitLatents(state, 32);
        } finally {
            ServiceProcess.stop(service);
        }
        // 143 = 128 + SIGTERM: how the JVM reports a signal even after its shutdown hooks finished their work
        assertThat(service.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(Files.readString(work.resolve("run-1.out"))).contains("stopped; savepoint");
        assertThat(state.resolve("service").resolve("last-savepoint")).isRegularFile();
        assertThat(state.resolve("service.json")).doesNotExist();
        // the stop's savepoint rolled the open shard: the embedded object store on disk holds every latent once
        List<String> members = shardMembers(state);
        assertThat(members).doesNotHaveDuplicates().hasSize(2 * 32);
        assertThat(members).filteredOn(member -> member.endsWith(".latent.npy")).hasSize(32);

        service = ServiceProcess.start(work, state, "run-2");
        try {
            assertThat(Files.readString(work.resolve("run-2.out"))).contains("resumed from");
            // a second version published and promoted while the service runs: the photos after it take effect are
            // encoded by it, without a restart
            String next = "bounded-f8c8-restart00002";
            LatentflowCli.json("models", "publish", PublishedVersions.shippedAs(next, work.resolve(next)).toString(),
                    "--state-dir", state.toString(), "--json");
            Instant effective = Instant.parse(LatentflowCli.json("models", "promote", next, "--lead", "PT5S",
                    "--state-dir", state.toString(), "--json").get("effectiveFrom").asText());
            Thread.sleep(Math.max(0, effective.toEpochMilli() - System.currentTimeMillis()) + 100);
            ingest(second, state);
            List<LatentRecord> latents = ServiceProcess.awaitLatents(state, 64);
            assertThat(latents).filteredOn(latent -> latent.getImageId().startsWith("second/"))
                    .extracting(LatentRecord::getModelVersion).containsOnly(next);
            List<String> expected = new ArrayList<>();
            photos.subList(0, 32).forEach(p -> expected.add(E2eImages.id("first", p)));
            photos.subList(32, 64).forEach(p -> expected.add(E2eImages.id("second", p)));
            assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(expected);

            // the shard the stop's savepoint rolled is announced once, by the service that resumed from it
            List<String> firstRunIds = expected.subList(0, 32);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    announcedImageIds(state).containsAll(firstRunIds));
            assertThat(announcedImageIds(state)).doesNotHaveDuplicates();

            // status reads the same from the committed topics and the job's REST API
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    LatentflowCli.json("status", "--state-dir", state.toString(), "--json")
                            .get("consumerLag").asLong() == 0);
            JsonNode status = LatentflowCli.json("status", "--state-dir", state.toString(), "--json");
            assertThat(status.get("imagesIn").asLong()).isEqualTo(64);
            assertThat(status.get("servingVersion").asText()).isEqualTo(next);
            assertThat(status.get("latentsWritten").get(next).asLong()).isEqualTo(32);
            assertThat(status.get("latentsWritten").get(latents.get(0).getModelVersion()).asLong()).isEqualTo(32);
            assertThat(status.get("deadLettered").size()).isZero();
            assertThat(status.get("jobState").asText()).isEqualTo("RUNNING");
            assertThat(status.get("restarts").asInt()).isZero();
            assertThat(status.get("lastCheckpoint").get("id").asLong()).isPositive();
        } finally {
            ServiceProcess.stop(service);
        }
        assertThat(Files.readString(work.resolve("run-2.out"))).contains("stopped; savepoint");
    }

    /** The image ids of every shard {@code shards list} prints. */
    private static List<String> announcedImageIds(Path state) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode shard : LatentflowCli.json("shards", "list", "--state-dir", state.toString(), "--json")) {
            shard.get("imageIds").forEach(id -> ids.add(id.asText()));
        }
        return ids;
    }

    /** The members of every latent shard in the embedded object store's folder (S3Proxy keeps objects as files). */
    private static List<String> shardMembers(Path state) throws Exception {
        List<String> members = new ArrayList<>();
        try (Stream<Path> files = Files.walk(state.resolve("s3").resolve("latentflow").resolve("latents"))) {
            for (Path shard : files.filter(f -> f.toString().endsWith(".tar")).toList()) {
                members.addAll(ShardReader.members(Files.readAllBytes(shard)).keySet());
            }
        }
        return members;
    }

    private static JsonNode ingest(Path folder, Path state) throws Exception {
        return LatentflowCli.json("ingest", folder.toString(), "--state-dir", state.toString(), "--json");
    }
}

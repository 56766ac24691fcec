package io.latentflow.e2e;

import static io.latentflow.e2e.LatentflowCli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.e2e.LatentflowCli.Run;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.LocalStack;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latentflow replay} as a user runs it, on what {@code latentflow demo} streamed and persisted: two model
 * versions (the shipped default and a freshly trained one, published in the registry) over the whole images topic. Its figures agree with
 * {@code latentflow eval} on the same files; it commits no offsets and writes nothing unless asked to backfill; a
 * backfill run twice leaves each image's latent once; a range that cannot be replayed is refused before any job.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReplayEndToEndTest {

    private static final String RESOLUTION = "64";
    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");

    @TempDir
    Path work;

    @Test
    void replayComparesTwoVersionsAsEvalDoesAndBackfillsOnce() throws Exception {
        Path photos = Files.createDirectories(work.resolve("photos"));
        List<Path> samples = E2eImages.files(SAMPLES.resolve("photos"));
        for (int i = 0; i < samples.size() && i / 10 < 24; i += 10) {
            Files.copy(samples.get(i), photos.resolve(samples.get(i).getFileName()));
        }
        int images = E2eImages.files(photos).size();
        Path modelB = work.resolve("model-b");
        assertThat(run("train", "--images", photos.toString(), "--steps", "3", "--size", RESOLUTION, "--batch", "4",
                "--threads", "1", "--out", modelB.toString()).exit()).isZero();
        Path state = work.resolve("state");
        JsonNode demo = LatentflowCli.json("demo", "--images", photos.toString(), "--resolution", RESOLUTION,
                "--state-dir", state.toString(), "--no-dashboard", "--json");
        assertThat(demo.get("latentsWritten").asInt()).isEqualTo(images);
        JsonNode evalA = LatentflowCli.json("eval", "--model", "default", "--images", photos.toString(), "--size",
                RESOLUTION, "--json");
        JsonNode evalB = LatentflowCli.json("eval", "--model", modelB.toString(), "--images", photos.toString(),
                "--size", RESOLUTION, "--json");

        // B by its registry version, as after 'latentflow models publish': the replay downloads and verifies it.
        String versionB = evalB.get("modelVersion").asText();
        try (LocalStack stack = LocalStack.start(state, "latentflow");
             ModelRegistry registry = new ModelRegistry(stack.kafka().settings(), stack.s3().settings())) {
            assertThat(registry.publish(modelB)).isEqualTo(versionB);
        }

        Path reportDir = work.resolve("report");
        JsonNode replay = LatentflowCli.json(replay(state, photos, "--models", "default," + versionB, "--report",
                reportDir.toString()));

        assertThat(replay.get("images").asInt()).isEqualTo(images);
        assertThat(replay.get("records").asInt()).isEqualTo(images);
        assertThat(replay.get("models")).extracting(JsonNode::asText)
                .containsExactly(evalA.get("modelVersion").asText(), evalB.get("modelVersion").asText());
        assertThat(replay.get("psnr").get("A").asDouble()).as("same images, same preprocessing as eval")
                .isCloseTo(evalA.get("psnr").asDouble(), offset(0.05));
        assertThat(replay.get("psnr").get("B").asDouble()).isCloseTo(evalB.get("psnr").asDouble(), offset(0.05));
        assertThat(replay.get("ssim").get("A").asDouble()).isCloseTo(evalA.get("ssim").asDouble(), offset(0.001));
        assertThat(replay.get("ssim").get("B").asDouble()).isCloseTo(evalB.get("ssim").asDouble(), offset(0.001));
        JsonNode delta = replay.get("psnrDelta");
        assertThat(delta.get("mean").asDouble()).isCloseTo(
                replay.get("psnr").get("B").asDouble() - replay.get("psnr").get("A").asDouble(), offset(1e-9));
        assertThat(delta.get("ci95").get(0).asDouble()).isLessThanOrEqualTo(delta.get("mean").asDouble());
        assertThat(delta.get("ci95").get(1).asDouble()).isGreaterThanOrEqualTo(delta.get("mean").asDouble());
        int inWindows = 0;
        for (JsonNode window : replay.get("windows")) {
            inWindows += window.get("images").asInt();
            assertThat(window.get("drift").has("A")).isTrue();
            assertThat(window.get("drift").has("B")).isTrue();
            assertThat(window.get("psnrDelta").get("ci95")).hasSize(2);
        }
        assertThat(inWindows).isEqualTo(images);
        assertThat(replay.get("sources")).isNotEmpty();
        assertThat(replay.get("latent").get("B").get("channelStd")).hasSize(8);
        assertThat(replay.get("worst")).hasSize(8);
        JsonNode worst = replay.get("worst").get(0);
        assertThat(worst.get("psnrDelta").asDouble()).as("the worst first")
                .isLessThanOrEqualTo(replay.get("worst").get(7).get("psnrDelta").asDouble());

        String html = Files.readString(reportDir.resolve("report.html"));
        assertThat(html).contains("<svg", "<polygon", "data:image/png;base64,");
        assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
                .as("opens from disk with no network").doesNotContain("http://", "https://");
        assertThat(Files.readString(reportDir.resolve("report.json"))).contains("\"psnrDelta\"");

        // Backfill B's latents twice: the second run finds them all on the latents topic and adds nothing.
        JsonNode first = LatentflowCli.json(replay(state, photos, "--models", modelB.toString(), "--backfill"));
        JsonNode second = LatentflowCli.json(replay(state, photos, "--models", modelB.toString(), "--backfill"));
        assertThat(first.get("backfill").get("latentsWritten").asInt()).isEqualTo(images);
        assertThat(second.get("backfill").get("latentsWritten").asInt()).isZero();
        assertThat(second.get("backfill").get("alreadyPresent").asInt()).isEqualTo(images);

        List<String> shardMembers = shardImageIds(state.resolve("s3").resolve("latentflow").resolve("latents")
                .resolve("model=" + versionB));
        assertThat(shardMembers).hasSize(images).doesNotHaveDuplicates();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(state);
             CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
            List<LatentRecord> latents = reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class));
            Map<String, List<String>> idsByVersion = latents.stream().collect(Collectors.groupingBy(
                    LatentRecord::getModelVersion, Collectors.mapping(LatentRecord::getImageId, Collectors.toList())));
            assertThat(idsByVersion.get(versionB)).as("each image once, from the first backfill")
                    .hasSize(images).doesNotHaveDuplicates();
            assertThat(latents).as("the demo's and the backfill's, nothing from the plain replay").hasSize(2 * images);
            List<ShardCommitted> backfilled = reader.readFrom(Topics.SHARDS, Map.of(),
                    AvroCodec.of(ShardCommitted.class)).stream()
                    .filter(shard -> shard.getModelVersion().equals(versionB)).toList();
            assertThat(backfilled.stream().flatMap(shard -> shard.getImageIds().stream()))
                    .as("the backfill's shards announced, each image once")
                    .containsExactlyInAnyOrderElementsOf(idsByVersion.get(versionB));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                for (ConsumerGroupListing group : admin.listConsumerGroups().all().get()) {
                    if (group.groupId().startsWith("latentflow-replay")) {
                        assertThat(admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata()
                                .get()).as("a replay commits no offsets").isEmpty();
                    }
                }
            }
        }

        Run reversed = run(replay(state, photos, "--models", "default", "--from-offset", "0:5", "--to-offset",
                "0:3"));
        assertThat(reversed.exit()).isNotZero();
        assertThat(reversed.err()).contains("the end of the range is before its start").doesNotContain("Exception");
        Run unknownSource = run(replay(state, photos, "--models", "default", "--source", "no-such-source"));
        assertThat(unknownSource.exit()).isNotZero();
        assertThat(unknownSource.err()).contains("no image of source 'no-such-source'");
        Run empty = run(replay(state, photos, "--models", "default", "--from-offset", "0:2", "--to-offset", "0:2"));
        assertThat(empty.exit()).isNotZero();
        assertThat(empty.err()).contains("holds no record");
    }

    private static String[] replay(Path state, Path reference, String... more) {
        List<String> args = new ArrayList<>(List.of("replay", "--resolution", RESOLUTION, "--state-dir",
                state.toString(), "--reference-images", reference.toString(), "--json"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static List<String> shardImageIds(Path root) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path shard : files.filter(f -> f.toString().endsWith(".tar")).sorted().toList()) {
                Set<String> inShard = new HashSet<>();
                ShardReader.members(Files.readAllBytes(shard)).forEach((name, bytes) -> {
                    if (name.endsWith(".json")) {
                        inShard.add(name);
                    }
                });
                ids.addAll(inShard);
            }
        }
        return ids;
    }
}

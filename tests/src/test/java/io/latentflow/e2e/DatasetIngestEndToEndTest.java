package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.infra.LocalStack;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.RestartPolicy;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set as text-to-image and class-conditional teams keep them, ingested as a new user would: a folder of
 * class subfolders with captions and metadata beside the images, and a webdataset shard as img2dataset writes it (a
 * failed download in it, a member that is no image, its parquet and stats beside it). Every image becomes one latent
 * whose shard sample carries its exact caption ({@code <key>.txt}) and label ({@code <key>.json}); every input that is
 * not an image is listed with the reason; the shard's latents keep the shard's sample keys.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DatasetIngestEndToEndTest {

    private static final String CAT_CAPTION = "Eine Katze schläft auf dem Sofa — 猫が寝ている 🐈\n  zweite Zeile";
    private static final String SHARD_CAPTION = "a café in Zürich at night, «neon» signs";

    @TempDir
    Path work;

    @Test
    void everyImageOfANestedFolderAndAnImg2datasetShardIsOneLatentWithItsExactCaptionAndLabel() throws Exception {
        List<Path> photos = E2eImages.photos();
        Path pets = work.resolve("pets");
        Files.createDirectories(pets.resolve("cat"));
        Files.createDirectories(pets.resolve("dog/puppies"));
        Files.copy(photos.get(0), pets.resolve("cat/a.jpg"));
        Files.writeString(pets.resolve("cat/a.txt"), CAT_CAPTION + "\n", StandardCharsets.UTF_8);
        Files.copy(photos.get(1), pets.resolve("cat/b.jpg"));
        Files.copy(photos.get(2), pets.resolve("dog/puppies/c.jpg"));
        Files.writeString(pets.resolve("dog/puppies/c.caption"), "a puppy", StandardCharsets.UTF_8);
        Files.writeString(pets.resolve("dog/puppies/c.json"), "{\"photographer\": \"Zoë\", \"score\": 0.93,"
                + " \"tags\": [\"x\"], \"file\": \"not this\"}", StandardCharsets.UTF_8);
        Files.copy(photos.get(3), pets.resolve("top.jpg"));
        Files.writeString(pets.resolve("orphan.txt"), "a caption whose image is gone", StandardCharsets.UTF_8);

        Path laion = Files.createDirectories(work.resolve("laion"));
        Path shard = laion.resolve("00000.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(shard))) {
            member(tar, "000000000.jpg", Files.readAllBytes(photos.get(4)));
            member(tar, "000000000.txt", SHARD_CAPTION.getBytes(StandardCharsets.UTF_8));
            member(tar, "000000000.json", ("{\"key\": \"000000000\", \"status\": \"success\", \"url\":"
                    + " \"https://example.org/0.jpg\", \"width\": 64}").getBytes(StandardCharsets.UTF_8));
            member(tar, "000000001.json", ("{\"key\": \"000000001\", \"status\": \"failed_to_download\","
                    + " \"error_message\": \"HTTP Error 404\"}").getBytes(StandardCharsets.UTF_8));
            member(tar, "000000002.png", Files.readAllBytes(photos.get(5))); // a JPEG named .png: the job sniffs
            member(tar, "000000002.txt", "".getBytes(StandardCharsets.UTF_8));
            member(tar, "000000002.npy", new byte[]{1, 2, 3});
        }
        Files.write(laion.resolve("00000.parquet"), new byte[]{'P', 'A', 'R', '1'});
        Files.writeString(laion.resolve("00000_stats.json"), "{\"count\": 3}");

        try (LocalStack stack = LocalStack.start(work.resolve("state"), "latentflow")) {
            String kafka = stack.kafka().bootstrapServers();
            String[] ingest = {"ingest", pets.toString(), shard.toString(), laion.resolve("00000.parquet").toString(),
                    "--labels-from-folders", "--kafka", kafka, "--state-dir", work.resolve("client").toString(),
                    "--json"};
            JsonNode report = LatentflowCli.json(ingest);
            assertThat(report.get("sent").asInt()).isEqualTo(6);
            assertThat(report.get("failed")).isEmpty();
            Map<String, String> setAside = new HashMap<>();
            report.get("setAside").forEach(n -> setAside.put(n.get("file").asText(), n.get("reason").asText()));
            assertThat(setAside).containsOnlyKeys(pets.resolve("orphan.txt").toString(), shard + "#000000001",
                    shard + "#000000002.npy", laion.resolve("00000.parquet").toString());
            assertThat(setAside.get(pets.resolve("orphan.txt").toString())).contains("no image");
            assertThat(setAside.get(shard + "#000000001")).contains("failed download").contains("HTTP Error 404");
            assertThat(LatentflowCli.json(ingest).get("skipped").asInt()).as("sent once, by the ledger").isEqualTo(6);

            EncodeJob.onKafka(settings(stack)).runToCompletion(stack.flink().environment());

            List<LatentRecord> latents;
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka)) {
                latents = reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class));
            }
            Map<String, Sample> samples = samples(work.resolve("state/s3/latentflow/latents"));
            assertThat(latents).hasSize(6);
            assertThat(samples).hasSize(6);
            Map<String, LatentRecord> byFile = new HashMap<>();
            latents.forEach(l -> byFile.put(l.getImageId().substring(0, l.getImageId().lastIndexOf('@')), l));
            assertThat(byFile).containsOnlyKeys("pets/cat/a.jpg", "pets/cat/b.jpg", "pets/dog/puppies/c.jpg",
                    "pets/top.jpg", "laion/00000.tar/000000000", "laion/00000.tar/000000002");

            expect(byFile.get("pets/cat/a.jpg"), samples, CAT_CAPTION, "cat");
            expect(byFile.get("pets/cat/b.jpg"), samples, null, "cat");
            expect(byFile.get("pets/dog/puppies/c.jpg"), samples, "a puppy", "dog");
            expect(byFile.get("pets/top.jpg"), samples, null, null);
            expect(byFile.get("laion/00000.tar/000000000"), samples, SHARD_CAPTION, null);
            expect(byFile.get("laion/00000.tar/000000002"), samples, "", null);

            assertThat(byFile.get("laion/00000.tar/000000000").getMember()).as("the shard's own sample key")
                    .isEqualTo("000000000.latent.npy");
            JsonNode puppy = samples.get(key(byFile.get("pets/dog/puppies/c.jpg"))).json().get("attributes");
            assertThat(puppy.get("photographer").asText()).isEqualTo("Zoë");
            assertThat(puppy.get("score").asText()).isEqualTo("0.93");
            assertThat(puppy.get("file").asText()).as("the ingest's own attribute").isEqualTo("c.jpg");
            assertThat(puppy.get("metadataFieldsLeftOut").asText()).as("the tags array").isEqualTo("1");
            JsonNode fromShard = samples.get("000000000").json().get("attributes");
            assertThat(fromShard.get("url").asText()).isEqualTo("https://example.org/0.jpg");
        }
    }

    /** The latent's record and its shard sample carry exactly this caption and label (null: none). */
    private static void expect(LatentRecord latent, Map<String, Sample> samples, String caption, String label) {
        assertThat(latent.getCaption()).as("caption of %s", latent.getImageId()).isEqualTo(caption);
        assertThat(latent.getLabel()).as("label of %s", latent.getImageId()).isEqualTo(label);
        Sample sample = samples.get(key(latent));
        assertThat(sample).as("the shard sample of %s", latent.getImageId()).isNotNull();
        assertThat(sample.json().get("imageId").asText()).isEqualTo(latent.getImageId());
        assertThat(sample.caption()).as("<key>.txt of %s", latent.getImageId()).isEqualTo(caption);
        assertThat(sample.json().has("label") ? sample.json().get("label").asText() : null)
                .as("label in <key>.json of %s", latent.getImageId()).isEqualTo(label);
        assertThat(sample.hasLatent()).isTrue();
    }

    private static String key(LatentRecord latent) {
        return latent.getMember().substring(0, latent.getMember().indexOf('.'));
    }

    private record Sample(JsonNode json, String caption, boolean hasLatent) {
    }

    /** Every sample of the committed shards by key: its JSON, its caption (null when it has no .txt). */
    private static Map<String, Sample> samples(Path root) throws Exception {
        Map<String, Map<String, byte[]>> byKey = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".tar")).toList()) {
                ShardReader.members(Files.readAllBytes(file)).forEach((name, content) -> byKey
                        .computeIfAbsent(name.substring(0, name.indexOf('.')), k -> new HashMap<>())
                        .put(name.substring(name.indexOf('.') + 1), content));
            }
        }
        Map<String, Sample> samples = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (Map.Entry<String, Map<String, byte[]>> sample : byKey.entrySet()) {
            byte[] text = sample.getValue().get("txt");
            samples.put(sample.getKey(), new Sample(json.readTree(sample.getValue().get("json")),
                    text == null ? null : new String(text, StandardCharsets.UTF_8),
                    sample.getValue().containsKey("latent.npy")));
        }
        return samples;
    }

    private static void member(TarArchiveOutputStream tar, String name, byte[] content) throws Exception {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static EncodeJobSettings settings(LocalStack stack) {
        return EncodeJobSettings.builder(stack.kafka().settings(), stack.s3().settings())
                .model(ModelLocation.DEFAULT).resolution(64).batchSize(4)
                .checkpointInterval(Duration.ofMillis(300)).maxShardAge(Duration.ZERO)
                .restartPolicy(RestartPolicy.none()).bounded(true).build();
    }
}

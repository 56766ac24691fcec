package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.schemas.DeadLetterReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./latentflow demo} as a user runs it, on the embedded stack: every shipped sample image (a few
 * hundred real photos and illustrations) plus a folder of bad files. Every good image must come out
 * as exactly one latent in the committed shards, readable without project code and equal to the
 * encoder's output to float16 precision; every bad file as exactly one dead letter with its reason.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DemoEndToEndTest {

    private static final int RESOLUTION = 64;
    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");

    @TempDir
    Path work;

    @Test
    void theDemoEncodesEveryGoodImageExactlyOnceAndDeadLettersEveryBadFile() throws Exception {
        Path photos = SAMPLES.resolve("photos");
        Path illustrations = SAMPLES.resolve("illustrations");
        Map<String, DeadLetterReason> bad = BadImages.writeInto(work.resolve("bad"), E2eImages.files(photos).get(0));
        Path state = work.resolve("state");

        StringWriter out = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("demo", "--images", photos.toString(), "--images", illustrations.toString(),
                "--images", work.resolve("bad").toString(), "--resolution", String.valueOf(RESOLUTION),
                "--state-dir", state.toString(), "--json");

        assertThat(exit).as("exit code; output: %s", out).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.toString());
        assertThat(err.toString()).as("beside --json the dashboard's URL goes to stderr")
                .containsPattern("Dashboard: http://127\\.0\\.0\\.1:\\d+/");
        int good = E2eImages.files(photos).size() + E2eImages.files(illustrations).size();
        assertThat(good).isGreaterThanOrEqualTo(300);
        assertThat(summary.get("imagesIn").asInt()).isEqualTo(good + bad.size());
        assertThat(summary.get("latentsWritten").asInt()).isEqualTo(good);
        assertThat(summary.get("deadLettered").asInt()).isEqualTo(bad.size());
        Map<String, Long> expectedReasons = bad.values().stream()
                .collect(Collectors.groupingBy(DeadLetterReason::name, Collectors.counting()));
        Map<String, Long> reasons = new HashMap<>();
        summary.get("deadLetterReasons").fields().forEachRemaining(e -> reasons.put(e.getKey(), e.getValue().asLong()));
        assertThat(reasons).isEqualTo(expectedReasons);
        assertThat(summary.get("imagesPerSecond").asDouble()).isPositive();
        assertThat(summary.get("shards")).isNotEmpty();

        // The shards, read from the embedded S3 server's files with a reader that shares no code with the writer.
        Map<String, ShardReader.Latent> latentsById = new HashMap<>();
        List<Path> shardFiles = ShardReader.shardFiles(state.resolve("s3").resolve("latentflow").resolve("latents"));
        assertThat(shardFiles).hasSize(summary.get("shards").size());
        ObjectMapper json = new ObjectMapper();
        for (Path shard : shardFiles) {
            Map<String, byte[]> members = ShardReader.members(Files.readAllBytes(shard));
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                if (member.getKey().endsWith(".json")) {
                    String key = member.getKey().substring(0, member.getKey().length() - ".json".length());
                    assertThat(key).matches("[A-Za-z0-9_-]+");
                    String imageId = json.readTree(member.getValue()).get("imageId").asText();
                    ShardReader.Latent latent = ShardReader.float16Npy(members.get(key + ".latent.npy"));
                    assertThat(latentsById.put(imageId, latent)).as("a second latent for %s", imageId).isNull();
                }
            }
        }
        List<String> goodIds = new ArrayList<>();
        E2eImages.files(photos).forEach(f -> goodIds.add(E2eImages.id("photos", f)));
        E2eImages.files(illustrations).forEach(f -> goodIds.add(E2eImages.id("illustrations", f)));
        assertThat(latentsById.keySet()).containsExactlyInAnyOrderElementsOf(goodIds);

        assertShardsHoldTheEncodersOutput(latentsById, E2eImages.files(photos).subList(0, 16));
    }

    /** The job's latents equal a direct call of the encoder on the same images, to float16 precision. */
    @Test
    void aSecondDemoOnTheSameStateEncodesOnlyItsOwnImages() throws Exception {
        List<Path> photos = E2eImages.files(SAMPLES.resolve("photos"));
        Path first = Files.createDirectories(work.resolve("first"));
        Path second = Files.createDirectories(work.resolve("second"));
        for (int i = 0; i < 40; i++) {
            Path photo = photos.get(i * 5);
            Files.copy(photo, (i < 30 ? first : second).resolve(photo.getFileName()));
        }
        Path state = work.resolve("state");

        JsonNode once = demo(first, state);
        JsonNode twice = demo(second, state);

        assertThat(once.get("latentsWritten").asInt()).isEqualTo(30);
        assertThat(twice.get("imagesIn").asInt()).isEqualTo(10);
        assertThat(twice.get("latentsWritten").asInt())
                .as("the second run reads the images topic from where the first one finished").isEqualTo(10);
    }

    private JsonNode demo(Path images, Path state) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute("demo", "--images", images.toString(), "--resolution", String.valueOf(RESOLUTION),
                "--state-dir", state.toString(), "--no-dashboard", "--json");
        assertThat(exit).as("exit code; output: %s", out).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    private static void assertShardsHoldTheEncodersOutput(Map<String, ShardReader.Latent> latentsById,
            List<Path> images) throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        try (ServingModel model = ServingModel.loadDefault(); LatentEncoder encoder = model.newEncoder()) {
            ModelInputResizer resizer = new ModelInputResizer(RESOLUTION, model.config().downsamplingFactor());
            List<byte[]> pixels = new ArrayList<>();
            for (Path image : images) {
                pixels.add(resizer.resize(decoder.decode(Files.readAllBytes(image))));
            }
            float[] expected = encoder.encode(ModelInputBatch.toNchw(pixels, RESOLUTION), images.size(), RESOLUTION,
                    RESOLUTION);
            int perImage = expected.length / images.size();
            for (int i = 0; i < images.size(); i++) {
                ShardReader.Latent stored = latentsById.get(E2eImages.id("photos", images.get(i)));
                assertThat(stored.channels() * stored.height() * stored.width()).isEqualTo(perImage);
                assertThat(stored.height()).isEqualTo(RESOLUTION / model.config().downsamplingFactor());
                for (int j = 0; j < perImage; j++) {
                    float want = expected[i * perImage + j];
                    // float16 keeps 11 significant bits: relative error <= 2^-11, plus float32 noise of batching
                    assertThat(stored.values()[j]).as("image %d value %d", i, j)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(Math.abs(want) / 1024 + 1e-4f));
                }
            }
        }
    }
}

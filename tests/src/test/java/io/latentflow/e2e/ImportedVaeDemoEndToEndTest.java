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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A diffusers AutoencoderKL as a user brings one: {@code models import} of a FLUX-style checkpoint (16 channels, F16
 * weights, a shift factor), then {@code demo --model DIR}. The shards hold the imported model's diffusion-ready
 * latents, {@code (mean - shift) * scale}, under its version, equal to a direct call of its encoder, and
 * {@code decode} turns them into pictures; with {@code --latents moments} they hold the unscaled moments.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ImportedVaeDemoEndToEndTest {

    private static final int RESOLUTION = 64;
    private static final Path HOME = Path.of(System.getProperty("latentflow.home"));

    @TempDir
    Path work;

    @Test
    void anImportedFluxStyleVaeEncodesTheStreamIntoItsOwnLatentSpace() throws Exception {
        Path model = work.resolve("flux");
        JsonNode imported = run("models", "import", HOME.resolve("model/src/test/resources/diffusers/flux-f16")
                .toString(), "--out", model.toString(), "--json");
        String version = imported.get("version").asText();
        Path images = Files.createDirectories(work.resolve("images"));
        List<Path> photos = E2eImages.photos();
        for (int i = 0; i < 24; i++) {
            Files.copy(photos.get(i * 7), images.resolve(photos.get(i * 7).getFileName()));
        }

        JsonNode summary = run("demo", "--model", model.toString(), "--images", images.toString(), "--resolution",
                String.valueOf(RESOLUTION), "--state-dir", work.resolve("state").toString(), "--no-dashboard",
                "--json");

        assertThat(summary.get("latentsWritten").asInt()).isEqualTo(24);
        Path latents = work.resolve("state/s3/latentflow/latents");
        assertThat(latents.resolve("model=" + version)).isDirectory();
        Map<String, ShardReader.Latent> byId = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (Path shard : ShardReader.shardFiles(latents)) {
            Map<String, byte[]> members = ShardReader.members(Files.readAllBytes(shard));
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                if (member.getKey().endsWith(".json")) {
                    String key = member.getKey().substring(0, member.getKey().length() - ".json".length());
                    JsonNode metadata = json.readTree(member.getValue());
                    assertThat(metadata.get("modelVersion").asText()).isEqualTo(version);
                    // what a reader needs to undo the factors and to know which latent space it holds
                    assertThat(metadata.get("scalingFactor").asDouble())
                            .isEqualTo(imported.get("scalingFactor").asDouble());
                    assertThat(metadata.get("shiftFactor").asDouble()).isEqualTo(0.1159);
                    assertThat(metadata.get("latentSpace").asText()).isEqualTo(imported.get("latentSpace").asText());
                    byId.put(metadata.get("imageId").asText(),
                            ShardReader.float16Npy(members.get(key + ".latent.npy")));
                }
            }
        }
        assertThat(byId).hasSize(24);

        List<Path> checked = E2eImages.files(images).subList(0, 8);
        ImageDecoder decoder = new ImageDecoder();
        try (ServingModel served = ServingModel.load(model); LatentEncoder encoder = served.newEncoder()) {
            assertThat(served.shiftFactor()).isEqualTo(0.1159);
            ModelInputResizer resizer = new ModelInputResizer(RESOLUTION, served.config().downsamplingFactor());
            List<byte[]> pixels = new ArrayList<>();
            for (Path image : checked) {
                pixels.add(resizer.resize(decoder.decode(Files.readAllBytes(image))));
            }
            float[] expected = encoder.encode(ModelInputBatch.toNchw(pixels, RESOLUTION), checked.size(), RESOLUTION,
                    RESOLUTION);
            int perImage = expected.length / checked.size();
            assertThat(perImage).isEqualTo(16 * 8 * 8);
            for (int i = 0; i < checked.size(); i++) {
                ShardReader.Latent stored = byId.get(E2eImages.id("images", checked.get(i)));
                assertThat(stored.channels()).isEqualTo(16);
                for (int j = 0; j < perImage; j++) {
                    float want = expected[i * perImage + j];
                    assertThat(stored.values()[j]).as("image %d value %d", i, j)
                            .isCloseTo(want, Offset.offset(Math.abs(want) / 1024 + 1e-4f));
                }
            }
        }

        // what a user does next: look at the stored latents through the VAE's decoder
        List<String> decodeArgs = new ArrayList<>(List.of("decode", "--model", model.toString(), "--out",
                work.resolve("decoded").toString(), "--json"));
        ShardReader.shardFiles(latents).forEach(shard -> decodeArgs.add(shard.toString()));
        JsonNode decoded = run(decodeArgs.toArray(String[]::new));
        assertThat(decoded.get("latentSpace").asText()).isEqualTo(imported.get("latentSpace").asText());
        assertThat(decoded.get("images")).hasSize(24);
        for (JsonNode image : decoded.get("images")) {
            assertThat(Path.of(image.get("png").asText())).isRegularFile();
            assertThat(image.get("width").asInt()).isEqualTo(RESOLUTION);
        }
    }

    @Test
    void momentsOfAnImportedVaeAreStoredUnscaledAndDecodeFromTheirMean() throws Exception {
        Path model = work.resolve("sd");
        JsonNode imported = run("models", "import", HOME.resolve("model/src/test/resources/diffusers/sd-f32")
                .toString(), "--out", model.toString(), "--json");
        Path images = Files.createDirectories(work.resolve("images"));
        List<Path> photos = E2eImages.photos();
        for (int i = 0; i < 6; i++) {
            Files.copy(photos.get(i * 11), images.resolve(photos.get(i * 11).getFileName()));
        }

        JsonNode summary = run("demo", "--model", model.toString(), "--images", images.toString(), "--resolution",
                String.valueOf(RESOLUTION), "--latents", "moments", "--state-dir", work.resolve("state").toString(),
                "--no-dashboard", "--json");

        assertThat(summary.get("latentsWritten").asInt()).isEqualTo(6);
        List<Path> shards = ShardReader.shardFiles(work.resolve("state/s3/latentflow/latents"));
        ObjectMapper json = new ObjectMapper();
        int members = 0;
        for (Path shard : shards) {
            Map<String, byte[]> contents = ShardReader.members(Files.readAllBytes(shard));
            for (Map.Entry<String, byte[]> member : contents.entrySet()) {
                if (member.getKey().endsWith(".json")) {
                    JsonNode metadata = json.readTree(member.getValue());
                    assertThat(metadata.get("latents").asText()).isEqualTo("moments");
                    assertThat(metadata.get("latentSpace").asText()).isEqualTo(imported.get("latentSpace").asText());
                    String key = member.getKey().substring(0, member.getKey().length() - ".json".length());
                    assertThat(ShardReader.float16Npy(contents.get(key + ".latent.npy")).channels())
                            .as("mean and log-variance of 4 channels").isEqualTo(8);
                    members++;
                }
            }
        }
        assertThat(members).isEqualTo(6);

        List<String> decodeArgs = new ArrayList<>(List.of("decode", "--model", model.toString(), "--out",
                work.resolve("decoded").toString(), "--json"));
        shards.forEach(shard -> decodeArgs.add(shard.toString()));
        assertThat(run(decodeArgs.toArray(String[]::new)).get("images")).hasSize(6);
    }

    private static JsonNode run(String... args) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute(args);
        assertThat(exit).as("exit code of %s; output: %s", String.join(" ", args), out).isZero();
        return new ObjectMapper().readTree(out.toString());
    }
}

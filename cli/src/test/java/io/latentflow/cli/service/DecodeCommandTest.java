package io.latentflow.cli.service;

import io.latentflow.cli.Latentflow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.shards.LatentNpy;
import io.latentflow.shards.LatentSummaries;
import io.latentflow.shards.Npy;
import io.latentflow.shards.SampleMetadata;
import io.latentflow.shards.ShardWriter;
import io.latentflow.shards.StoredLatents;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code decode}: latents encoded by a model and stored as the service stores them (a shard: fp16 .npy + JSON) come
 * back as the PNGs the model's own decoder makes of them, to within one level of 255; latents a model cannot decode
 * are refused by name, and nothing is written.
 */
class DecodeCommandTest {

    private static final Path FIXTURES = Path.of(System.getProperty("latentflow.home"), "model", "src", "test",
            "resources", "diffusers");
    private static final int SIDE = 32;
    private static final int IMAGES = 2;

    @TempDir
    Path dir;

    @Test
    void theDefaultModelsShardDecodesToItsOwnDecode() throws Exception {
        Path shard = dir.resolve("default.tar");
        float[] stored;
        try (ServingModel model = ServingModel.loadDefault()) {
            stored = encodeIntoShard(model, shard, StoredLatents.MEAN);
        }

        JsonNode printed = decode("--model", "default", shard.toString(), "--out", dir.resolve("png").toString(),
                "--json");

        try (ServingModel model = ServingModel.loadDefault()) {
            assertThat(printed.get("latentSpace").asText()).isEqualTo(model.latentSpace());
            assertMatchesOwnDecode(model, stored, printed);
        }
    }

    @Test
    void anImportedVaesShardAndABareNpyDecodeToItsOwnDecode() throws Exception {
        Path imported = importFixture("sd-f32");
        Path shard = dir.resolve("sd.tar");
        float[] stored;
        Path npy = dir.resolve("generated.npy");
        try (ServingModel model = ServingModel.load(imported)) {
            stored = encodeIntoShard(model, shard, StoredLatents.MEAN);
            int perImage = stored.length / IMAGES;
            int latentSide = SIDE / model.config().downsamplingFactor();
            Files.write(npy, Npy.float16(Arrays.copyOf(stored, perImage), model.config().latentChannels(),
                    latentSide, latentSide));
        }

        JsonNode printed = decode("--model", imported.toString(), shard.toString(), npy.toString(), "--out",
                dir.resolve("png").toString(), "--json");

        assertThat(printed.get("images")).hasSize(IMAGES + 1);
        assertThat(printed.get("images").get(IMAGES).get("key").asText()).isEqualTo("generated");
        try (ServingModel model = ServingModel.load(imported)) {
            assertMatchesOwnDecode(model, stored, printed);
        }
    }

    @Test
    void aShardInObjectStorageDecodesWithAPublishedVersion() throws Exception {
        Path shard = dir.resolve("default.tar");
        float[] stored;
        Path version = ServingModel.extractDefault(dir.resolve("default-model"));
        String name = ModelDirectory.verify(version).version();
        try (ServingModel model = ServingModel.load(version)) {
            stored = encodeIntoShard(model, shard, StoredLatents.MEAN);
        }
        try (EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            MinioClient client = s3.settings().newClient();
            upload(client, shard, "latents/model=" + name + "/dt=2026-12-06/part-0-x-0.tar");
            Manifest manifest = ModelDirectory.verify(version);
            for (Manifest.FileEntry file : manifest.files()) {
                upload(client, version.resolve(file.path()), "models/" + name + "/" + file.path());
            }
            upload(client, version.resolve(ModelDirectory.MANIFEST), "models/" + name + "/"
                    + ModelDirectory.MANIFEST);
            Path secret = Files.writeString(dir.resolve("secret"), s3.settings().secretKey());

            JsonNode printed = decode("--model", name, "s3://latentflow/latents/model=" + name
                            + "/dt=2026-12-06/part-0-x-0.tar", "--out", dir.resolve("png").toString(), "--json",
                    "--s3-endpoint", s3.endpoint(), "--s3-access-key", s3.settings().accessKey(),
                    "--s3-secret-key-file", secret.toString());

            assertThat(printed.get("model").asText()).isEqualTo(name);
            try (ServingModel model = ServingModel.load(version)) {
                assertMatchesOwnDecode(model, stored, printed);
            }
        }
    }

    private static void upload(MinioClient client, Path file, String key) throws Exception {
        client.uploadObject(UploadObjectArgs.builder().bucket("latentflow").object(key).filename(file.toString())
                .build());
    }

    @Test
    void momentsDecodeFromTheirMean() throws Exception {
        Path imported = importFixture("flux-f16");
        Path shard = dir.resolve("moments.tar");
        float[] stored;
        try (ServingModel model = ServingModel.load(imported)) {
            float[] moments = encodeIntoShard(model, shard, StoredLatents.MOMENTS);
            stored = meansServedBy(model, moments);
        }

        JsonNode printed = decode("--model", imported.toString(), shard.toString(), "--out",
                dir.resolve("png").toString(), "--json");

        try (ServingModel model = ServingModel.load(imported)) {
            assertMatchesOwnDecode(model, stored, printed);
        }
    }

    @Test
    void aLatentOfAnotherChannelCountIsRefusedNamingIt() throws Exception {
        Path shard = dir.resolve("flux.tar");
        try (ServingModel flux = ServingModel.load(importFixture("flux-f16"))) {
            encodeIntoShard(flux, shard, StoredLatents.MEAN);
        }
        Path out = dir.resolve("png");

        StringWriter stderr = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(stderr))
                .execute("decode", "--model", importFixture("sd-f32").toString(), shard.toString(), "--out",
                        out.toString());

        assertThat(exit).isEqualTo(DecodeCommand.REFUSED);
        assertThat(stderr.toString()).contains("refused", shard.toString(), "has 16 channels", "decodes 4");
        assertThat(out).doesNotExist();
    }

    @Test
    void aLatentOfAnotherLatentSpaceIsRefusedNamingBoth() throws Exception {
        Path shard = dir.resolve("sd.tar");
        String written;
        try (ServingModel sd = ServingModel.load(importFixture("sd-f32"))) {
            encodeIntoShard(sd, shard, StoredLatents.MEAN);
            written = sd.latentSpace();
        }
        Path sdxl = importFixture("sdxl-bf16-old-names");
        Path out = dir.resolve("png");

        StringWriter stderr = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(stderr))
                .execute("decode", "--model", sdxl.toString(), shard.toString(), "--out", out.toString());

        assertThat(exit).isEqualTo(DecodeCommand.REFUSED);
        try (ServingModel model = ServingModel.load(sdxl)) {
            assertThat(stderr.toString()).contains("latent space " + written, "decodes " + model.latentSpace());
        }
        assertThat(out).doesNotExist();
    }

    private Path importFixture(String name) {
        Path out = dir.resolve("model-" + name);
        if (!Files.isDirectory(out)) {
            int exit = Latentflow.commandLine().setOut(new PrintWriter(new StringWriter()))
                    .execute("models", "import", FIXTURES.resolve(name).toString(), "--out", out.toString());
            assertThat(exit).isZero();
        }
        return out;
    }

    /** Encodes IMAGES synthetic images, writes them as a shard the way the service does; returns the stored values. */
    private static float[] encodeIntoShard(ServingModel model, Path shard, StoredLatents kind) throws Exception {
        float[] pixels = new float[IMAGES * 3 * SIDE * SIDE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) Math.sin(i * 0.37 + (i % 7) * 0.9);
        }
        float[] latents;
        try (LatentEncoder encoder = kind == StoredLatents.MOMENTS ? model.newMomentsEncoder() : model.newEncoder()) {
            latents = encoder.encode(pixels, IMAGES, SIDE, SIDE);
        }
        int latentSide = SIDE / model.config().downsamplingFactor();
        int channels = kind.storedChannels(model.config().latentChannels());
        int perImage = channels * latentSide * latentSide;
        float[] stored = new float[latents.length];
        try (ShardWriter writer = new ShardWriter(shard)) {
            for (int i = 0; i < IMAGES; i++) {
                float[] latent = Arrays.copyOfRange(latents, i * perImage, (i + 1) * perImage);
                byte[] npy = Npy.float16(latent, channels, latentSide, latentSide);
                System.arraycopy(LatentNpy.parse(npy, "written").values(), 0, stored, i * perImage, perImage);
                String key = "image-" + i;
                writer.add(key, npy, new SampleMetadata("image " + i, key, "test", model.version(),
                        List.of(channels, latentSide, latentSide), 0, 0, LatentSummaries.of(latent), Map.of(),
                        model.latentSpace(), model.scalingFactor(), model.shiftFactor(), kind, null).toJson());
            }
            writer.finish();
        }
        return stored;
    }

    /** The mean half of each image's moments, as the model serves it: (mean - shift) * scale. */
    private static float[] meansServedBy(ServingModel model, float[] moments) {
        int perImage = moments.length / IMAGES;
        int half = perImage / 2;
        float[] served = new float[IMAGES * half];
        for (int i = 0; i < IMAGES; i++) {
            for (int j = 0; j < half; j++) {
                served[i * half + j] = (float) ((moments[i * perImage + j] - model.shiftFactor())
                        * model.scalingFactor());
            }
        }
        return served;
    }

    private static void assertMatchesOwnDecode(ServingModel model, float[] served, JsonNode printed) throws Exception {
        int latentSide = SIDE / model.config().downsamplingFactor();
        float[] expected;
        try (LatentDecoder decoder = model.newDecoder()) {
            expected = decoder.decode(served, IMAGES, latentSide, latentSide);
        }
        int plane = SIDE * SIDE;
        for (int n = 0; n < IMAGES; n++) {
            JsonNode image = printed.get("images").get(n);
            assertThat(image.get("key").asText()).isEqualTo("image-" + n);
            BufferedImage png = ImageIO.read(Path.of(image.get("png").asText()).toFile());
            assertThat(png.getWidth()).isEqualTo(SIDE);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int rgb = png.getRGB(x, y);
                    int[] got = {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
                    for (int c = 0; c < 3; c++) {
                        float want = (Math.max(-1, Math.min(1, expected[n * 3 * plane + c * plane + y * SIDE + x]))
                                + 1) * 127.5f;
                        assertThat((double) Math.abs(got[c] - want)).as("image %d (%d, %d) channel %d", n, x, y, c)
                                .isLessThanOrEqualTo(1.0);
                    }
                }
            }
        }
    }

    private static JsonNode decode(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Latentflow.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        String[] command = new String[args.length + 1];
        command[0] = "decode";
        System.arraycopy(args, 0, command, 1, args.length);
        assertThat(cli.execute(command)).as("exit code; stderr: %s", err).isZero();
        return new ObjectMapper().readTree(out.toString());
    }
}

package io.latentflow.model.store;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.nn.Autoencoder;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelDirectoryTest {

    private static final int SIDE = 64;

    @TempDir
    Path temp;

    private Path saved;

    @BeforeEach
    void saveAModel() throws IOException {
        saved = temp.resolve("v1");
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 5, "bounded-test-v1")) {
            model.save(saved, "{}");
        }
    }

    @Test
    void savedVersionLoadsWithBitIdenticalOutputs() throws IOException {
        float[] pixels = pixels();
        try (ServingModel original = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 5, "bounded-test-v1");
             ServingModel loaded = ServingModel.load(saved);
             LatentEncoder before = original.newEncoder();
             LatentEncoder after = loaded.newEncoder();
             LatentDecoder decodeBefore = original.newDecoder();
             LatentDecoder decodeAfter = loaded.newDecoder()) {
            assertThat(loaded.version()).isEqualTo("bounded-test-v1");
            assertThat(loaded.config()).isEqualTo(AutoencoderConfig.boundedF8C8());
            float[] latents = before.encode(pixels, 2, SIDE, SIDE);
            assertThat(after.encode(pixels, 2, SIDE, SIDE)).containsExactly(latents);
            assertThat(decodeAfter.decode(latents, 2, 8, 8)).containsExactly(decodeBefore.decode(latents, 2, 8, 8));
        }
        assertThat(Files.list(saved).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("manifest.json", "config.json", "metrics.json", "encoder.params",
                        "decoder.params");
        assertThat(Files.list(temp)).as("no staging directory is left behind").hasSize(1);
    }

    @Test
    void versionIsDerivedFromContentWhenNotGiven() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderConfig config = AutoencoderConfig.boundedF8C4();
            Manifest first = ModelDirectory.save(Autoencoder.initialized(config, manager, 3), temp.resolve("a"),
                    null, "{}");
            Manifest same = ModelDirectory.save(Autoencoder.initialized(config, manager, 3), temp.resolve("b"),
                    null, "{}");
            Manifest other = ModelDirectory.save(Autoencoder.initialized(config, manager, 4), temp.resolve("c"),
                    null, "{\"psnr\": 20.5}");
            assertThat(first.version()).matches("bounded-f8c4-[0-9a-f]{12}");
            assertThat(same.version()).isEqualTo(first.version());
            assertThat(other.version()).isNotEqualTo(first.version());
        }
    }

    @Test
    void savingIntoANonEmptyDirectoryIsRefused() throws IOException {
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C8(), 6, "other")) {
            assertThatThrownBy(() -> model.save(saved, "{}"))
                    .isInstanceOf(InvalidModelDirectoryException.class)
                    .hasMessageContaining("already exists and is not empty");
        }
        assertThat(ServingModel.load(saved).version()).isEqualTo("bounded-test-v1");
    }

    @Test
    void aFlippedByteInTheParametersIsRefused() throws IOException {
        Path params = saved.resolve(ModelDirectory.ENCODER_PARAMS);
        try (RandomAccessFile file = new RandomAccessFile(params.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0x01);
        }
        assertRefused("encoder.params", "modified or corrupted: sha256 is");
    }

    @Test
    void aTruncatedParametersFileIsRefused() throws IOException {
        Path params = saved.resolve(ModelDirectory.DECODER_PARAMS);
        try (RandomAccessFile file = new RandomAccessFile(params.toFile(), "rw")) {
            file.setLength(file.length() - 100);
        }
        assertRefused("decoder.params", "truncated");
    }

    @Test
    void aMissingConfigIsRefused() throws IOException {
        Files.delete(saved.resolve(ModelDirectory.CONFIG));
        assertRefused("config.json", "missing (the manifest lists it)");
    }

    @Test
    void anUnlistedFileIsRefused() throws IOException {
        Files.writeString(saved.resolve("notes.txt"), "added later");
        assertRefused("notes.txt", "present but not listed in the manifest");
    }

    @Test
    void aMissingOrUnreadableManifestIsRefused() throws IOException {
        Files.writeString(saved.resolve(ModelDirectory.MANIFEST), "{\"formatVersion\":1,\"version\":\"../x\"}");
        assertRefused("manifest.json", "model version '../x' is not allowed");
        Files.delete(saved.resolve(ModelDirectory.MANIFEST));
        assertRefused("manifest.json", "missing");
    }

    @Test
    void aCopyWithAnAddedFileKeepsTheVersionAndLeavesTheSourceAsItWas() throws IOException {
        String sourceManifest = Files.readString(saved.resolve(ModelDirectory.MANIFEST));
        Path copy = temp.resolve("v1-profiled");

        Manifest manifest = ModelDirectory.copyWith(saved, copy, Map.of("notes.json", "{\"a\":1}"));

        assertThat(manifest.version()).isEqualTo("bounded-test-v1");
        assertThat(ModelDirectory.verify(copy).file("notes.json")).isPresent();
        assertThat(Files.readString(copy.resolve("notes.json"))).isEqualTo("{\"a\":1}");
        assertThat(Files.readString(saved.resolve(ModelDirectory.MANIFEST))).isEqualTo(sourceManifest);
        assertThat(ModelDirectory.verify(saved).file("notes.json")).isEmpty();
        try (ServingModel original = ServingModel.load(saved); ServingModel copied = ServingModel.load(copy);
             LatentEncoder a = original.newEncoder(); LatentEncoder b = copied.newEncoder()) {
            assertThat(b.encode(pixels(), 2, SIDE, SIDE)).containsExactly(a.encode(pixels(), 2, SIDE, SIDE));
        }
    }

    @Test
    void aCopyRefusesATamperedSourceAndFilesItAlreadyHas() throws IOException {
        ModelDirectory.copyWith(saved, temp.resolve("once"), Map.of("notes.json", "{}"));
        assertThatThrownBy(() -> ModelDirectory.copyWith(temp.resolve("once"), temp.resolve("twice"),
                Map.of("notes.json", "{}")))
                .isInstanceOf(InvalidModelDirectoryException.class).hasMessageContaining("already in this version");
        Files.writeString(saved.resolve(ModelDirectory.METRICS), "{\"psnr\":99}");
        assertThatThrownBy(() -> ModelDirectory.copyWith(saved, temp.resolve("copy"), Map.of("x.json", "{}")))
                .isInstanceOf(InvalidModelDirectoryException.class).hasMessageContaining("metrics.json");
        assertThat(temp.resolve("copy")).doesNotExist();
    }

    @Test
    void aCopyWithNewMetricsKeepsTheVersionAndTheWeightsAndRefusesMetricsThatAreNotAnObject() throws IOException {
        Path copy = temp.resolve("v1-gated");

        Manifest manifest = ModelDirectory.copyWithMetrics(saved, copy, "{\"gate\":{\"passed\":true}}");

        assertThat(manifest.version()).isEqualTo("bounded-test-v1");
        assertThat(ModelDirectory.verify(copy).files()).extracting(Manifest.FileEntry::path)
                .containsExactlyElementsOf(ModelDirectory.verify(saved).files().stream().map(Manifest.FileEntry::path)
                        .toList());
        assertThat(Files.readString(copy.resolve(ModelDirectory.METRICS))).isEqualTo("{\"gate\":{\"passed\":true}}");
        assertThat(Files.readAllBytes(copy.resolve(ModelDirectory.ENCODER_PARAMS)))
                .isEqualTo(Files.readAllBytes(saved.resolve(ModelDirectory.ENCODER_PARAMS)));
        assertThatThrownBy(() -> ModelDirectory.copyWithMetrics(saved, temp.resolve("bad"), "[1]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
    }

    private void assertRefused(String file, String reason) {
        assertThatThrownBy(() -> ServingModel.load(saved))
                .isInstanceOf(InvalidModelDirectoryException.class)
                .hasMessageContaining(file)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((InvalidModelDirectoryException) e).file()).isEqualTo(file));
    }

    private static float[] pixels() {
        SplittableRandom random = new SplittableRandom(8);
        float[] pixels = new float[2 * 3 * SIDE * SIDE];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return pixels;
    }
}

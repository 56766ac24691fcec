package io.latentflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.diffusers.Safetensors;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.shards.StoredLatents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a replay backfill hands its shard writer: the last model's latents (its posterior moments with {@code --latents
 * moments}, whose mean half is the latent it serves), and never a latent with a NaN in it.
 */
class CompareModelsBackfillTest {

    private static final int SIZE = 32;
    private static final Path FIXTURES = Path.of(System.getProperty("latentflow.home"), "model", "src", "test",
            "resources", "diffusers");

    @TempDir
    Path temp;

    @Test
    void aBackfillOfMomentsEmitsTheMeanAndLogVarianceOfTheServedLatent() throws Exception {
        Path model = temp.resolve("flux");
        ImportedVae.read(FIXTURES.resolve("flux-f16")).save(model, null);
        List<EncodedLatent> served = new ArrayList<>();
        List<EncodedLatent> backfilled = new ArrayList<>();

        compare(model, StoredLatents.MOMENTS, served, backfilled);

        assertThat(backfilled).hasSize(2);
        for (int i = 0; i < 2; i++) {
            EncodedLatent moments = backfilled.get(i);
            assertThat(moments.latents).isEqualTo(StoredLatents.MOMENTS);
            assertThat(moments.shape).containsExactly(32, SIZE / 8, SIZE / 8);
            assertThat(moments.image.imageId).isEqualTo("img-" + i);
            float[] mean = moments.served().latent;
            float[] expected = served.get(i).latent;
            assertThat(mean).hasSameSizeAs(expected);
            for (int v = 0; v < expected.length; v++) {
                assertThat(mean[v]).isCloseTo(expected[v], within(1e-4f));
            }
        }
    }

    @Test
    void aModelWithNonFiniteLatentsFailsTheReplayNamingItAndBackfillsNothing() throws Exception {
        Path source = Files.createDirectories(temp.resolve("nan-source"));
        Files.copy(FIXTURES.resolve("sd-f32/config.json"), source.resolve("config.json"));
        Map<String, Safetensors.Tensor> weights = new LinkedHashMap<>(Safetensors.read(
                FIXTURES.resolve("sd-f32/diffusion_pytorch_model.safetensors")));
        Safetensors.Tensor convIn = weights.get("encoder.conv_in.weight");
        float[] poisoned = convIn.values().clone();
        poisoned[0] = Float.NaN;
        weights.put(convIn.name(), new Safetensors.Tensor(convIn.name(), "F32", convIn.shape(), poisoned));
        Safetensors.writeF32(source.resolve("diffusion_pytorch_model.safetensors"), weights);
        Path model = temp.resolve("nan");
        ImportedVae.read(source).save(model, null);
        List<EncodedLatent> served = new ArrayList<>();
        List<EncodedLatent> backfilled = new ArrayList<>();

        String version = ModelDirectory.verify(model).version();

        assertThatThrownBy(() -> compare(model, StoredLatents.MEAN, served, backfilled))
                .hasMessageContaining("Model " + version).hasMessageContaining("non-finite");
        assertThat(backfilled).isEmpty();
    }

    private static void compare(Path model, StoredLatents latents, List<EncodedLatent> served,
                                List<EncodedLatent> backfilled) throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<>(new CompareModels(
                List.of(ModelLocation.of(model)), SIZE, 0, latents))) {
            harness.open();
            harness.processElement(new StreamRecord<>(images(), 0));
            harness.getSideOutput(CompareModels.latentsOf(0)).forEach(r -> served.add(r.getValue()));
            harness.getSideOutput(CompareModels.BACKFILL).forEach(r -> backfilled.add(r.getValue()));
        }
    }

    private static List<PreparedImage> images() {
        List<PreparedImage> batch = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            PreparedImage image = new PreparedImage();
            image.imageId = "img-" + i;
            image.sampleKey = image.imageId;
            image.topic = "images";
            image.size = SIZE;
            image.pixels = new byte[SIZE * SIZE * 3];
            for (int p = 0; p < image.pixels.length; p++) {
                image.pixels[p] = (byte) (p * (7 + i) % 251);
            }
            batch.add(image);
        }
        return batch;
    }
}

package io.latentflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.fixtures.DiffusersFixtures;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.shards.StoredLatents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @TempDir
    Path temp;

    @Test
    void aBackfillOfMomentsEmitsTheMeanAndLogVarianceOfTheServedLatent() throws Exception {
        Path model = DiffusersFixtures.imported("flux-f16", temp.resolve("flux"));
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
        Path model = DiffusersFixtures.withNonFiniteLatents(temp);
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

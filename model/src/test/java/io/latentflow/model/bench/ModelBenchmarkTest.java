package io.latentflow.model.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.store.ModelDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs the real benchmark at tiny iteration counts: figures only, never timing thresholds. */
class ModelBenchmarkTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @TempDir
    Path temp;

    /** Two tiles of each of two sample photos: one source trains, one is held out, as in training. */
    private Path images() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("images"));
        for (String source : List.of("Autumn", "Kite")) {
            for (String tile : List.of("_s768_000.jpg", "_s768_001.jpg")) {
                Files.copy(PHOTOS.resolve(source + tile), dir.resolve(source + tile));
            }
        }
        return dir;
    }

    @Test
    void measuresTrainStepEncodeAndDecodeOfTheDefaultModelAsPositiveFiniteFigures() throws IOException {
        ModelBenchmark.Options options = new ModelBenchmark.Options(List.of(32, 64), 2, 1, images(),
                new Iterations(1, 1), new Iterations(1, 2));

        ModelBenchmarkReport report = ModelBenchmark.run(options);

        assertThat(report.rows()).extracting(ModelBenchmarkReport.Row::size).containsExactly(32, 64);
        assertThat(report.rows()).allMatch(ModelBenchmarkReport.Row::positiveAndFinite);
        assertThat(report.model()).isEqualTo("bounded-f8c8");
        assertThat(report.recipe()).isEqualTo("bounded-ae");
        assertThat(report.toTable()).contains("train s/step").contains("|     32 |").contains("|     64 |");
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("rows")).hasSize(2);
        assertThat(json.get("rows").get(1).get("decodeImagesPerSecond").asDouble()).isPositive();
        assertThat(json.get("batch").asInt()).isEqualTo(2);
    }

    @Test
    void measuresEncodeAndDecodeOfAnImportedVaeWithoutATrainingStep() throws IOException {
        Path version = temp.resolve("sd");
        ImportedVae.read(Path.of(System.getProperty("latentflow.home"), "model/src/test/resources/diffusers/sd-f32"))
                .save(version, null);
        ModelBenchmark.Options options = new ModelBenchmark.Options(List.of(32), 1, 1, PHOTOS,
                new Iterations(0, 1), new Iterations(1, 2), version);

        ModelBenchmarkReport report = ModelBenchmark.run(options);

        assertThat(report.modelVersion()).isEqualTo(ModelDirectory.verify(version).version());
        assertThat(report.recipe()).startsWith("none");
        ModelBenchmarkReport.Row row = report.rows().get(0);
        assertThat(row.encodeImagesPerSecond()).isPositive();
        assertThat(row.decodeImagesPerSecond()).isPositive();
        assertThat(row.trainStepSeconds()).as("no recipe to train an imported VAE with here").isNaN();
    }

    @Test
    void refusesASizeThatIsNotAMultipleOfTheDownsamplingFactor() {
        ModelBenchmark.Options options = new ModelBenchmark.Options(List.of(36), 2, 1, PHOTOS,
                new Iterations(0, 1), new Iterations(0, 1));

        assertThatThrownBy(() -> ModelBenchmark.run(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 36").hasMessageContaining("downsampling factor 8");
    }
}

package io.latentflow.model.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.flops.NetworkFlops;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.MicroBatching;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Runs the real benchmark at tiny iteration counts: figures only, never timing thresholds. */
class ModelBenchmarkTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");
    private static final Path SD_FIXTURE = Path.of(System.getProperty("latentflow.home"),
            "model/src/test/resources/diffusers/sd-f32");

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
                new Iterations(1, 1), new Iterations(1, 2), null, new MicroBatching(1));

        ModelBenchmarkReport report = ModelBenchmark.run(options, CpuPeak.given(100));

        assertThat(report.rows()).extracting(ModelBenchmarkReport.Row::size).containsExactly(32, 64);
        assertThat(report.rows()).allMatch(ModelBenchmarkReport.Row::positiveAndFinite);
        assertThat(report.model()).isEqualTo("bounded-f8c8");
        assertThat(report.recipe()).isEqualTo("bounded-ae");
        assertThat(report.toTable()).contains("train s/step").contains("|     32 |").contains("|     64 |");
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("rows")).hasSize(2);
        assertThat(json.get("rows").get(1).get("decodeImagesPerSecond").asDouble()).isPositive();
        assertThat(json.get("batch").asInt()).isEqualTo(2);
        assertThat(json.get("peakGflops").asDouble()).isEqualTo(100);
        // the step whole and in micro-batches of one image, side by side, and the ratio of the sizes for each
        assertThat(report.rows()).allMatch(r -> r.trainImagesPerMicroBatch() == 1 && r.trainStepSecondsMicroBatched() > 0);
        assertThat(json.get("trainStepRatioWholeBatch").asDouble()).isEqualTo(
                report.rows().get(1).trainStepSeconds() / report.rows().get(0).trainStepSeconds());
        assertThat(json.get("trainStepRatioMicroBatched").asDouble()).isEqualTo(report.rows().get(1)
                .trainStepSecondsMicroBatched() / report.rows().get(0).trainStepSecondsMicroBatched());
        assertThat(json.get("trainStepRatio").asDouble()).isEqualTo(MicroBatching.DEFAULT == MicroBatching.AUTO
                ? json.get("trainStepRatioMicroBatched").asDouble() : json.get("trainStepRatioWholeBatch").asDouble());
        assertThat(report.toTable()).contains("train at 64 px in micro-batches of 1").contains("train step 64 px / 32 px");
        NetworkFlops flops = NetworkFlops.of(AutoencoderConfig.boundedF8C8(), 64);
        ModelBenchmarkReport.Row row = report.rows().get(1);
        JsonNode encode = json.get("rows").get(1).get("encodeFlops");
        assertThat(encode.get("gflopsPerImage").asDouble()).isEqualTo(flops.encoderGflops());
        assertThat(encode.get("achievedGflops").asDouble())
                .isCloseTo(flops.encoderGflops() * row.encodeImagesPerSecond(), within(1e-9));
        assertThat(encode.get("peakFraction").asDouble())
                .isCloseTo(encode.get("achievedGflops").asDouble() / 100, within(1e-12));
        assertThat(row.decodeFlops().gflopsPerImage()).isEqualTo(flops.decoderGflops());
        assertThat(row.trainStepFlops().achievedGflops())
                .isCloseTo(flops.trainStepGflops() * row.trainImagesPerSecond(), within(1e-9));
        assertThat(report.toTable()).contains("% of peak").contains("| encode  |").contains("| train   |")
                .contains("given (--peak-gflops)")
                // what the drift monitor's QUALITY sampling adds, from the same encode and decode rates
                .contains(String.format(java.util.Locale.ROOT, "1 in 64 images decoded adds %.1f %%",
                        100 * row.encodeImagesPerSecond() / row.decodeImagesPerSecond() / 64))
                // and what reading every image's EXPOSURE and REPEATED_PIXELS levels adds
                .contains(String.format(java.util.Locale.ROOT,
                        "EXPOSURE and REPEATED_PIXELS levels at 64 px: %.0f images/s",
                        row.exposureImagesPerSecond()));
    }

    @Test
    void measuresEncodeAndDecodeOfAnImportedVaeWithoutATrainingStep() throws IOException {
        Path version = temp.resolve("sd");
        ImportedVae.read(SD_FIXTURE).save(version, null);
        ModelBenchmark.Options options = new ModelBenchmark.Options(List.of(32), 1, 1, PHOTOS,
                new Iterations(0, 1), new Iterations(1, 2), version);

        ModelBenchmarkReport report = ModelBenchmark.run(options);

        assertThat(report.modelVersion()).isEqualTo(ModelDirectory.verify(version).version());
        assertThat(report.recipe()).startsWith("none");
        ModelBenchmarkReport.Row row = report.rows().get(0);
        assertThat(row.encodeImagesPerSecond()).isPositive();
        assertThat(row.decodeImagesPerSecond()).isPositive();
        assertThat(row.trainStepSeconds()).as("no recipe to train an imported VAE with here").isNaN();
        assertThat(row.trainStepFlops()).isNull();
        assertThat(row.encodeFlops().gflopsPerImage()).as("diffusers' network, attention and quant conv included")
                .isEqualTo(NetworkFlops.of(DiffusersVaeConfig.read(SD_FIXTURE.resolve("config.json")), 32)
                        .encoderGflops());
    }

    /** The full SD VAE encodes 0.146 images/s here: one decimal would print 0.1 for it and 0.05 alike. */
    @Test
    void printsTheRatesOfASlowModelToThreeSignificantDigits() {
        CpuPeak peak = CpuPeak.given(100);
        ModelBenchmarkReport.Row row = new ModelBenchmarkReport.Row(256, Double.NaN, Double.NaN, 0.14583, 6857,
                0.12589, 7943, Double.NaN, ComputeRate.of(272_722_000_000L, 0.14583, peak),
                ComputeRate.of(622_187_000_000L, 0.12589, peak), null, Double.NaN, 0, 2000);
        ModelBenchmarkReport report = new ModelBenchmarkReport("v", "kl-f8c4", "none", 1, 2, 2, 1, 1,
                new Iterations(2, 3), new Iterations(1, 3), 100, "given", List.of(row));

        assertThat(report.toTable()).contains("|        0.146 |").contains("|        0.126 |")
                .contains("|           NaN |");
    }

    @Test
    void refusesASizeThatIsNotAMultipleOfTheDownsamplingFactor() {
        ModelBenchmark.Options options = new ModelBenchmark.Options(List.of(36), 2, 1, PHOTOS,
                new Iterations(0, 1), new Iterations(0, 1));

        assertThatThrownBy(() -> ModelBenchmark.run(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 36").hasMessageContaining("downsampling factor 8");
    }
}

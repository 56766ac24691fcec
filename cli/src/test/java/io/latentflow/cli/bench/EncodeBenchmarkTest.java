package io.latentflow.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.flops.NetworkFlops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The benchmark's figures come from real runs: a small one, checked for what it counted, never for speed. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EncodeBenchmarkTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @Test
    void streamsTheFolderRepeatTimesAndReportsBothFigures(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        List<Path> photos = ImageFolders.files(PHOTOS);
        for (int i = 0; i < 16; i++) {
            Files.copy(photos.get(i * 7), images.resolve(photos.get(i * 7).getFileName()));
        }

        StringWriter out = new StringWriter();
        int exit = Latentflow.commandLine().setOut(new PrintWriter(out)).execute("bench", "encode",
                "--images", images.toString(), "--resolution", "64", "--batch", "8", "--repeat", "2",
                "--state-dir", dir.resolve("state").toString(), "--peak-gflops", "100", "--json");

        assertThat(exit).as("output: %s", out).isZero();
        JsonNode figures = new ObjectMapper().readTree(out.toString());
        assertThat(figures.get("images").asInt()).isEqualTo(16);
        assertThat(figures.get("pipelineImages").asInt()).isEqualTo(32);
        assertThat(figures.get("latentsWritten").asInt()).as("each copy is a distinct image").isEqualTo(32);
        assertThat(figures.get("deadLettered").asInt()).isZero();
        assertThat(figures.get("rawEncoderImagesPerSecond").asDouble()).isPositive().isFinite();
        assertThat(figures.get("pipelineImagesPerSecond").asDouble()).isPositive().isFinite();
        assertThat(figures.get("ratio").asDouble()).isPositive().isFinite();
        double gflopsPerImage = NetworkFlops.of(AutoencoderConfig.boundedF8C8(), 64).encoderGflops();
        assertThat(figures.get("gflopsPerImage").asDouble()).isEqualTo(gflopsPerImage);
        assertThat(figures.get("achievedGflops").asDouble())
                .isCloseTo(gflopsPerImage * figures.get("rawEncoderImagesPerSecond").asDouble(), within(0.01));
        assertThat(figures.get("peakGflops").asDouble()).isEqualTo(100);
        assertThat(figures.get("peakFraction").asDouble())
                .isCloseTo(figures.get("achievedGflops").asDouble() / 100, within(0.001));
    }
}

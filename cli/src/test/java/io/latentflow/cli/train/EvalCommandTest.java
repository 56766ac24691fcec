package io.latentflow.cli.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class EvalCommandTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @Test
    void evaluatesEveryImageOfAFolderSkipsTheRestAndPrintsOneJsonObject(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String name : new String[] {"Autumn_s1280_000.jpg", "Autumn_s1280_005.jpg", "Autumn_s1280_010.jpg"}) {
            Files.copy(PHOTOS.resolve(name), images.resolve(name));
        }
        Files.writeString(images.resolve("README.txt"), "not an image");
        Path modelDir = dir.resolve("model");
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C4(), 4, "cli-test")) {
            model.save(modelDir, "{}");
        }
        Path grid = dir.resolve("grid.png");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new EvalCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--model", modelDir.toString(), "--images", images.toString(), "--size", "64",
                        "--batch", "2", "--json", "--grid", grid.toString(), "--grid-images", "2");

        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(report.get("images").asInt()).isEqualTo(3);
        assertThat(report.get("skippedFiles").asInt()).isEqualTo(1);
        assertThat(report.get("modelVersion").asText()).isEqualTo("cli-test");
        assertThat(report.get("imageHeight").asInt()).isEqualTo(64);
        assertThat(report.get("channelStd").size()).isEqualTo(4);
        assertThat(report.get("fractionOutsideUnit").asDouble()).isZero();
        assertThat(report.get("robustnessPsnr").has("0.1")).isTrue();
        assertThat(err.toString()).contains("skipped " + images.resolve("README.txt"));
        assertThat(ImageIO.read(grid.toFile()).getHeight()).isGreaterThan(2 * 64);
    }

    @Test
    void aFolderWithoutImagesOrAMissingModelIsAUsageErrorWithAMessage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "no images here");
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new EvalCommand()).setErr(new PrintWriter(err))
                .execute("--model", "default", "--images", dir.toString(), "--size", "64");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("no images to evaluate");

        StringWriter missing = new StringWriter();
        exit = new CommandLine(new EvalCommand()).setErr(new PrintWriter(missing))
                .execute("--model", dir.resolve("absent").toString(), "--images", dir.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(missing.toString()).contains("absent");
    }
}

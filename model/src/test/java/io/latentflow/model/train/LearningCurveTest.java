package io.latentflow.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The curve along the budget: a point at each fraction and one at the end, each with every validation image's
 * figures; and a run killed after a checkpoint keeps, when resumed, the points it had measured up to it.
 */
class LearningCurveTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Path images() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("images"));
        for (String source : List.of("Autumn", "Kite", "Path")) {
            Files.copy(PHOTOS.resolve(source + "_s768_000.jpg"), dir.resolve(source + "_s768_000.jpg"));
        }
        return dir;
    }

    private TrainerConfig.Builder options(Path images, String out) {
        return TrainerConfig.builder(images, temp.resolve(out))
                .budget(TrainingBudget.steps(8))
                .cropSize(32)
                .batchSize(2)
                .threads(1)
                .curveFractions(List.of(0.25, 0.5, 0.75))
                .checkpointDir(temp.resolve(out + "-checkpoint"))
                .checkpointEvery(Duration.ZERO)
                .progress(new PrintStream(new ByteArrayOutputStream()));
    }

    private static JsonNode curve(TrainerConfig options) throws IOException {
        try (Trainer trainer = new Trainer(options)) {
            TrainingResult result = trainer.run();
            return JSON.readTree(Files.readString(result.modelDir().resolve("metrics.json"))).at("/training/curve");
        }
    }

    @Test
    void aResumedRunHasTheCurveOfTheRunItInterrupted() throws IOException {
        Path images = images();
        JsonNode whole = curve(options(images, "whole").build());

        assertThat(whole).hasSize(4);
        assertThat(whole.findValues("step").stream().map(JsonNode::asLong).toList()).containsExactly(2L, 4L, 6L, 8L);
        assertThat(whole.get(3).get("fraction").asDouble()).isEqualTo(1.0);
        assertThat(whole.get(0).get("imagePsnr")).hasSize(1);
        assertThat(whole.get(3).get("robustnessPsnrDenoised").has("0.1")).isTrue();

        // killed during step 5, after the checkpoint of step 4 and the curve's points at steps 2 and 4
        TrainingCallback kill = new TrainingCallback() {
            @Override
            public void onStepEnd(TrainingContext context) {
                if (context.step() == 5) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> curve(options(images, "killed").callbacks(List.of(kill)).build()))
                .hasMessageContaining("killed");
        assertThat(LearningCurve.storeFor(temp.resolve("killed-checkpoint"))).exists();

        JsonNode resumed = curve(options(images, "resumed").resumeFrom(temp.resolve("killed-checkpoint"))
                .checkpointDir(temp.resolve("killed-checkpoint")).build());

        assertThat(resumed).hasSize(4);
        for (int i = 0; i < 4; i++) {
            for (String field : List.of("fraction", "step", "psnr", "ssim", "imagePsnr", "imageSsim")) {
                assertThat(resumed.get(i).get(field)).as("point %d, %s", i, field).isEqualTo(whole.get(i).get(field));
            }
        }
        assertThat(LearningCurve.storeFor(temp.resolve("killed-checkpoint"))).doesNotExist();
    }
}

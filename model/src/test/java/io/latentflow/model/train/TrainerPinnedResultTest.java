package io.latentflow.model.train;

import io.latentflow.model.recipe.Adversarial;
import io.latentflow.model.recipe.RecipeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trainer's figures for seed 7, pinned as they were measured before the loop, the step, the data and the callbacks
 * were split into classes: a refactoring of the trainer must give bit for bit the same losses and the same weights (the
 * version is a hash of the averaged weights).
 */
class TrainerPinnedResultTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @TempDir
    Path temp;

    private Path images() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("images"));
        for (String source : List.of("Autumn", "Kite", "Path")) {
            for (String tile : List.of("_s768_000.jpg", "_s768_001.jpg", "_s768_002.jpg")) {
                Files.copy(PHOTOS.resolve(source + tile), dir.resolve(source + tile));
            }
        }
        return dir;
    }

    private TrainingResult train(Path images, String name, RecipeConfig recipe) throws IOException {
        TrainerConfig settings = TrainerConfig.builder(images, temp.resolve(name))
                .budget(TrainingBudget.steps(5)).cropSize(64).batchSize(4).threads(1).seed(7).recipe(recipe)
                .progress(new PrintStream(new ByteArrayOutputStream())).build();
        try (Trainer trainer = new Trainer(settings)) {
            return trainer.run();
        }
    }

    @Test
    void sevenSeedsFiveStepsOfEachRecipeAsBeforeTheSplit() throws IOException {
        Path images = images();
        TrainingResult plain = train(images, "plain", RecipeConfig.boundedAe());
        assertThat(plain.version()).isEqualTo("bounded-f8c8-ca010969a2c1");
        assertThat(plain.totalLosses()).containsExactly(1.3397888f, 1.3023106f, 1.2288992f, 1.2346443f, 1.1835964f);

        TrainingResult adversarial = train(images, "adversarial", RecipeConfig.boundedAe().withAdversarial(
                new Adversarial(true, 2, 1, 0.05, 0.1, 2, 2e-4, List.of(8, 16))));
        assertThat(adversarial.version()).isEqualTo("bounded-f8c8-a396681e19b8");
        assertThat(adversarial.totalLosses())
                .containsExactly(1.3397888f, 1.3023106f, 1.2628044f, 1.2683129f, 1.2175848f);
        assertThat(adversarial.losses().get(3)).containsEntry("d", 0.71372724f).containsEntry("r1r2", 1.4891773E-5f);
    }
}

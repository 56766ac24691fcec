package io.latentflow.model.recipe;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code recipe.json} a trained model directory carries beside {@code config.json}. */
public final class RecipeFile {

    public static final String NAME = "recipe.json";

    private RecipeFile() {
    }

    /** The recipe a model directory was trained with; empty for directories saved without one. */
    public static Optional<RecipeConfig> read(Path modelDir) throws IOException {
        Path file = modelDir.resolve(NAME);
        return Files.isRegularFile(file) ? Optional.of(RecipeConfig.read(file)) : Optional.empty();
    }
}

package io.latentflow.model.train;

import io.latentflow.model.ServingModel;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Uses weights in training exactly as a user would load them: saved to a temporary model directory, loaded back as a
 * {@link ServingModel}, deleted afterwards. Validation and the drift profile then measure what will be served.
 */
final class ThroughServingPath {

    /** What is done with the loaded model; {@code dir} is the saved directory, alive until it returns. */
    interface Use<T> {
        T apply(Path dir, ServingModel model) throws IOException;
    }

    private ThroughServingPath() {
    }

    static <T> T use(Autoencoder weights, String tempPrefix, Use<T> use) throws IOException {
        Path temp = Files.createTempDirectory(tempPrefix);
        try {
            Path dir = temp.resolve("model");
            ModelDirectory.save(weights, dir, "pending", "{}");
            try (ServingModel model = ServingModel.load(dir)) {
                return use.apply(dir, model);
            }
        } finally {
            ModelDirectory.deleteRecursively(temp);
        }
    }
}

package io.latentflow.model.bench;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainerConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Time of one training step of a recipe, measured on the {@link Trainer}'s own step (crop sampling, perturbations,
 * forward, backward, Adam, EMA, and the discriminator where the recipe has one) on random crops of real images.
 */
public final class TrainStepBenchmark {

    /** Step rate, and the last measured step's loss terms (to tell a real step from a numerically broken one). */
    public record Result(Throughput throughput, Map<String, Float> lastLosses) {

        public double secondsPerStep() {
            return throughput.millisPerCall() / 1000;
        }
    }

    private TrainStepBenchmark() {
    }

    public static Result measure(AutoencoderConfig architecture, RecipeConfig recipe, Path images, int cropSize,
                                 int batch, int threads, Iterations iterations) throws IOException {
        Path temp = Files.createTempDirectory("latentflow-bench-train-");
        try {
            // The trainer writes only at the end of run(), which a benchmark never calls: nothing lands in temp.
            TrainerConfig options = TrainerConfig.builder(images, temp.resolve("model"))
                    .architecture(architecture)
                    .recipe(recipe)
                    .budget(TrainingBudget.steps(iterations.warmup() + iterations.measured()))
                    .cropSize(cropSize)
                    .batchSize(batch)
                    .threads(threads)
                    .seed(1)
                    .progress(new PrintStream(new ByteArrayOutputStream()))
                    .build();
            AtomicReference<Map<String, Float>> losses = new AtomicReference<>(Map.of());
            try (Trainer trainer = new Trainer(options)) {
                Throughput throughput = Throughput.measure(() -> losses.set(trainer.runSteps(1)), batch, iterations);
                return new Result(throughput, losses.get());
            }
        } finally {
            ModelDirectory.deleteRecursively(temp);
        }
    }
}

package io.latentflow.model.bench;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.MicroBatching;
import io.latentflow.model.train.StepOutcome;
import io.latentflow.model.train.TrainerConfig;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainingData;
import io.latentflow.model.train.TrainingStep;
import io.latentflow.model.train.WeightAverage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Time of one training step of a recipe, measured on the trainer's own {@link TrainingStep} (crop sampling,
 * perturbations, forward, backward, Adam, and the discriminator where the recipe has one) and its
 * {@link WeightAverage}, on random crops of the training split of real images, with no loop, guard, checkpoint or
 * validation around them.
 */
public final class TrainStepBenchmark {

    /**
     * Step rate, the last measured step's loss terms (to tell a real step from a numerically broken one), and the
     * images per micro-batch the step ran in (the batch when it was not split).
     */
    public record Result(Throughput throughput, Map<String, Float> lastLosses, int imagesPerMicroBatch) {

        public double secondsPerStep() {
            return throughput.millisPerCall() / 1000;
        }
    }

    private TrainStepBenchmark() {
    }

    public static Result measure(AutoencoderConfig architecture, RecipeConfig recipe, Path images, int cropSize,
                                 int batch, int threads, Iterations iterations, MicroBatching microBatching)
            throws IOException {
        Path temp = Files.createTempDirectory("latentflow-bench-train-");
        try {
            // Only a trainer's run writes the output, and a benchmark runs none: nothing lands in temp.
            TrainerConfig config = TrainerConfig.builder(images, temp.resolve("model"))
                    .architecture(architecture)
                    .recipe(recipe)
                    .budget(TrainingBudget.steps(iterations.warmup() + iterations.measured()))
                    .cropSize(cropSize)
                    .batchSize(batch)
                    .threads(threads)
                    .seed(1)
                    .microBatching(microBatching)
                    .progress(new PrintStream(new ByteArrayOutputStream()))
                    .build();
            AtomicReference<Map<String, Float>> losses = new AtomicReference<>(Map.of());
            TrainingData data = TrainingData.load(config);
            try (TrainingStep step = new TrainingStep(config, data.sampler(), null)) {
                WeightAverage average = new WeightAverage(step, recipe.emaDecay());
                AtomicLong next = new AtomicLong();
                Throughput throughput = Throughput.measure(() -> {
                    long n = next.getAndIncrement();
                    StepOutcome outcome = step.run(n, step.learningRateAt(n, 0), 1);
                    if (outcome.applied()) {
                        average.update();
                    }
                    losses.set(outcome.losses());
                }, batch, iterations);
                return new Result(throughput, losses.get(), step.imagesPerPart());
            }
        } finally {
            ModelDirectory.deleteRecursively(temp);
        }
    }
}

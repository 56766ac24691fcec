package io.latentflow.model.train;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.recipe.RecipeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A training step split into micro-batches is the unsplit step: same seed, same draws, every weight of the autoencoder
 * and of the discriminator after the step equal up to float rounding, for recipes that use every loss term (L1, L2,
 * SSIM, the variance term over the batch, all five perturbations, scale equivariance, the adversarial term, the
 * discriminator's own step with its R1 + R2 penalties; and kl-vae's KL term and sampled latents).
 *
 * <p>Adam's first update is {@code lr * sign(g)} for any gradient above its epsilon, which would turn a gradient at
 * rounding level (a bias feeding a GroupNorm) into a full step of either sign. So both runs start from the same
 * restored optimiser state with second moments of 1 (as after many steps of unit gradients): the update is then
 * {@code ~0.08 * lr * g}, linear in the gradient, and a large rate makes it, not the weights' own rounding, what is
 * compared. Tolerance: per weight tensor, the largest difference between the split and unsplit weights is at most
 * {@value #TOLERANCE} of the largest change the unsplit step made to that tensor. The same comparison of two unsplit
 * steps on different crops fails by orders of magnitude (the test keeps that check).
 *
 * <p>Runs on whatever vector unit PyTorch dispatches to; for AVX2 on an AVX-512 machine run it with
 * {@code ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2} in the environment (docs/benchmarks.md).
 */
class MicroBatchStepTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");
    private static final double TOLERANCE = 1e-4;
    private static final double LEARNING_RATE = 1;
    private static final int BATCH = 4;
    private static final int CROP = 32;

    @TempDir
    Path temp;

    @Test
    void boundedRecipeWithEveryTermGivesTheSameWeightsSplitOrNot() throws IOException {
        // the adversarial term and the discriminator's step from step 0, scale equivariance on: every term the
        // recipes have, with the variance term's batch statistics across parts of 3 and 1 images
        RecipeConfig recipe = RecipeConfig.boundedAe().withScaleEquivariance(0.1).withDiscriminator()
                .withAdversarialSchedule(0, 0);
        AutoencoderConfig architecture = AutoencoderConfig.boundedF8C8();
        Weights whole = weightsAfterStep(architecture, recipe, MicroBatching.WHOLE_BATCH, 0);
        Weights split = weightsAfterStep(architecture, recipe, new MicroBatching(3), 0);

        assertThat(split.partsPerStep).isEqualTo(2);
        assertThat(whole.losses.keySet()).contains("l1", "l2", "ssim", "var", "se", "adv", "d", "r1r2");
        assertEqualUpToRounding(split, whole);
        split.losses.forEach((name, value) -> assertThat(value).as("loss term " + name)
                .isCloseTo(whole.losses.get(name), org.assertj.core.data.Percentage.withPercentage(0.01)));
    }

    @Test
    void klRecipeGivesTheSameWeightsInMicroBatchesOfOne() throws IOException {
        RecipeConfig recipe = RecipeConfig.klVae().withScaleEquivariance(0.1);
        AutoencoderConfig architecture = AutoencoderConfig.klVaeF8C4();
        Weights whole = weightsAfterStep(architecture, recipe, MicroBatching.WHOLE_BATCH, 0);
        Weights split = weightsAfterStep(architecture, recipe, new MicroBatching(1), 0);

        assertThat(split.partsPerStep).isEqualTo(BATCH);
        assertThat(whole.losses.keySet()).contains("kl", "se");
        assertEqualUpToRounding(split, whole);
    }

    @Test
    void theComparisonTellsAStepOnOtherCropsApart() throws IOException {
        RecipeConfig recipe = RecipeConfig.boundedAe();
        AutoencoderConfig architecture = AutoencoderConfig.boundedF8C8();
        Weights step0 = weightsAfterStep(architecture, recipe, MicroBatching.WHOLE_BATCH, 0);
        Weights step1 = weightsAfterStep(architecture, recipe, MicroBatching.WHOLE_BATCH, 1);

        System.out.println("worst relative difference step 1 vs step 0: " + worstRelativeDifference(step1, step0));
        assertThat(worstRelativeDifference(step1, step0)).isGreaterThan(100 * TOLERANCE);
    }

    @Test
    void autoSplitsA256PxBatchOfTheDefaultModelIntoImagesAndLeavesA64PxBatchWhole() {
        AutoencoderConfig architecture = AutoencoderConfig.boundedF8C8();
        // the decoder's largest activation: 32 channels at full size, 8 MB an image at 256 px, the default budget
        assertThat(MicroBatching.AUTO.imagesPerPart(16, architecture, 256)).isEqualTo(1);
        assertThat(MicroBatching.AUTO.imagesPerPart(16, architecture, 128)).isEqualTo(4);
        assertThat(MicroBatching.AUTO.imagesPerPart(16, architecture, 64)).isEqualTo(16);
        assertThat(MicroBatching.parse("off")).isEqualTo(MicroBatching.WHOLE_BATCH);
        assertThat(MicroBatching.parse("4").imagesPerPart(16, architecture, 64)).isEqualTo(4);
    }

    private static void assertEqualUpToRounding(Weights split, Weights whole) {
        assertThat(split.after.length).isEqualTo(whole.after.length);
        System.out.println("worst relative difference split vs whole: " + worstRelativeDifference(split, whole));
        assertThat(worstRelativeDifference(split, whole)).isLessThanOrEqualTo(TOLERANCE);
    }

    /**
     * Over all tensors: the largest {@code |split - whole| - 2 ulp(whole)} of a tensor's weights over the largest
     * change {@code |whole - before|} the unsplit step made to the tensor. Two ulps are what storing the updated weight
     * itself may round (a GroupNorm scale near 1 moves by 1e-3 in steps of 1.2e-7).
     */
    private static double worstRelativeDifference(Weights split, Weights whole) {
        double worst = 0;
        for (int t = 0; t < whole.after.length; t++) {
            double change = 0;
            double difference = 0;
            for (int i = 0; i < whole.after[t].length; i++) {
                change = Math.max(change, Math.abs(whole.after[t][i] - whole.before[t][i]));
                difference = Math.max(difference, Math.abs(split.after[t][i] - whole.after[t][i])
                        - 2 * Math.ulp(whole.after[t][i]));
            }
            // a tensor the step leaves as it was (the discriminator's last bias: D(fake) - D(real) cancels it) must
            // stay so split too
            worst = Math.max(worst, difference <= 0 ? 0 : change == 0 ? Double.POSITIVE_INFINITY : difference / change);
        }
        return worst;
    }

    private Weights weightsAfterStep(AutoencoderConfig architecture, RecipeConfig recipe, MicroBatching microBatching,
                                     long stepIndex) throws IOException {
        TrainerConfig config = TrainerConfig.builder(images(), temp.resolve("model"))
                .architecture(architecture)
                .recipe(recipe)
                .budget(TrainingBudget.steps(1))
                .cropSize(CROP)
                .batchSize(BATCH)
                .threads(1)
                .seed(7)
                .microBatching(microBatching)
                .progress(new PrintStream(new ByteArrayOutputStream()))
                .build();
        TrainingData data = TrainingData.load(config);
        try (TrainingStep step = new TrainingStep(config, data.sampler(), null)) {
            step.restore(withUnitSecondMoments(step.snapshot(0)));
            float[][] before = allWeights(step);
            StepOutcome outcome = step.run(stepIndex, LEARNING_RATE, 1);
            assertThat(outcome.applied()).as("step applied: %s", outcome.losses()).isTrue();
            return new Weights(before, allWeights(step), outcome.losses(), BATCH / step.imagesPerPart()
                    + (BATCH % step.imagesPerPart() == 0 ? 0 : 1));
        }
    }

    private static TrainingSnapshot withUnitSecondMoments(TrainingSnapshot snapshot) {
        return new TrainingSnapshot(snapshot.step, snapshot.weights, snapshot.averaged, unitSecondMoments(snapshot.adam),
                snapshot.discriminator, snapshot.discriminatorAdam == null ? null
                : unitSecondMoments(snapshot.discriminatorAdam));
    }

    private static AdamOptimizer.State unitSecondMoments(AdamOptimizer.State state) {
        float[][] means = new float[state.means().length][];
        float[][] variances = new float[state.variances().length][];
        for (int i = 0; i < means.length; i++) {
            means[i] = new float[state.means()[i].length];
            variances[i] = new float[state.variances()[i].length];
            Arrays.fill(variances[i], 1f);
        }
        // many updates: the bias corrections are ~1, and the discriminator's penalty falls due (1000 % 4 == 0)
        return new AdamOptimizer.State(1000, means, variances);
    }

    private static float[][] allWeights(TrainingStep step) {
        float[][] autoencoder = step.liveParameters().values();
        if (step.adversarial() == null) {
            return autoencoder;
        }
        float[][] discriminator = step.adversarial().parameters().values();
        float[][] all = Arrays.copyOf(autoencoder, autoencoder.length + discriminator.length);
        System.arraycopy(discriminator, 0, all, autoencoder.length, discriminator.length);
        return all;
    }

    /** Three tiles of each of three sample photos: two sources train, one validates. */
    private Path images() throws IOException {
        Path dir = temp.resolve("images");
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Files.createDirectories(dir);
        for (String source : List.of("Autumn", "Kite", "Path")) {
            for (String tile : List.of("_s768_000.jpg", "_s768_001.jpg", "_s768_002.jpg")) {
                Files.copy(PHOTOS.resolve(source + tile), dir.resolve(source + tile));
            }
        }
        return dir;
    }

    private record Weights(float[][] before, float[][] after, Map<String, Float> losses, int partsPerStep) {
    }
}

package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.recipe.LatentPerturbations;
import io.latentflow.model.recipe.PerturbationPlan;
import io.latentflow.model.recipe.RecipeConfig;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AutoencoderObjectiveTest {

    private static float[] extremeImages(int batch, int side, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[batch * 3 * side * side];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextGaussian() * 50);
        }
        return pixels;
    }

    @Test
    void boundedLatentsNeverLeaveTheUnitIntervalInTrainingMode() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (long seed : new long[] {1, 2, 3}) {
                Autoencoder autoencoder = Autoencoder.initialized(AutoencoderConfig.boundedF8C8(), manager, seed);
                NDArray images = manager.create(extremeImages(2, 32, seed), new Shape(2, 3, 32, 32));
                float[] latents = autoencoder.encoder().forward(new ParameterStore(manager, false),
                        new NDList(images), true).singletonOrThrow().toFloatArray();
                for (float v : latents) {
                    assertThat(v).isBetween(-1f, 1f);
                }
            }
        }
    }

    @Test
    void boundedObjectiveAddsL1L2AndVarianceWithTheirWeights() {
        RecipeConfig recipe = RecipeConfig.boundedAe();
        try (NDManager manager = NDManager.newBaseManager()) {
            Autoencoder autoencoder = Autoencoder.initialized(AutoencoderConfig.boundedF8C8(), manager, 4);
            NDArray images = manager.create(extremeImages(2, 32, 4), new Shape(2, 3, 32, 32)).tanh();
            PerturbationPlan plan = new LatentPerturbations(recipe.perturbations()).draw(new SplittableRandom(1), 2,
                    8, 4, 4);
            LossTerms terms = new AutoencoderObjective(recipe, AutoencoderConfig.boundedF8C8())
                    .compute(new ParameterStore(manager, false), autoencoder, images, images, plan, null);
            var values = terms.values();
            assertThat(values).containsOnlyKeys("loss", "l1", "l2", "ssim", "var");
            assertThat(values.get("ssim")).as("1 - SSIM of a poor reconstruction").isBetween(0f, 2f);
            assertThat(values.get("loss")).isCloseTo(values.get("l1") + values.get("l2") + 0.2f * values.get("ssim")
                    + 0.1f * values.get("var"), within(1e-5f));
            assertThat(terms.reconstruction().getShape()).isEqualTo(new Shape(2, 3, 32, 32));
        }
    }

    @Test
    void klObjectiveSamplesAroundTheMeanAndNormalisesTheKlPerImageValue() {
        RecipeConfig recipe = RecipeConfig.klVae();
        AutoencoderConfig config = AutoencoderConfig.klVaeF8C4();
        try (NDManager manager = NDManager.newBaseManager()) {
            Autoencoder autoencoder = Autoencoder.initialized(config, manager, 5);
            NDArray images = manager.create(extremeImages(2, 32, 5), new Shape(2, 3, 32, 32)).tanh();
            ParameterStore parameters = new ParameterStore(manager, false);
            NDArray moments = autoencoder.encoder().forward(parameters, new NDList(images), true).singletonOrThrow();
            NDArray mean = moments.get(":, :4");
            NDArray logVariance = moments.get(":, 4:");
            float expectedKl = Losses.klDivergence(mean, logVariance).getFloat() / (3 * 32 * 32);
            NDArray zeroNoise = manager.zeros(new Shape(2, 4, 4, 4));
            LossTerms terms = new AutoencoderObjective(recipe, config).compute(parameters, autoencoder, images, images,
                    PerturbationPlan.none(2, 4, 4, 4), zeroNoise);
            assertThat(terms.values()).containsOnlyKeys("loss", "l1", "l2", "ssim", "kl");
            assertThat(terms.values().get("kl")).isCloseTo(expectedKl, within(Math.abs(expectedKl) * 1e-4f));
            NDArray fromMean = autoencoder.decoder().forward(parameters, new NDList(mean), true).singletonOrThrow();
            assertThat(terms.reconstruction().toFloatArray()).as("zero noise decodes the mean")
                    .containsExactly(fromMean.toFloatArray(), within(1e-5f));
        }
    }
}

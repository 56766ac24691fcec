package io.latentflow.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.recipe.LatentPerturbations;
import io.latentflow.model.recipe.PerturbationPlan;
import io.latentflow.model.recipe.RecipeConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

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
                    .compute(new ParameterStore(manager, false), autoencoder, images, images, plan, null, 1);
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
                    PerturbationPlan.none(2, 4, 4, 4), zeroNoise, 1);
            assertThat(terms.values()).containsOnlyKeys("loss", "l1", "l2", "ssim", "kl");
            assertThat(terms.values().get("kl")).isCloseTo(expectedKl, within(Math.abs(expectedKl) * 1e-4f));
            NDArray fromMean = autoencoder.decoder().forward(parameters, new NDList(mean), true).singletonOrThrow();
            assertThat(terms.reconstruction().toFloatArray()).as("zero noise decodes the mean")
                    .containsExactly(fromMean.toFloatArray(), within(1e-5f));
        }
    }

    @Test
    void theScaleEquivarianceTermAddsItsWeightedDistanceAndChangesTheDecodersGradient() {
        AutoencoderConfig config = AutoencoderConfig.boundedF8C8();
        RecipeConfig off = RecipeConfig.boundedAe().withoutPerturbations();
        RecipeConfig on = off.withScaleEquivariance(0.5);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.create(extremeImages(2, 32, 6), new Shape(2, 3, 32, 32)).tanh();
            Map<String, Float> valuesOff = new HashMap<>();
            float[] gradientOff = decoderGradient(manager, config, (parameters, autoencoder) ->
                    stepOf(off, config, parameters, autoencoder, images, valuesOff));
            Map<String, Float> values = new HashMap<>();
            float[] gradientOn = decoderGradient(manager, config, (parameters, autoencoder) ->
                    stepOf(on, config, parameters, autoencoder, images, values));

            assertThat(valuesOff).doesNotContainKey("se");
            assertThat(values.get("se")).isPositive();
            assertThat(values.get("loss")).isCloseTo(valuesOff.get("loss") + 0.5f * values.get("se"), within(1e-5f));
            assertThat(values.get("l1")).isEqualTo(valuesOff.get("l1"));
            assertThat(gradientOff).as("a decoder weight's gradient without the term").isNotEqualTo(new float[0]);
            assertThat(gradientOn).isNotEqualTo(gradientOff);
        }
    }

    @Test
    void areaDownsamplingOfTheTermIsTheMeanOfEachBlock() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray plane = manager.create(new float[] {1, 3, 5, 7, 1, 3, 5, 7, 9, 9, 0, 0, 9, 9, 0, 4},
                    new Shape(1, 1, 4, 4));
            assertThat(ScaleEquivariance.downsample(plane, 2).toFloatArray()).containsExactly(2f, 6f, 9f, 1f);
            assertThat(ScaleEquivariance.downsample(plane, 4).toFloatArray()).containsExactly(4.5f);
        }
    }

    /** The objective of one step at factor 2 on clean latents; its values go into {@code values}. */
    private static LossTerms stepOf(RecipeConfig recipe, AutoencoderConfig config, ParameterStore parameters,
                                    Autoencoder autoencoder, NDArray images, Map<String, Float> values) {
        LossTerms terms = new AutoencoderObjective(recipe, config).compute(parameters, autoencoder, images, images,
                PerturbationPlan.none(2, 8, 4, 4), null, 2);
        values.putAll(terms.values());
        return terms;
    }

    /** The gradient of every decoder weight of {@code loss}'s total on a fresh model of seed 6, concatenated. */
    private static float[] decoderGradient(NDManager manager, AutoencoderConfig config,
                                           BiFunction<ParameterStore, Autoencoder, LossTerms> loss) {
        try (NDManager scope = manager.newSubManager()) {
            Autoencoder autoencoder = Autoencoder.initialized(config, scope, 6);
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                collector.backward(loss.apply(new ParameterStore(scope, false), autoencoder).total());
            }
            List<Float> gradient = new ArrayList<>();
            for (Pair<String, Parameter> parameter : autoencoder.decoder().getParameters()) {
                for (float value : parameter.getValue().getArray().getGradient().toFloatArray()) {
                    gradient.add(value);
                }
            }
            float[] flat = new float[gradient.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = gradient.get(i);
            }
            return flat;
        }
    }
}

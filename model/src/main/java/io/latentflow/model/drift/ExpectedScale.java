package io.latentflow.model.drift;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.recipe.RecipeConfig;

import java.util.Optional;

/**
 * The overall latent standard deviation a model version promises, which the SCALE check holds every window to, and
 * why that one:
 * <ul>
 *   <li>unbounded (KL) latents: 1, the unit scale a diffusion model assumes; nothing in such a model keeps its latents
 *       there, which is why Stable Diffusion users multiply by 0.18215;</li>
 *   <li>bounded latents trained with a variance target: the square root of that target, the recipe's promise;</li>
 *   <li>bounded latents without a recipe (an untrained model, a model saved without {@code recipe.json}): the
 *       standard deviation seen on the reference images, since the model promises nothing else.</li>
 * </ul>
 *
 * @param std   overall standard deviation expected of the latents
 * @param basis where {@code std} comes from, for people reading an alert
 */
public record ExpectedScale(double std, String basis) implements java.io.Serializable {

    public static final String UNIT = "unit scale (unbounded latents)";
    public static final String RECIPE = "recipe variance target";
    public static final String REFERENCE = "reference images (no recipe promises a scale)";

    public ExpectedScale {
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("expected latent std must be positive and finite, got " + std);
        }
        if (basis == null || basis.isBlank()) {
            throw new IllegalArgumentException("expected latent scale needs a basis");
        }
    }

    /**
     * Whether the latents are bounded, so that OUT_OF_RANGE may hold them to [-1, 1]. Unit-scale latents (an imported
     * diffusion VAE's, scaled as a diffusion model consumes them) have about a third of their values outside it by
     * design; what is wrong with them is a wrong scale (SCALE) or extreme positions (BLACK_HOLES).
     */
    public boolean bounded() {
        return !UNIT.equals(basis);
    }

    /** The expectation for a model of this config and recipe whose reference latents have {@code referenceStd}. */
    public static ExpectedScale of(AutoencoderConfig config, Optional<RecipeConfig> recipe, double referenceStd) {
        if (config.latentKind() == LatentKind.KL) {
            return new ExpectedScale(1, UNIT);
        }
        if (recipe.isPresent() && recipe.get().variance().weight() > 0) {
            return new ExpectedScale(Math.sqrt(recipe.get().variance().target()), RECIPE);
        }
        return new ExpectedScale(referenceStd, REFERENCE);
    }
}

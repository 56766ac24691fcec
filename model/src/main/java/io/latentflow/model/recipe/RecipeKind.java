package io.latentflow.model.recipe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.latentflow.model.LatentKind;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The two training recipes: the project's bounded autoencoder and the Stable Diffusion style KL-VAE baseline. */
public enum RecipeKind {
    /** tanh-bounded latents, variance loss, perturbed latents before the decoder, no KL. */
    BOUNDED_AE("bounded-ae", LatentKind.BOUNDED),
    /** mean/log-variance head, reparameterised sampling, KL weight 1e-6, unbounded latents. */
    KL_VAE("kl-vae", LatentKind.KL);

    private final String id;
    private final LatentKind latentKind;

    RecipeKind(String id, LatentKind latentKind) {
        this.id = id;
        this.latentKind = latentKind;
    }

    /** The name used on the command line and in {@code recipe.json}. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The encoder head this recipe trains. */
    public LatentKind latentKind() {
        return latentKind;
    }

    @JsonCreator
    public static RecipeKind fromId(String id) {
        for (RecipeKind kind : values()) {
            if (kind.id.equals(id) || kind.name().equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown recipe '" + id + "': use one of "
                + Arrays.stream(values()).map(RecipeKind::id).collect(Collectors.joining(", ")));
    }
}

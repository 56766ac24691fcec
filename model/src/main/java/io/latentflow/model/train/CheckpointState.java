package io.latentflow.model.train;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.recipe.RecipeConfig;

import java.util.Map;

/**
 * {@code checkpoint.json}: where a run stands. The random state needs no saving: every step's draws derive from
 * (seed, step) alone.
 *
 * @param step              steps completed
 * @param trainingMillis    training time spent so far (counts against a time budget after a resume)
 * @param learningRateScale lowered by the non-finite guard each time it restores
 * @param nonFiniteSkips    steps skipped because the loss was NaN or infinite
 * @param optimizerUpdates  Adam's update count per optimiser ("autoencoder", "discriminator"), for bias correction
 */
public record CheckpointState(
        int formatVersion,
        long step,
        long trainingMillis,
        long seed,
        int cropSize,
        int batchSize,
        double validationFraction,
        double learningRateScale,
        int nonFiniteSkips,
        Map<String, Long> optimizerUpdates,
        AutoencoderConfig architecture,
        RecipeConfig recipe) {

    public static final int FORMAT_VERSION = 1;

    public CheckpointState {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("checkpoint formatVersion is " + formatVersion + ", this build reads "
                    + FORMAT_VERSION + ": resume with the release that wrote it");
        }
        optimizerUpdates = optimizerUpdates == null ? Map.of() : Map.copyOf(optimizerUpdates);
    }
}

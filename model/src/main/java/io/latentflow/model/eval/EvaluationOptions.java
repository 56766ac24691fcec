package io.latentflow.model.eval;

import io.latentflow.model.drift.BlackHoles;
import io.latentflow.model.drift.ReferenceProfile;

import java.util.List;
import java.util.Optional;

/**
 * What an evaluation measures besides the fixed figures.
 *
 * @param noiseSigmas        Gaussian noise added to latents before decoding, in units of each channel's std
 * @param seed               seed of that noise: the same images, model and seed give the same report
 * @param blackHoleReference the model version's reference profile, which {@link BlackHoles} are measured against (as
 *                           the drift monitor measures them); empty: against the evaluated images' own channel means
 *                           and stds, for a model that has no profile yet (a trainer's candidate before export)
 * @param denoised           whether the noisy latents are then denoised as a diffusion model that knew only each
 *                           channel's mean and variance would (its optimal, linear denoiser: {@code mean + (z - mean) /
 *                           (1 + sigma^2)}): a sampler's last step, shrunk towards the mean, instead of raw noise
 * @param scaleEquivariance  whether to decode the 2x- and 4x-downsampled latents too (a third more decoding): for
 *                           {@code eval} and exports, not for the checks that run often (validation, the gate)
 */
public record EvaluationOptions(List<Double> noiseSigmas, long seed, Optional<ReferenceProfile> blackHoleReference,
                                boolean denoised, boolean scaleEquivariance) {

    public static final List<Double> DEFAULT_NOISE_SIGMAS = List.of(0.05, 0.1, 0.2);
    public static final long DEFAULT_SEED = 0;

    public EvaluationOptions {
        noiseSigmas = List.copyOf(noiseSigmas);
        for (double sigma : noiseSigmas) {
            if (!(sigma >= 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("noise sigma " + sigma + " must be a finite number >= 0 (units of"
                        + " the latent std)");
            }
        }
        if (noiseSigmas.stream().distinct().count() != noiseSigmas.size()) {
            throw new IllegalArgumentException("noise sigmas " + noiseSigmas + " contain a duplicate");
        }
        if (blackHoleReference == null) {
            throw new IllegalArgumentException("no black-hole reference: give Optional.empty() to measure black holes"
                    + " against the evaluated images");
        }
    }

    /** Noise 0.05, 0.1, 0.2 std; seed 0; black holes against the evaluated images; scale equivariance measured. */
    public static EvaluationOptions defaults() {
        return new EvaluationOptions(DEFAULT_NOISE_SIGMAS, DEFAULT_SEED, Optional.empty(), false, true);
    }

    /** Reconstruction and latent statistics only: no latent noise, no downsampled decodes. */
    public static EvaluationOptions reconstructionOnly() {
        return defaults().withNoiseSigmas(List.of()).withoutScaleEquivariance();
    }

    public EvaluationOptions withoutScaleEquivariance() {
        return new EvaluationOptions(noiseSigmas, seed, blackHoleReference, denoised, false);
    }

    public EvaluationOptions withNoiseSigmas(List<Double> sigmas) {
        return new EvaluationOptions(sigmas, seed, blackHoleReference, denoised, scaleEquivariance);
    }

    public EvaluationOptions withSeed(long newSeed) {
        return new EvaluationOptions(noiseSigmas, newSeed, blackHoleReference, denoised, scaleEquivariance);
    }

    public EvaluationOptions withDenoised(boolean denoise) {
        return new EvaluationOptions(noiseSigmas, seed, blackHoleReference, denoise, scaleEquivariance);
    }

    /** Black holes measured against {@code reference}, the model version's own profile, as the drift monitor does. */
    public EvaluationOptions withBlackHoleReference(ReferenceProfile reference) {
        return new EvaluationOptions(noiseSigmas, seed, Optional.of(reference), denoised, scaleEquivariance);
    }
}

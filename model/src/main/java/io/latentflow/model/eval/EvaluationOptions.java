package io.latentflow.model.eval;

import java.util.List;

/**
 * What an evaluation measures besides the fixed figures.
 *
 * @param noiseSigmas        Gaussian noise added to latents before decoding, in units of each channel's std
 * @param seed               seed of that noise: the same images, model and seed give the same report
 * @param blackHoleThreshold |z| beyond which a latent value counts as a black hole
 * @param denoised           whether the noisy latents are then denoised as a diffusion model that knew only each
 *                           channel's mean and variance would (its optimal, linear denoiser: {@code mean + (z - mean) /
 *                           (1 + sigma^2)}): a sampler's last step, shrunk towards the mean, instead of raw noise
 */
public record EvaluationOptions(List<Double> noiseSigmas, long seed, double blackHoleThreshold, boolean denoised) {

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
        if (!(blackHoleThreshold > 0)) {
            throw new IllegalArgumentException("black-hole threshold " + blackHoleThreshold + " must be > 0");
        }
    }

    /** Noise 0.05, 0.1, 0.2 std; seed 0; black holes beyond 6 std. */
    public static EvaluationOptions defaults() {
        return new EvaluationOptions(DEFAULT_NOISE_SIGMAS, DEFAULT_SEED, BlackHoles.DEFAULT_THRESHOLD, false);
    }

    public EvaluationOptions withNoiseSigmas(List<Double> sigmas) {
        return new EvaluationOptions(sigmas, seed, blackHoleThreshold, denoised);
    }

    public EvaluationOptions withSeed(long newSeed) {
        return new EvaluationOptions(noiseSigmas, newSeed, blackHoleThreshold, denoised);
    }

    public EvaluationOptions withDenoised(boolean denoise) {
        return new EvaluationOptions(noiseSigmas, seed, blackHoleThreshold, denoise);
    }
}

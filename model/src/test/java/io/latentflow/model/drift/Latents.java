package io.latentflow.model.drift;

import io.latentflow.model.AutoencoderConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/** Synthetic latents with known distributions, per channel. */
final class Latents {

    static final int CHANNELS = 4;
    static final int POSITIONS = 64;

    private Latents() {
    }

    /** {@code images} latents whose channel c is N(mean[c], std[c]^2). */
    static List<float[]> gaussian(int images, double[] mean, double[] std, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<float[]> latents = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            float[] latent = new float[mean.length * POSITIONS];
            for (int c = 0; c < mean.length; c++) {
                for (int p = 0; p < POSITIONS; p++) {
                    latent[c * POSITIONS + p] = (float) (mean[c] + std[c] * random.nextGaussian());
                }
            }
            latents.add(latent);
        }
        return latents;
    }

    static List<float[]> standard(int images, long seed) {
        return gaussian(images, new double[]{0, 0, 0, 0}, new double[]{0.25, 0.25, 0.25, 0.25}, seed);
    }

    /** A profile of {@link #standard} latents (channels N(0, 0.25^2)) for a bounded f8c4 model without a recipe. */
    static ReferenceProfile standardProfile() {
        return ReferenceProfile.of("test-model", AutoencoderConfig.boundedF8C4(), Optional.empty(), 64,
                standard(400, 1), "synthetic N(0, 0.25^2)");
    }

    static WindowStatistics window(ReferenceProfile profile, List<float[]> latents) {
        WindowAccumulator accumulator = new WindowAccumulator(profile);
        for (int i = 0; i < latents.size(); i++) {
            accumulator.add("image-" + i, "synthetic", i, latents.get(i), profile.novelty(latents.get(i)));
        }
        return accumulator.result();
    }
}

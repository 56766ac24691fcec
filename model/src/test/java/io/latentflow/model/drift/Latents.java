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

    /** Latents whose channels share a component: every pair correlates by about {@code correlation}. */
    static List<float[]> correlated(int images, double correlation, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<float[]> latents = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            float[] latent = new float[CHANNELS * POSITIONS];
            for (int p = 0; p < POSITIONS; p++) {
                double shared = random.nextGaussian();
                for (int c = 0; c < CHANNELS; c++) {
                    double own = random.nextGaussian();
                    latent[c * POSITIONS + p] = (float) (0.25 * (Math.sqrt(correlation) * shared
                            + Math.sqrt(1 - correlation) * own));
                }
            }
            latents.add(latent);
        }
        return latents;
    }

    /** Latents of flat regions split by a sharp edge (a random column), each channel its own two levels. */
    static List<float[]> flatFills(int images, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int side = (int) Math.sqrt(POSITIONS);
        List<float[]> latents = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            float[] latent = new float[CHANNELS * POSITIONS];
            int edge = 1 + random.nextInt(side - 1);
            for (int c = 0; c < CHANNELS; c++) {
                double left = 0.5 * random.nextGaussian();
                double right = 0.5 * random.nextGaussian();
                for (int p = 0; p < POSITIONS; p++) {
                    latent[c * POSITIONS + p] = (float) ((p % side < edge ? left : right) + 0.001 * random.nextGaussian());
                }
            }
            latents.add(latent);
        }
        return latents;
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

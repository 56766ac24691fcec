package io.latentflow.model.recipe;

import java.util.SplittableRandom;

/**
 * Draws the latent perturbations of one training step from a recipe. All randomness comes from the caller's generator,
 * so a step is reproducible from (seed, step) alone; the result is a {@link PerturbationPlan} that touches the latents
 * with at most three wide tensor operations.
 */
public final class LatentPerturbations {

    private final Perturbations config;

    public LatentPerturbations(Perturbations config) {
        this.config = config;
    }

    public boolean any() {
        return config.any();
    }

    /** Perturbations for a batch of latents of shape (batch, channels, height, width). */
    public PerturbationPlan draw(SplittableRandom random, int batch, int channels, int height, int width) {
        int plane = height * width;
        int perSample = channels * plane;
        int[] shiftY = new int[batch];
        int[] shiftX = new int[batch];
        float[] mask = null;
        float[] noise = null;
        boolean anyShift = false;
        // One stream per perturbation: switching one off (an ablation) leaves the draws of the others unchanged.
        SplittableRandom shiftRandom = random.split();
        SplittableRandom channelRandom = random.split();
        SplittableRandom spatialRandom = random.split();
        SplittableRandom gaussianRandom = random.split();
        SplittableRandom quantizationRandom = random.split();
        for (int n = 0; n < batch; n++) {
            if (hits(shiftRandom, config.shift())) {
                int reach = (int) config.shift().strength();
                do {
                    shiftY[n] = shiftRandom.nextInt(-reach, reach + 1);
                    shiftX[n] = shiftRandom.nextInt(-reach, reach + 1);
                } while (shiftY[n] == 0 && shiftX[n] == 0);
                anyShift = true;
            }
            if (hits(channelRandom, config.channelDropout())) {
                mask = mask != null ? mask : ones(batch * perSample);
                for (int c = 0; c < channels; c++) {
                    if (channelRandom.nextDouble() < config.channelDropout().strength()) {
                        java.util.Arrays.fill(mask, n * perSample + c * plane, n * perSample + (c + 1) * plane, 0f);
                    }
                }
            }
            if (hits(spatialRandom, config.spatialDropout())) {
                mask = mask != null ? mask : ones(batch * perSample);
                for (int p = 0; p < plane; p++) {
                    if (spatialRandom.nextDouble() < config.spatialDropout().strength()) {
                        for (int c = 0; c < channels; c++) {
                            mask[n * perSample + c * plane + p] = 0f;
                        }
                    }
                }
            }
            if (hits(gaussianRandom, config.gaussianNoise())) {
                noise = noise != null ? noise : new float[batch * perSample];
                double sigma = gaussianRandom.nextDouble() * config.gaussianNoise().strength();
                for (int i = n * perSample; i < (n + 1) * perSample; i++) {
                    noise[i] += (float) (sigma * gaussianRandom.nextGaussian());
                }
            }
            if (hits(quantizationRandom, config.quantization())) {
                noise = noise != null ? noise : new float[batch * perSample];
                double step = quantizationStep((int) config.quantization().strength());
                for (int i = n * perSample; i < (n + 1) * perSample; i++) {
                    noise[i] += (float) ((quantizationRandom.nextDouble() - 0.5) * step);
                }
            }
        }
        return new PerturbationPlan(batch, channels, height, width, anyShift ? shiftY : null,
                anyShift ? shiftX : null, mask, noise);
    }

    /** Spacing of a {@code bits}-bit grid over [-1, 1]. */
    public static double quantizationStep(int bits) {
        return 2.0 / ((1L << bits) - 1);
    }

    private static boolean hits(SplittableRandom random, Perturbation perturbation) {
        return perturbation.enabled() && random.nextDouble() < perturbation.probability();
    }

    private static float[] ones(int size) {
        float[] values = new float[size];
        java.util.Arrays.fill(values, 1f);
        return values;
    }
}

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
        for (int n = 0; n < batch; n++) {
            if (hits(random, config.shift())) {
                int reach = (int) config.shift().strength();
                do {
                    shiftY[n] = random.nextInt(-reach, reach + 1);
                    shiftX[n] = random.nextInt(-reach, reach + 1);
                } while (shiftY[n] == 0 && shiftX[n] == 0);
                anyShift = true;
            }
            if (hits(random, config.channelDropout())) {
                mask = mask != null ? mask : ones(batch * perSample);
                for (int c = 0; c < channels; c++) {
                    if (random.nextDouble() < config.channelDropout().strength()) {
                        java.util.Arrays.fill(mask, n * perSample + c * plane, n * perSample + (c + 1) * plane, 0f);
                    }
                }
            }
            if (hits(random, config.spatialDropout())) {
                mask = mask != null ? mask : ones(batch * perSample);
                for (int p = 0; p < plane; p++) {
                    if (random.nextDouble() < config.spatialDropout().strength()) {
                        for (int c = 0; c < channels; c++) {
                            mask[n * perSample + c * plane + p] = 0f;
                        }
                    }
                }
            }
            if (hits(random, config.gaussianNoise())) {
                noise = noise != null ? noise : new float[batch * perSample];
                double sigma = random.nextDouble() * config.gaussianNoise().strength();
                for (int i = n * perSample; i < (n + 1) * perSample; i++) {
                    noise[i] += (float) (sigma * random.nextGaussian());
                }
            }
            if (hits(random, config.quantization())) {
                noise = noise != null ? noise : new float[batch * perSample];
                double step = quantizationStep((int) config.quantization().strength());
                for (int i = n * perSample; i < (n + 1) * perSample; i++) {
                    noise[i] += (float) ((random.nextDouble() - 0.5) * step);
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
        // Draw even when disabled, so switching one perturbation off does not reshuffle the others.
        double draw = random.nextDouble();
        return perturbation.enabled() && draw < perturbation.probability();
    }

    private static float[] ones(int size) {
        float[] values = new float[size];
        java.util.Arrays.fill(values, 1f);
        return values;
    }
}

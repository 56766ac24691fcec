package io.latentflow.model.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatentPerturbationsTest {

    private static final int N = 512;
    private static final int C = 8;
    private static final int H = 8;
    private static final int W = 8;
    private static final int PLANE = H * W;

    private static PerturbationPlan draw(Perturbations config, long seed) {
        return new LatentPerturbations(config).draw(new SplittableRandom(seed), N, C, H, W);
    }

    private static Perturbations only(String which, double probability, double strength) {
        Perturbation p = new Perturbation(probability, strength);
        return switch (which) {
            case "gaussian" -> new Perturbations(p, null, null, null, null);
            case "channel" -> new Perturbations(null, p, null, null, null);
            case "spatial" -> new Perturbations(null, null, p, null, null);
            case "shift" -> new Perturbations(null, null, null, p, null);
            case "quantization" -> new Perturbations(null, null, null, null, p);
            default -> throw new IllegalArgumentException(which);
        };
    }

    @Test
    void gaussianNoiseHasTheStdOfSigmaUniformUpToS() {
        double s = 0.2;
        float[] noise = draw(only("gaussian", 1, s), 1).noise();
        // sigma ~ U(0, s) so E[noise^2] = E[sigma^2] = s^2 / 3
        assertThat(Math.sqrt(meanSquare(noise, 0, noise.length))).isCloseTo(s / Math.sqrt(3), within(0.05 * s));
        for (int n = 0; n < N; n++) {
            double sampleStd = Math.sqrt(meanSquare(noise, n * C * PLANE, (n + 1) * C * PLANE));
            assertThat(sampleStd).as("sample %d draws one sigma <= s", n).isLessThan(s * 1.15);
        }
    }

    @Test
    void gaussianNoiseHitsTheRequestedFractionOfSamples() {
        float[] noise = draw(only("gaussian", 0.5, 0.2), 2).noise();
        int hit = 0;
        for (int n = 0; n < N; n++) {
            if (meanSquare(noise, n * C * PLANE, (n + 1) * C * PLANE) > 0) {
                hit++;
            }
        }
        assertThat(hit / (double) N).isCloseTo(0.5, within(0.07));
    }

    @Test
    void channelDropoutDropsWholeChannelsAtTheRequestedRate() {
        float[] mask = draw(only("channel", 1, 0.25), 3).mask();
        int dropped = 0;
        int partial = 0;
        for (int channel = 0; channel < N * C; channel++) {
            float first = mask[channel * PLANE];
            for (int p = 0; p < PLANE; p++) {
                partial += mask[channel * PLANE + p] != first ? 1 : 0;
            }
            if (first == 0f) {
                dropped++;
            }
        }
        assertThat(partial).as("values of partly dropped channels").isZero();
        assertThat(dropped / (double) (N * C)).isCloseTo(0.25, within(0.03));
    }

    @Test
    void spatialDropoutDropsPositionsAcrossAllChannelsAtTheRequestedRate() {
        float[] mask = draw(only("spatial", 1, 0.1), 4).mask();
        int dropped = 0;
        int partial = 0;
        for (int n = 0; n < N; n++) {
            for (int p = 0; p < PLANE; p++) {
                float first = mask[n * C * PLANE + p];
                for (int c = 1; c < C; c++) {
                    partial += mask[(n * C + c) * PLANE + p] != first ? 1 : 0;
                }
                if (first == 0f) {
                    dropped++;
                }
            }
        }
        assertThat(partial).as("positions dropped in some channels only").isZero();
        assertThat(dropped / (double) (N * PLANE)).isCloseTo(0.1, within(0.02));
    }

    @Test
    void quantizationNoiseIsUniformOverOneStep() {
        float[] noise = draw(only("quantization", 1, 8), 5).noise();
        double step = 2.0 / 255;
        double largest = 0;
        for (float v : noise) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(largest).isLessThanOrEqualTo(step / 2);
        assertThat(Math.sqrt(meanSquare(noise, 0, noise.length))).isCloseTo(step / Math.sqrt(12),
                within(0.02 * step));
    }

    @Test
    void shiftsRollLatentsWithoutChangingAnyValueAndRollTheTargetByFTimesAsMuch() {
        int n = 6;
        PerturbationPlan plan = new LatentPerturbations(only("shift", 1, 2)).draw(new SplittableRandom(6), n, 2, 4,
                5);
        float[] values = new float[n * 2 * 4 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] rolled = plan.apply(manager.create(values, new Shape(n, 2, 4, 5))).toFloatArray();
            for (int s = 0; s < n; s++) {
                int dy = plan.shiftY(s);
                int dx = plan.shiftX(s);
                assertThat(Math.abs(dy)).isLessThanOrEqualTo(2);
                assertThat(Math.abs(dx)).isLessThanOrEqualTo(2);
                assertThat(dy != 0 || dx != 0).as("a shifted sample moves").isTrue();
                for (int c = 0; c < 2; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 5; x++) {
                            int from = ((s * 2 + c) * 4 + Math.floorMod(y - dy, 4)) * 5 + Math.floorMod(x - dx, 5);
                            assertThat(rolled[((s * 2 + c) * 4 + y) * 5 + x]).isEqualTo(values[from]);
                        }
                    }
                }
            }
        }
        int f = 8;
        float[] image = new float[n * 3 * 32 * 40];
        image[(2 * 3 + 1) * 32 * 40 + 3 * 40 + 7] = 1f; // sample 2, channel 1, (y 3, x 7)
        float[] rolledImage = plan.rollImages(image, 3, 32, 40, f);
        int y = Math.floorMod(3 + f * plan.shiftY(2), 32);
        int x = Math.floorMod(7 + f * plan.shiftX(2), 40);
        assertThat(rolledImage[(2 * 3 + 1) * 32 * 40 + y * 40 + x]).isEqualTo(1f);
        assertThat(sum(rolledImage)).isEqualTo(1f);
    }

    @Test
    void applyMultipliesByTheMaskThenAddsTheNoise() {
        Perturbations all = new Perturbations(new Perturbation(1, 0.2), new Perturbation(1, 0.3),
                new Perturbation(1, 0.2), null, new Perturbation(1, 8));
        PerturbationPlan plan = new LatentPerturbations(all).draw(new SplittableRandom(7), 4, C, H, W);
        float[] latents = new float[4 * C * PLANE];
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < latents.length; i++) {
            latents[i] = (float) Math.tanh(random.nextGaussian());
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] out = plan.apply(manager.create(latents, new Shape(4, C, H, W))).toFloatArray();
            for (int i = 0; i < out.length; i++) {
                assertThat(out[i]).isCloseTo(latents[i] * plan.mask()[i] + plan.noise()[i], within(1e-6f));
            }
        }
    }

    @Test
    void noPerturbationsLeaveLatentsUntouchedAndDrawTheSameWhateverIsSwitchedOff() {
        PerturbationPlan plan = draw(Perturbations.none(), 9);
        assertThat(plan.mask()).isNull();
        assertThat(plan.noise()).isNull();
        assertThat(plan.shifts()).isFalse();
        // Switching channel dropout off must not change the Gaussian noise drawn for the same seed.
        float[] withDropout = draw(new Perturbations(new Perturbation(1, 0.2), new Perturbation(1, 0.1), null, null,
                null), 10).noise();
        float[] withoutDropout = draw(only("gaussian", 1, 0.2), 10).noise();
        assertThat(java.util.Arrays.equals(withDropout, withoutDropout)).as("same Gaussian noise").isTrue();
    }

    private static double meanSquare(float[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) values[i] * values[i];
        }
        return sum / (to - from);
    }

    private static float sum(float[] values) {
        float total = 0;
        for (float v : values) {
            total += v;
        }
        return total;
    }
}

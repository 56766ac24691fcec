package io.latentflow.model.recipe;

import java.util.List;

/**
 * The optional adversarial loss: a small residual, normalisation-free discriminator trained with the relativistic
 * pairing loss and R1 + R2 gradient penalties (the recipe of R3GAN, Huang et al. 2024), switched on after a warm-up.
 *
 * @param enabled         off by default: the reconstruction losses alone train a usable model
 * @param startStep       the generator sees the adversarial loss from this step on (the discriminator trains from
 *                        {@code startStep - discriminatorLead})
 * @param discriminatorLead steps the discriminator trains alone before its loss reaches the autoencoder
 * @param weight          weight of the generator's relativistic loss next to the reconstruction loss
 * @param gamma           R1 and R2 penalty weight: {@code gamma / 2 * E ||grad_x D(x)||^2} on real and on fake images
 * @param penaltyInterval penalties every this many discriminator steps, scaled up by it (lazy regularisation)
 * @param learningRate    Adam learning rate of the discriminator
 * @param widths          discriminator channel widths, one residual stage per entry, each stage halving the size
 */
public record Adversarial(
        boolean enabled,
        int startStep,
        int discriminatorLead,
        double weight,
        double gamma,
        int penaltyInterval,
        double learningRate,
        List<Integer> widths) {

    public Adversarial {
        if (startStep < 0 || discriminatorLead < 0 || discriminatorLead > startStep) {
            throw new IllegalArgumentException("adversarial.startStep " + startStep + " and discriminatorLead "
                    + discriminatorLead + ": use 0 <= discriminatorLead <= startStep");
        }
        Checks.nonNegative("adversarial.weight", weight);
        Checks.nonNegative("adversarial.gamma", gamma);
        if (penaltyInterval < 1) {
            throw new IllegalArgumentException("adversarial.penaltyInterval is " + penaltyInterval + ": use >= 1");
        }
        Checks.positive("adversarial.learningRate", learningRate);
        if (widths == null || widths.isEmpty() || widths.stream().anyMatch(w -> w == null || w < 1)) {
            throw new IllegalArgumentException("adversarial.widths is " + widths + ": give one positive width per"
                    + " discriminator stage, e.g. [16, 32, 64, 128]");
        }
        widths = List.copyOf(widths);
    }

    /** Defaults: the generator sees D from step 2000, D trains from step 1500; weight 0.05, gamma 0.1 every 4 steps. */
    public static Adversarial defaults(boolean enabled) {
        // Narrow at full resolution: the first stage sees every pixel and costs as much as the encoder's first level.
        return new Adversarial(enabled, 2000, 500, 0.05, 0.1, 4, 2e-4, List.of(16, 32, 64, 128));
    }

    public int discriminatorStartStep() {
        return startStep - discriminatorLead;
    }
}

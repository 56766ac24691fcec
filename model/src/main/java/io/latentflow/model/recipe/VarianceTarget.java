package io.latentflow.model.recipe;

/**
 * The bounded recipe's variance loss: {@code weight * mean over channels of (var_c - target)^2}, where {@code var_c} is
 * the variance of latent channel c over the batch and all positions.
 *
 * @param weight 0 switches it off
 * @param target the variance each channel is driven towards; in (0, 1) because tanh latents cannot exceed 1
 */
public record VarianceTarget(double weight, double target) {

    public VarianceTarget {
        Checks.nonNegative("variance.weight", weight);
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("variance.target is " + target + ": a tanh-bounded channel's variance"
                    + " lies in (0, 1); pick a target inside it (1 minus a margin, e.g. 0.6)");
        }
    }

    public static VarianceTarget off() {
        return new VarianceTarget(0, 0.5);
    }
}

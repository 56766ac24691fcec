package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;
import io.latentflow.model.nn.Scalars;

/** The autoencoder's loss terms as differentiable NDArray functions; each returns a scalar. */
public final class Losses {

    private static final int[] LAST_AXIS = {1};

    private Losses() {
    }

    /** Mean absolute error over every element. */
    public static NDArray l1(NDArray prediction, NDArray target) {
        return prediction.sub(target).abs().mean();
    }

    /** Mean squared error over every element. */
    public static NDArray l2(NDArray prediction, NDArray target) {
        return prediction.sub(target).square().mean();
    }

    /** Variance of each channel of NCHW latents over the batch and all positions (population variance), shape (C). */
    public static NDArray channelVariance(NDArray latents) {
        // DJL's PyTorch mean takes one axis: bring each channel's values into one row first.
        long channels = latents.getShape().get(1);
        NDArray rows = latents.swapAxes(0, 1).reshape(channels, -1);
        NDArray centred = rows.sub(rows.mean(LAST_AXIS, true));
        return centred.square().mean(LAST_AXIS);
    }

    /** Mean over channels of {@code (var_c - target)^2}: drives every latent channel's variance to the target. */
    public static NDArray varianceLoss(NDArray latents, double target) {
        return Scalars.minus(channelVariance(latents), target).square().mean();
    }

    /**
     * KL(N(mean, exp(logVariance)) || N(0, 1)) in closed form, {@code 0.5 * (mean^2 + exp(logVariance) - 1 -
     * logVariance)}, summed over each sample's elements and averaged over the batch (dimension 0).
     */
    public static NDArray klDivergence(NDArray mean, NDArray logVariance) {
        long batch = mean.getShape().get(0);
        NDArray perElement = Scalars.times(Scalars.minus(mean.square().add(logVariance.exp()), 1).sub(logVariance), 0.5);
        return Scalars.dividedBy(perElement.sum(), batch);
    }
}

package io.latentflow.model.adversarial;

import ai.djl.ndarray.NDArray;

/**
 * The relativistic pairing GAN loss (RpGAN, as used by R3GAN) with R1/R2 gradient penalties. Real image i is paired
 * with its own reconstruction i: the discriminator learns to rank the real above the fake, the generator the reverse.
 */
public final class RelativisticLoss {

    private RelativisticLoss() {
    }

    /** {@code mean softplus(D(fake) - D(real))}. */
    public static NDArray discriminator(NDArray realLogits, NDArray fakeLogits) {
        return softplus(fakeLogits.sub(realLogits)).mean();
    }

    /** {@code mean softplus(D(real) - D(fake))}. */
    public static NDArray generator(NDArray realLogits, NDArray fakeLogits) {
        return softplus(realLogits.sub(fakeLogits)).mean();
    }

    /** {@code mean over images of ||grad_x D(x)||^2}; R1 on real images, R2 on fakes; multiply by gamma / 2. */
    public static NDArray gradientPenalty(NDArray inputGradient) {
        long batch = inputGradient.getShape().get(0);
        return inputGradient.square().sum().div((float) batch);
    }

    /** {@code log(1 + e^x)} without overflow: {@code max(x, 0) + log(1 + e^-|x|)}. */
    static NDArray softplus(NDArray x) {
        return x.maximum(0f).add(x.abs().neg().exp().add(1f).log());
    }
}

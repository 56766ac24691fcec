package io.latentflow.model.adversarial;

import ai.djl.ndarray.NDArray;
import io.latentflow.model.nn.Scalars;

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
        return Scalars.dividedBy(inputGradient.square().sum(), batch);
    }

    /** {@code log(1 + e^x)} without overflow: {@code max(x, 0) + log(1 + e^-|x|)}. */
    static NDArray softplus(NDArray x) {
        return Scalars.atLeast(x, 0).add(Scalars.plus(x.abs().neg().exp(), 1).log());
    }
}

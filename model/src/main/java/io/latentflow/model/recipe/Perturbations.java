package io.latentflow.model.recipe;

/**
 * The latent perturbations the bounded recipe trains its decoder on, so that it tolerates the imperfect latents a
 * diffusion model produces. Each is drawn per sample; several may hit the same sample.
 *
 * @param gaussianNoise  strength = s: adds N(0, sigma^2) with sigma ~ U(0, s), in latent units
 * @param channelDropout strength = rate: each latent channel is set to 0 with this probability
 * @param spatialDropout strength = rate: each latent position (all channels) is set to 0 with this probability
 * @param shift          strength = k: rolls the latent by up to k cells along each axis (not both 0); the target image
 *                       is rolled by the same amount times f, so the loss stays a reconstruction loss
 * @param quantization   strength = bits: adds uniform noise of one quantisation step of a {@code bits}-bit grid over
 *                       [-1, 1], i.e. U(-q/2, q/2) with q = 2 / (2^bits - 1)
 */
public record Perturbations(
        Perturbation gaussianNoise,
        Perturbation channelDropout,
        Perturbation spatialDropout,
        Perturbation shift,
        Perturbation quantization) {

    public Perturbations {
        gaussianNoise = orOff(gaussianNoise);
        channelDropout = orOff(channelDropout);
        spatialDropout = orOff(spatialDropout);
        shift = orOff(shift);
        quantization = orOff(quantization);
        if (channelDropout.strength() > 1 || spatialDropout.strength() > 1) {
            throw new IllegalArgumentException("dropout strength is a rate: use 0 to 1");
        }
        if (shift.strength() != Math.rint(shift.strength()) || shift.strength() > 4) {
            throw new IllegalArgumentException("shift strength is " + shift.strength()
                    + ": use a whole number of latent cells, at most 4");
        }
        if (quantization.enabled() && (quantization.strength() != Math.rint(quantization.strength())
                || quantization.strength() < 1 || quantization.strength() > 16)) {
            throw new IllegalArgumentException("quantization strength is " + quantization.strength()
                    + ": use a bit depth from 1 to 16");
        }
    }

    public static Perturbations none() {
        return new Perturbations(null, null, null, null, null);
    }

    public boolean any() {
        return gaussianNoise.enabled() || channelDropout.enabled() || spatialDropout.enabled() || shift.enabled()
                || quantization.enabled();
    }

    private static Perturbation orOff(Perturbation p) {
        return p == null ? Perturbation.off() : p;
    }
}

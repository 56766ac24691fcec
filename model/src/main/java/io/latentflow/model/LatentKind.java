package io.latentflow.model;

/**
 * What the encoder's last layer produces, and so how serving turns it into latents.
 */
public enum LatentKind {
    /** The project's recipe: {@code c} channels squashed by tanh into [-1, 1]; no scale factor needed downstream. */
    BOUNDED,
    /**
     * The Stable Diffusion baseline: {@code 2c} channels, a mean and a log-variance per latent channel, unbounded.
     * Serving uses the mean; training samples from it.
     */
    KL;

    /** Channels the encoder block emits for {@code latentChannels} latent channels. */
    public int encoderOutputChannels(int latentChannels) {
        return this == KL ? 2 * latentChannels : latentChannels;
    }
}

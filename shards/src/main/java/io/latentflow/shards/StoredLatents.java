package io.latentflow.shards;

import java.util.Locale;

/** What a sample's {@code .latent.npy} holds, as its JSON's {@code latents} field says. */
public enum StoredLatents {
    /** {@code (posterior mean - shiftFactor) * scalingFactor}, C channels: what a diffusion model consumes. */
    MEAN,
    /**
     * The posterior's mean then its log-variance (clamped to [-30, 20] as diffusers does), 2C channels, neither scaled
     * nor shifted: for trainers that draw a fresh sample {@code (mean + exp(logvar / 2) * noise - shift) * scale} each
     * epoch.
     */
    MOMENTS;

    /** The name in JSON and on command lines: {@code mean}, {@code moments}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@link #jsonName()} back; null or empty (writers before the field) is {@link #MEAN}. */
    public static StoredLatents fromJsonName(String name) {
        if (name == null || name.isEmpty()) {
            return MEAN;
        }
        for (StoredLatents value : values()) {
            if (value.jsonName().equals(name)) {
                return value;
            }
        }
        throw new IllegalArgumentException("latents \"" + name + "\" is neither \"mean\" nor \"moments\"");
    }

    /** Channels stored for a model of {@code latentChannels} channels. */
    public int storedChannels(int latentChannels) {
        return this == MOMENTS ? 2 * latentChannels : latentChannels;
    }
}

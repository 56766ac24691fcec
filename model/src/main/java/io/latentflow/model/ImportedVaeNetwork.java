package io.latentflow.model;

import ai.djl.ndarray.NDManager;
import io.latentflow.model.diffusers.DiffusersAutoencoderKl;
import io.latentflow.model.flops.NetworkFlops;
import io.latentflow.model.store.Manifest;

import java.nio.file.Path;

/** Serves {@code (posterior mean - shift) * scale}, what a diffusion model consumes; decoding undoes both. */
record ImportedVaeNetwork(DiffusersAutoencoderKl vae, String latentSpace) implements ServedNetwork {
    @Override
    public AutoencoderConfig config() {
        return vae.config().architecture();
    }

    /** diffusers' own network (attention, quant convs), not the {@link #config()} it is described as. */
    @Override
    public NetworkFlops flops(int side) {
        return NetworkFlops.of(vae.config(), side);
    }

    @Override
    public LatentEncoder newEncoder(NDManager manager) {
        float shift = (float) shiftFactor();
        float scale = (float) scalingFactor();
        return new BlockLatentEncoder(manager, config(), images -> vae.posteriorMean(images).sub(shift).mul(scale),
                vae.config().midBlockAddAttention(), config().latentChannels());
    }

    @Override
    public LatentEncoder newMomentsEncoder(NDManager manager) {
        int c = config().latentChannels();
        return new BlockLatentEncoder(manager, config(), images -> Moments.clamped(vae.posteriorMoments(images), c),
                vae.config().midBlockAddAttention(), 2 * c);
    }

    @Override
    public LatentDecoder newDecoder(NDManager manager) {
        float shift = (float) shiftFactor();
        float scale = (float) scalingFactor();
        return new BlockLatentDecoder(manager, config(), latents -> vae.decode(latents.div(scale).add(shift)),
                vae.config().midBlockAddAttention());
    }

    @Override
    public double scalingFactor() {
        return vae.config().scalingFactor();
    }

    @Override
    public double shiftFactor() {
        return vae.config().shiftFactor();
    }

    @Override
    public Manifest save(Path dir, String version, String metricsJson) {
        throw new UnsupportedOperationException("an imported VAE's version directory is written by its import"
                + " (models import); copy that directory instead");
    }
}

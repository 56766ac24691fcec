package io.latentflow.model;

import ai.djl.ndarray.NDManager;
import io.latentflow.model.flops.NetworkFlops;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Path;

/** One of latentflow's own autoencoders, as a {@link ServingModel} serves it. */
record OwnAutoencoderNetwork(Autoencoder autoencoder, String latentSpace) implements ServedNetwork {

    OwnAutoencoderNetwork(Autoencoder autoencoder) {
        this(autoencoder, LatentSpace.of(1, 0, out -> autoencoder.encoder().saveParameters(out)));
    }

    @Override
    public AutoencoderConfig config() {
        return autoencoder.config();
    }

    @Override
    public NetworkFlops flops(int side) {
        return NetworkFlops.of(autoencoder.config(), side);
    }

    @Override
    public LatentEncoder newEncoder(NDManager manager) {
        return new BlockLatentEncoder(manager, autoencoder.encoder());
    }

    @Override
    public LatentEncoder newMomentsEncoder(NDManager manager) {
        if (autoencoder.config().latentKind() != LatentKind.KL) {
            throw new UnsupportedOperationException("model " + autoencoder.config().shortName() + " is bounded (tanh):"
                    + " it has no posterior, so no moments; store its latents (--latents mean), or serve a KL model");
        }
        return BlockLatentEncoder.moments(manager, autoencoder.encoder());
    }

    @Override
    public LatentDecoder newDecoder(NDManager manager) {
        return new BlockLatentDecoder(manager, autoencoder.decoder());
    }

    /** latentflow's recipe bounds its latents itself: nothing to scale or shift, by design. */
    @Override
    public double scalingFactor() {
        return 1;
    }

    @Override
    public double shiftFactor() {
        return 0;
    }

    @Override
    public Manifest save(Path dir, String version, String metricsJson) throws IOException {
        return ModelDirectory.save(autoencoder, dir, version, metricsJson);
    }
}

package io.latentflow.model;

import ai.djl.ndarray.NDManager;
import io.latentflow.model.flops.NetworkFlops;
import io.latentflow.model.store.Manifest;

import java.io.IOException;
import java.nio.file.Path;

/** What a version serves: one of latentflow's own autoencoders, or an imported diffusers VAE. */
interface ServedNetwork {
    AutoencoderConfig config();

    /** What one {@code side x side} image costs this network, counted from its architecture. */
    NetworkFlops flops(int side);

    LatentEncoder newEncoder(NDManager manager);

    /** The posterior's mean and log-variance, unscaled; refused (UnsupportedOperationException) without a posterior. */
    LatentEncoder newMomentsEncoder(NDManager manager);

    LatentDecoder newDecoder(NDManager manager);

    double scalingFactor();

    double shiftFactor();

    String latentSpace();

    Manifest save(Path dir, String version, String metricsJson) throws IOException;
}

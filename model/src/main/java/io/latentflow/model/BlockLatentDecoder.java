package io.latentflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.latentflow.model.nn.Decoder;

/** {@link LatentDecoder} over the DJL decoder block; clamps the output to the documented [-1, 1]. */
final class BlockLatentDecoder implements LatentDecoder {

    private final NDManager modelManager;
    private final Decoder decoder;
    private final ParameterStore parameters;
    private final int channels;
    private boolean closed;

    BlockLatentDecoder(NDManager modelManager, Decoder decoder) {
        this.modelManager = modelManager;
        this.decoder = decoder;
        this.parameters = new ParameterStore(modelManager, false);
        this.channels = decoder.config().latentChannels();
        JniUtils.setGradMode(false);
    }

    @Override
    public float[] decode(float[] latents, int batch, int latentHeight, int latentWidth) {
        if (closed) {
            throw new IllegalStateException("this decoder is closed; open a new one from the ServingModel");
        }
        Tensors.requireBatch(latents, "latents", batch, channels, latentHeight, latentWidth, 1);
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope(); NDManager call = modelManager.newSubManager()) {
            NDArray input = call.create(latents, new Shape(batch, channels, latentHeight, latentWidth));
            NDArray images = decoder.forward(parameters, new NDList(input), false).singletonOrThrow();
            return images.clip(-1f, 1f).toFloatArray();
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}

package io.latentflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.latentflow.model.nn.Encoder;

/** {@link LatentEncoder} over the DJL encoder block: one copy in, one forward pass, one copy out. */
final class BlockLatentEncoder implements LatentEncoder {

    private final NDManager modelManager;
    private final Encoder encoder;
    private final ParameterStore parameters;
    private final int f;
    private boolean closed;

    BlockLatentEncoder(NDManager modelManager, Encoder encoder) {
        this.modelManager = modelManager;
        this.encoder = encoder;
        this.parameters = new ParameterStore(modelManager, false);
        this.f = encoder.config().downsamplingFactor();
        JniUtils.setGradMode(false);
    }

    @Override
    public float[] encode(float[] pixels, int batch, int height, int width) {
        if (closed) {
            throw new IllegalStateException("this encoder is closed; open a new one from the ServingModel");
        }
        Tensors.requireBatch(pixels, "pixels", batch, 3, height, width, f);
        // A pooled thread may have had grad mode switched on by someone else since the last call.
        JniUtils.setGradMode(false);
        // The scope also frees results that DJL attaches to the model's manager (ops whose first operand is a weight).
        try (NDScope scope = new NDScope(); NDManager call = modelManager.newSubManager()) {
            NDArray images = call.create(pixels, new Shape(batch, 3, height, width));
            NDArray output = encoder.forward(parameters, new NDList(images), false).singletonOrThrow();
            return encoder.servingLatents(output).toFloatArray();
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}

package io.latentflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.latentflow.model.nn.Decoder;

import java.nio.FloatBuffer;

/** {@link LatentDecoder} over the DJL decoder block; clamps the output to the documented [-1, 1]. */
final class BlockLatentDecoder implements LatentDecoder {

    private final NDManager modelManager;
    private final Decoder decoder;
    private final ParameterStore parameters;
    private final int channels;
    private final int f;
    private final BatchSplitter splitter;
    private boolean closed;

    BlockLatentDecoder(NDManager modelManager, Decoder decoder) {
        this.modelManager = modelManager;
        this.decoder = decoder;
        this.parameters = new ParameterStore(modelManager, false);
        this.channels = decoder.config().latentChannels();
        this.f = decoder.config().downsamplingFactor();
        this.splitter = BatchSplitter.forDevice(modelManager.getDevice().isGpu());
        JniUtils.setGradMode(false);
    }

    @Override
    public float[] decode(float[] latents, int batch, int latentHeight, int latentWidth) {
        if (closed) {
            throw new IllegalStateException("this decoder is closed; open a new one from the ServingModel");
        }
        Tensors.requireBatch(latents, "latents", batch, channels, latentHeight, latentWidth, 1);
        JniUtils.setGradMode(false);
        int height = latentHeight * f;
        int width = latentWidth * f;
        int perCall = splitter.imagesPerCall(batch,
                BatchSplitter.peakBytesPerImage(decoder.config().channelWidths(), height, width, true));
        if (perCall == batch) {
            return decodeOnce(latents, 0, batch, latentHeight, latentWidth);
        }
        int latentValues = channels * latentHeight * latentWidth;
        int imageValues = 3 * height * width;
        float[] images = new float[batch * imageValues];
        for (int first = 0; first < batch; first += perCall) {
            int count = Math.min(perCall, batch - first);
            float[] part = decodeOnce(latents, first * latentValues, count, latentHeight, latentWidth);
            System.arraycopy(part, 0, images, first * imageValues, part.length);
        }
        return images;
    }

    private float[] decodeOnce(float[] latents, int offset, int count, int latentHeight, int latentWidth) {
        try (NDScope scope = new NDScope(); NDManager call = modelManager.newSubManager()) {
            NDArray input = call.create(FloatBuffer.wrap(latents, offset, count * channels * latentHeight * latentWidth),
                    new Shape(count, channels, latentHeight, latentWidth));
            NDArray images = decoder.forward(parameters, new NDList(input), false).singletonOrThrow();
            return images.clip(-1f, 1f).toFloatArray();
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}

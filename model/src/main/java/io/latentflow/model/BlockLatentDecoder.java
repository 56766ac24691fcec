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
import java.util.function.UnaryOperator;

/**
 * {@link LatentDecoder} over a DJL network (the decoder block, or an imported VAE's decoder); clamps the output to the
 * documented [-1, 1].
 */
final class BlockLatentDecoder implements LatentDecoder {

    private final NDManager modelManager;
    private final AutoencoderConfig architecture;
    private final UnaryOperator<NDArray> network;
    private final boolean attention;
    private final int channels;
    private final int f;
    private final BatchSplitter splitter;
    private boolean closed;

    BlockLatentDecoder(NDManager modelManager, Decoder decoder) {
        this(modelManager, decoder.config(), forwardOf(modelManager, decoder), false);
    }

    /**
     * @param network   the latents served (NCHW) to images, [-1, 1] before clamping
     * @param attention whether the network attends over all latent positions (its scores then bound the batch too)
     */
    BlockLatentDecoder(NDManager modelManager, AutoencoderConfig architecture, UnaryOperator<NDArray> network,
                       boolean attention) {
        this.modelManager = modelManager;
        this.architecture = architecture;
        this.network = network;
        this.attention = attention;
        this.channels = architecture.latentChannels();
        this.f = architecture.downsamplingFactor();
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
        int perCall = splitter.imagesPerCall(batch, BatchSplitter.peakBytesPerImage(architecture.channelWidths(),
                height, width, true, attention ? f : 0));
        return BatchSplitter.inSubBatches(batch, perCall, channels * latentHeight * latentWidth, 3 * height * width,
                (offset, count) -> decodeOnce(latents, offset, count, latentHeight, latentWidth));
    }

    private float[] decodeOnce(float[] latents, int offset, int count, int latentHeight, int latentWidth) {
        try (NDScope scope = new NDScope(); NDManager call = modelManager.newSubManager()) {
            NDArray input = call.create(FloatBuffer.wrap(latents, offset, count * channels * latentHeight * latentWidth),
                    new Shape(count, channels, latentHeight, latentWidth));
            return network.apply(input).clip(-1f, 1f).toFloatArray();
        }
    }

    private static UnaryOperator<NDArray> forwardOf(NDManager modelManager, Decoder decoder) {
        ParameterStore parameters = new ParameterStore(modelManager, false);
        return latents -> decoder.forward(parameters, new NDList(latents), false).singletonOrThrow();
    }

    @Override
    public void close() {
        closed = true;
    }
}

package io.latentflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.latentflow.model.nn.Encoder;

import java.nio.FloatBuffer;
import java.util.function.UnaryOperator;

/** {@link LatentEncoder} over a DJL network (the encoder block, or an imported VAE's encoder): one copy in, one
 * forward pass, one copy out (per sub-batch on CPU, see {@link BatchSplitter}). */
final class BlockLatentEncoder implements LatentEncoder {

    private final NDManager modelManager;
    private final AutoencoderConfig architecture;
    private final UnaryOperator<NDArray> network;
    private final boolean attention;
    private final int outputChannels;
    private final int f;
    private final BatchSplitter splitter;
    private boolean closed;

    BlockLatentEncoder(NDManager modelManager, Encoder encoder) {
        this(modelManager, encoder.config(), forwardOf(modelManager, encoder), false,
                encoder.config().latentChannels());
    }

    /**
     * @param network   images (NCHW, [-1, 1]) to the latents served
     * @param attention      whether the network attends over all latent positions (its scores then bound the batch
     *                       too)
     * @param outputChannels channels per image the network returns (c, or 2c for moments)
     */
    BlockLatentEncoder(NDManager modelManager, AutoencoderConfig architecture, UnaryOperator<NDArray> network,
                       boolean attention, int outputChannels) {
        this.modelManager = modelManager;
        this.architecture = architecture;
        this.network = network;
        this.attention = attention;
        this.outputChannels = outputChannels;
        this.f = architecture.downsamplingFactor();
        this.splitter = BatchSplitter.forDevice(modelManager.getDevice().isGpu());
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
        int perCall = splitter.imagesPerCall(batch, BatchSplitter.peakBytesPerImage(architecture.channelWidths(),
                height, width, false, attention ? f : 0));
        return BatchSplitter.inSubBatches(batch, perCall, 3 * height * width, outputChannels * (height / f) * (width / f),
                (offset, count) -> encodeOnce(pixels, offset, count, height, width));
    }

    private float[] encodeOnce(float[] pixels, int offset, int count, int height, int width) {
        try (NDScope scope = new NDScope(); NDManager call = modelManager.newSubManager()) {
            NDArray images = call.create(FloatBuffer.wrap(pixels, offset, count * 3 * height * width),
                    new Shape(count, 3, height, width));
            return network.apply(images).toFloatArray();
        }
    }

    private static UnaryOperator<NDArray> forwardOf(NDManager modelManager, Encoder encoder) {
        ParameterStore parameters = new ParameterStore(modelManager, false);
        return images -> encoder.servingLatents(
                encoder.forward(parameters, new NDList(images), false).singletonOrThrow());
    }

    /** The KL encoder's raw output: the mean, then the log-variance clamped as the training's sampling clamps it. */
    static BlockLatentEncoder moments(NDManager modelManager, Encoder encoder) {
        ParameterStore parameters = new ParameterStore(modelManager, false);
        int c = encoder.config().latentChannels();
        return new BlockLatentEncoder(modelManager, encoder.config(), images -> Moments.clamped(
                encoder.forward(parameters, new NDList(images), false).singletonOrThrow(), c), false, 2 * c);
    }

    @Override
    public void close() {
        closed = true;
    }
}

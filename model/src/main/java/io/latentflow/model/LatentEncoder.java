package io.latentflow.model;

/**
 * Turns batches of images into latents. Holds native resources and is not thread-safe:
 * each thread (each Flink subtask) opens its own from {@link ServingModel#newEncoder()}.
 */
public interface LatentEncoder extends AutoCloseable {

    /**
     * @param pixels RGB images, NCHW, values in [-1, 1]; length {@code batch * 3 * height * width}
     * @param height a multiple of the model's downsampling factor
     * @param width  a multiple of the model's downsampling factor
     * @return latents, NCHW; length {@code batch * c * (height / f) * (width / f)}
     */
    float[] encode(float[] pixels, int batch, int height, int width);

    @Override
    void close();
}

package io.latentflow.model;

/** Turns latents back into images; the mirror of {@link LatentEncoder}, with the same threading rules. */
public interface LatentDecoder extends AutoCloseable {

    /**
     * @param latents NCHW latents of {@code batch * c * latentHeight * latentWidth} values, from any source
     * @return RGB images, NCHW, values in [-1, 1], {@code f} times larger than the latents
     */
    float[] decode(float[] latents, int batch, int latentHeight, int latentWidth);

    @Override
    void close();
}

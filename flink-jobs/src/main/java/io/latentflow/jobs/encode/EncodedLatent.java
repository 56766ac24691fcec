package io.latentflow.jobs.encode;

import io.latentflow.schemas.LatentSummary;

/**
 * The latent of one image: {@code shape = [C, H, W]} float values in CHW order, the model version
 * that produced it and its summary. {@link #image} describes the image; its pixels are dropped
 * once encoded.
 *
 * <p>A Flink POJO so it travels without Kryo.
 */
public class EncodedLatent {

    public PreparedImage image;
    public String modelVersion;
    public int[] shape;
    public float[] latent;
    public LatentSummary summary;
    /** When the batch holding this image was encoded, epoch milliseconds. */
    public long encodedAt;
    /** The identity of the model's latent space ({@code io.latentflow.model.LatentSpace}); empty when unknown. */
    public String latentSpace = "";
    /** What the served latent was multiplied by after the shift: 1 for latentflow's own models. */
    public double scalingFactor = 1.0;
    /** What was subtracted from the posterior mean before scaling: 0 for latentflow's own models. */
    public double shiftFactor = 0.0;

    public EncodedLatent() {
    }

    public EncodedLatent(PreparedImage image, String modelVersion, int[] shape, float[] latent, LatentSummary summary,
                         long encodedAt) {
        this.image = image;
        this.modelVersion = modelVersion;
        this.shape = shape;
        this.latent = latent;
        this.summary = summary;
        this.encodedAt = encodedAt;
    }

    public EncodedLatent(PreparedImage image, String modelVersion, int[] shape, float[] latent, LatentSummary summary,
                         long encodedAt, String latentSpace, double scalingFactor, double shiftFactor) {
        this(image, modelVersion, shape, latent, summary, encodedAt);
        this.latentSpace = latentSpace;
        this.scalingFactor = scalingFactor;
        this.shiftFactor = shiftFactor;
    }

    @Override
    public String toString() {
        return "EncodedLatent{" + image.imageId + ", model " + modelVersion + "}";
    }
}

package io.latentflow.jobs.encode;

import io.latentflow.model.drift.ImageExposure;
import io.latentflow.schemas.LatentSummary;
import io.latentflow.shards.LatentSummaries;
import io.latentflow.shards.StoredLatents;

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
    /** What {@link #latent} holds: the served mean (C channels), or the unscaled moments (2C channels). */
    public StoredLatents latents = StoredLatents.MEAN;
    /**
     * The image's reconstruction PSNR (dB) by the model that encoded it, at the job's resolution, when the encoder
     * sampled it for the drift monitor's QUALITY ({@code ReconstructionSampling}); NaN when it did not.
     */
    public double reconstructionPsnr = Double.NaN;
    /**
     * The image's highlight and shadow levels (sRGB [0, 1]) for the drift monitor's EXPOSURE, read from the pixels it
     * was encoded from ({@code ImageExposure}); NaN when they were not measured.
     */
    public double exposureHighlight = Double.NaN;
    public double exposureShadow = Double.NaN;
    /**
     * The share of the image's pixels equal to the pixel before them, for the drift monitor's REPEATED_PIXELS, read
     * in the same pass; NaN when not measured.
     */
    public double exposureRepeatedPixels = Double.NaN;

    public EncodedLatent() {
    }

    /**
     * @param latentSpace   what the latent means; empty when unknown
     * @param scalingFactor what the served latent was multiplied by after the shift
     * @param shiftFactor   what was subtracted from the posterior mean before scaling
     * @param latents       what {@code latent} holds
     */
    public EncodedLatent(PreparedImage image, String modelVersion, int[] shape, float[] latent, LatentSummary summary,
                         long encodedAt, String latentSpace, double scalingFactor, double shiftFactor,
                         StoredLatents latents) {
        this.image = image;
        this.modelVersion = modelVersion;
        this.shape = shape;
        this.latent = latent;
        this.summary = summary;
        this.encodedAt = encodedAt;
        this.latentSpace = latentSpace;
        this.scalingFactor = scalingFactor;
        this.shiftFactor = shiftFactor;
        this.latents = latents;
    }

    /** A served latent of latentflow's own models' unnamed latent space: scale 1, shift 0. */
    public static EncodedLatent ofOwnModel(PreparedImage image, String modelVersion, int[] shape, float[] latent,
                                           LatentSummary summary, long encodedAt) {
        return new EncodedLatent(image, modelVersion, shape, latent, summary, encodedAt, "", 1.0, 0.0,
                StoredLatents.MEAN);
    }

    /** The same image, model and latent space with other values ({@code shape} and {@code latents} say which). */
    public EncodedLatent withValues(int[] shape, float[] latent, StoredLatents latents) {
        EncodedLatent changed = new EncodedLatent(image, modelVersion, shape, latent, LatentSummaries.of(latent),
                encodedAt, latentSpace, scalingFactor, shiftFactor, latents);
        changed.reconstructionPsnr = reconstructionPsnr;
        changed.exposureHighlight = exposureHighlight;
        changed.exposureShadow = exposureShadow;
        changed.exposureRepeatedPixels = exposureRepeatedPixels;
        return changed;
    }

    /**
     * This latent as the model serves it, {@code (mean - shift) * scale} with C channels: itself, or made from the mean
     * half of its moments (what the drift monitor compares with the model's reference profile).
     */
    public EncodedLatent served() {
        if (latents != StoredLatents.MOMENTS) {
            return this;
        }
        int channels = shape[0] / 2;
        float[] mean = new float[latent.length / 2];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) ((latent[i] - shiftFactor) * scalingFactor);
        }
        return withValues(new int[]{channels, shape[1], shape[2]}, mean, StoredLatents.MEAN);
    }

    /** The image's exposure levels, null when they were not measured. */
    public ImageExposure exposure() {
        // a latent in flight from a build before the shares counts as no repeats: it can only quieten a window
        return Double.isNaN(exposureHighlight) ? null : new ImageExposure(exposureHighlight, exposureShadow,
                Double.isNaN(exposureRepeatedPixels) ? 0 : exposureRepeatedPixels);
    }

    /** Records the exposure levels of the pixels this latent was encoded from. */
    public void measuredExposure(ImageExposure exposure) {
        exposureHighlight = exposure.highlight();
        exposureShadow = exposure.shadow();
        exposureRepeatedPixels = exposure.repeatedPixels();
    }

    @Override
    public String toString() {
        return "EncodedLatent{" + image.imageId + ", model " + modelVersion + "}";
    }
}

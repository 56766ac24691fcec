package io.latentflow.jobs.replay;

/**
 * What every model did with one replayed image: reconstruction PSNR and SSIM against the model input, and the
 * latent's per-channel moments, values outside [-1, 1] and largest magnitude. Arrays are indexed by model (A = 0,
 * B = 1); per-channel arrays are the models' channels one model after another.
 *
 * <p>A Flink POJO so it travels without Kryo. Holds no pixels: a replay of many images collects one of these per image.
 */
public class ImageComparison {

    public int partition;
    public long offset;
    public String imageId;
    public String source;
    public long eventTime;
    /** When the batch holding this image was compared, epoch milliseconds. */
    public long comparedAt;

    /** dB per model, data range 2 (pixels in [-1, 1]), as {@code latentflow eval} computes it. */
    public double[] psnr;
    public double[] ssim;

    /** Latent channels per model. */
    public int[] channels;
    /** Latent positions per channel (height x width) per model. */
    public int[] positions;
    public double[] channelMean;
    /** Sum of squared deviations from the channel mean over the image's positions. */
    public double[] channelM2;
    public long[] outsideUnit;
    public double[] maxAbs;

    public ImageComparison() {
    }

    public int models() {
        return psnr.length;
    }

    /** Index of model {@code model}'s first channel in the per-channel arrays. */
    public int channelOffset(int model) {
        int offset = 0;
        for (int m = 0; m < model; m++) {
            offset += channels[m];
        }
        return offset;
    }

    @Override
    public String toString() {
        return "ImageComparison{" + imageId + " at " + partition + "@" + offset + "}";
    }
}

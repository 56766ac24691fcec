package io.latentflow.model.train;

import java.util.List;

/**
 * Reconstruction quality and latent statistics of a model on the validation images (whole images, cropped to a
 * multiple of f), with the latents serving hands out (bounded latents, or the KL mean).
 *
 * @param images              number of validation images
 * @param psnr                mean over images of the PSNR in dB of the clamped reconstruction, on [0, 1] pixels
 * @param channelMean         per latent channel, over all images and positions
 * @param channelStd          per latent channel
 * @param fractionOutsideUnit fraction of latent values outside [-1, 1]
 */
public record ValidationReport(int images, double psnr, List<Double> channelMean, List<Double> channelStd,
                               List<Double> channelMin, List<Double> channelMax, double fractionOutsideUnit) {

    public static ValidationReport empty() {
        return new ValidationReport(0, Double.NaN, List.of(), List.of(), List.of(), List.of(), Double.NaN);
    }
}

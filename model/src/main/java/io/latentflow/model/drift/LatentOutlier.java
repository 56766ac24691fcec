package io.latentflow.model.drift;

/**
 * An image whose latent strays furthest from the reference profile.
 *
 * @param imageId   the image
 * @param source    where it came from
 * @param eventTime epoch milliseconds
 * @param worstZ    largest {@code |value - reference channel mean| / reference channel std} over its latent
 * @param channel   the channel of that value
 * @param maxAbs    largest |value| of its latent
 */
public record LatentOutlier(String imageId, String source, long eventTime, double worstZ, int channel, double maxAbs) {
}

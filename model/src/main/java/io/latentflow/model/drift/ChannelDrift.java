package io.latentflow.model.drift;

/**
 * How far one channel of a window is from the reference.
 *
 * @param channel       index
 * @param meanShift     {@code |window mean - reference mean| / reference std}
 * @param varianceRatio window variance / reference variance
 * @param psi           population stability index over the reference's bins
 * @param score         the largest of the three, each divided by its warning level (see {@link DriftThresholds})
 */
public record ChannelDrift(int channel, double meanShift, double varianceRatio, double psi, double score) {
}

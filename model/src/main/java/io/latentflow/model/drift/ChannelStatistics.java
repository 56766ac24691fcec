package io.latentflow.model.drift;

/**
 * One latent channel over one window.
 *
 * @param channel             index
 * @param count               values (images x positions)
 * @param mean                of the values
 * @param variance            population variance
 * @param min                 smallest value (0 when empty)
 * @param max                 largest value (0 when empty)
 * @param fractionOutsideUnit fraction of values with |v| > 1
 * @param blackHoles          the window's {@link BlackHoles} positions at which this channel is beyond the bound:
 *                            which channels make the holes (a hole beyond it in several channels counts in each)
 * @param quantiles           values at the window's quantile ranks, from the sketch
 * @param binEdges            the reference profile's bin edges of this channel
 * @param binFractions        fraction of this window's values per bin ({@code binEdges.length + 1} bins)
 * @param sketch              the serialized DataSketches KLL float sketch of the values
 */
public record ChannelStatistics(int channel, long count, double mean, double variance, double min, double max,
                                double fractionOutsideUnit, long blackHoles, double[] quantiles, double[] binEdges,
                                double[] binFractions, byte[] sketch) {

    public double std() {
        return Math.sqrt(variance);
    }
}

package io.latentflow.dashboard;

import java.util.List;

/**
 * One window in full, for the distribution charts, the per-channel table and the strip of worst images: the summary
 * plus each channel's quantiles and histogram. The merge sketches are left out: the page has no use for them and they
 * are the bulk of a record.
 *
 * @param quantileRanks ranks in [0, 1] of every channel's {@code quantiles}
 */
public record WindowDetail(
        WindowSummary summary,
        List<Double> quantileRanks,
        List<ChannelDistribution> distributions,
        List<Outlier> outliers) {

    /**
     * @param quantiles          values at {@link WindowDetail#quantileRanks}, in latent units
     * @param histogramEdges     the reference profile's deciles of this channel; empty without a reference
     * @param histogram          fraction of the window's values per bin: below the first edge, between edges, above
     *                           the last ({@code histogramEdges + 1} bins)
     * @param referenceHistogram the reference profile's fraction per bin (about 0.1 each)
     */
    public record ChannelDistribution(int channel, List<Double> quantiles, List<Double> histogramEdges,
                                      List<Double> histogram, List<Double> referenceHistogram) {
    }

    /**
     * @param index          position in the window's list of worst images, which names its reconstruction
     * @param eventTime      epoch milliseconds
     * @param worstZ         largest |value - reference channel mean| / reference channel std over its latent
     * @param reconstruction the page's path to its decoded image, null when it cannot be decoded here
     */
    public record Outlier(int index, String imageId, String source, long eventTime, Double worstZ, int channel,
                          Double maxAbs, String reconstruction) {

        Outlier withReconstruction(String path) {
            return new Outlier(index, imageId, source, eventTime, worstZ, channel, maxAbs, path);
        }
    }

    WindowDetail withOutliers(List<Outlier> replaced) {
        return new WindowDetail(summary, quantileRanks, distributions, replaced);
    }
}

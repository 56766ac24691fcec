package io.latentflow.dashboard;

import java.util.List;

/**
 * One window in full, for the distribution chart, the quantile table and the reconstruction strip: the summary plus
 * each channel's quantiles and histogram and the window's worst images. The merge sketch is left out: the page has no
 * use for it and it is the bulk of a record.
 *
 * @param quantileRanks  ranks in [0, 1] of every channel's {@code quantiles}
 * @param histogramEdges bin edges of every channel's {@code histogram} (one more than bins); empty when not computed
 */
public record WindowDetail(
        WindowSummary summary,
        List<Double> quantileRanks,
        List<Double> histogramEdges,
        List<ChannelDistribution> distributions,
        List<Outlier> outliers) {

    /** @param histogram fraction of values per bin of {@link WindowDetail#histogramEdges} */
    public record ChannelDistribution(int channel, List<Double> quantiles, List<Double> histogram) {
    }

    /**
     * @param index          position in the window's list of worst images, which names its reconstruction
     * @param shardUri       the shard holding its latent, empty when the monitor did not say
     * @param reconstruction the page's path to its decoded image, null when it cannot be decoded here
     */
    public record Outlier(int index, String imageId, String source, String shardUri, String member, Double worstZ,
                          int channel, Double maxAbs, String reconstruction) {

        Outlier withReconstruction(String path) {
            return new Outlier(index, imageId, source, shardUri, member, worstZ, channel, maxAbs, path);
        }
    }

    WindowDetail withOutliers(List<Outlier> replaced) {
        return new WindowDetail(summary, quantileRanks, histogramEdges, distributions, replaced);
    }
}

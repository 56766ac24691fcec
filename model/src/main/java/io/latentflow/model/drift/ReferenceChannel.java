package io.latentflow.model.drift;

/**
 * One latent channel as the reference images showed it.
 *
 * @param channel      index
 * @param mean         over all reference images and positions
 * @param std          population standard deviation
 * @param min          smallest value
 * @param max          largest value
 * @param binEdges     the channel's quantile edges (deciles by default), strictly increasing; a window's values are
 *                     binned over them for the PSI
 * @param binFractions fraction of the reference values in each of the {@code binEdges.length + 1} bins (about equal;
 *                     not exactly, where values repeat)
 */
public record ReferenceChannel(int channel, double mean, double std, double min, double max, double[] binEdges,
                               double[] binFractions) implements java.io.Serializable {

    public ReferenceChannel {
        if (binEdges == null || binFractions == null || binFractions.length != binEdges.length + 1) {
            throw new IllegalArgumentException("reference channel " + channel + " needs one more bin fraction than bin"
                    + " edges");
        }
        for (int i = 1; i < binEdges.length; i++) {
            if (!(binEdges[i] > binEdges[i - 1])) {
                throw new IllegalArgumentException("reference channel " + channel + ": bin edges must increase strictly");
            }
        }
    }
}

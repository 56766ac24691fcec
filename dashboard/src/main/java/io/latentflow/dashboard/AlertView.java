package io.latentflow.dashboard;

import java.util.List;

/**
 * A drift alert as the page lists it: a change of a model version's drift state and what moved.
 *
 * @param seq arrival order in this dashboard
 */
public record AlertView(
        long seq,
        String model,
        long windowStart,
        long windowEnd,
        long windowIndex,
        String severity,
        String previousSeverity,
        Double driftScore,
        Double warningThreshold,
        Double criticalThreshold,
        List<Finding> findings,
        String message) {

    /**
     * One statistic of one channel (-1: all channels) past its threshold.
     *
     * @param observed  the window's quantity behind the statistic (channel mean, variance, ...)
     * @param reference the same quantity in the reference profile
     */
    public record Finding(int channel, String statistic, Double value, Double threshold, Double observed,
                          Double reference) {
    }
}

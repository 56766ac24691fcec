package io.latentflow.dashboard;

import java.util.List;

/**
 * What the time-series charts need of one window: per-channel values, listed in the order of {@code channels}.
 * Non-finite numbers are null so the JSON stays valid and the charts show a gap.
 *
 * @param seq         arrival order in this dashboard; a window that replaces an earlier firing gets a new one
 * @param start       window start, epoch milliseconds of event time
 * @param end         window end, epoch milliseconds of event time
 * @param driftScore  against the model's reference profile; null when the monitor has none
 */
public record WindowSummary(
        long seq,
        String model,
        long start,
        long end,
        long images,
        Double driftScore,
        List<Integer> channels,
        List<Double> mean,
        List<Double> std,
        List<Double> outsideUnit,
        List<Double> min,
        List<Double> max,
        List<Long> blackHoles) {
}

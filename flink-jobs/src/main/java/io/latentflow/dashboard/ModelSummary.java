package io.latentflow.dashboard;

/**
 * A model version seen on {@code latent-stats}, with its latest drift state.
 *
 * @param severity          from its latest alert; OK when it never had one
 * @param warningThreshold  drift-score thresholds from its latest alert; null before the first one
 */
public record ModelSummary(
        String version,
        int windows,
        long firstWindowStart,
        long lastWindowEnd,
        Double latestDriftScore,
        String severity,
        Double warningThreshold,
        Double criticalThreshold) {
}

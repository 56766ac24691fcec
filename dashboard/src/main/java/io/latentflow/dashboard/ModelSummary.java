package io.latentflow.dashboard;

/**
 * A model version seen on {@code latent-stats}, with its latest drift state.
 *
 * @param severity          from its latest alert; OK when it never had one
 * @param warningThreshold  drift-score threshold of its latest window (or, for records without one, its latest
 *                          alert); null when neither says
 * @param latentSpace       what its latents mean (its PUBLISHED event or its latents say); null when unknown
 */
public record ModelSummary(
        String version,
        int windows,
        long firstWindowStart,
        long lastWindowEnd,
        Double latestDriftScore,
        String severity,
        Double warningThreshold,
        Double criticalThreshold,
        String latentSpace) {
}

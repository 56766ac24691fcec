package io.latentflow.dashboard;

import java.util.List;

/**
 * What the time-series charts need of one window. Per-channel values are listed in the order of {@code channels};
 * non-finite numbers are null so the JSON stays valid and the charts show a gap.
 *
 * @param seq               arrival order in this dashboard; a window that replaces an earlier firing gets a new one
 * @param start             window start, epoch milliseconds of event time
 * @param end               window end (exclusive), epoch milliseconds of event time
 * @param driftScore        the largest per-channel drift statistic over its warning level (1 = warning); null
 *                          without a reference profile
 * @param warningThreshold  drift score that raises a warning; null without a reference profile
 * @param pooledMean        all channels pooled, likewise {@code pooledStd} and {@code pooledOutsideUnit}
 * @param meanShift         per channel |mean - reference mean| / reference std; null entries without a reference
 * @param varianceRatio     per channel variance / reference variance
 * @param psi               per channel population stability index against the reference deciles
 * @param sampledImages     images the encoder sampled and decoded for QUALITY
 * @param sampledPsnr       their median reconstruction PSNR, dB; null when none were sampled
 * @param validationPsnr    the model version's median validation PSNR, dB; null when it has none
 * @param qualityWarningPsnr the median sampled PSNR below which QUALITY warns; null without validation PSNRs
 * @param qualityScore      QUALITY in drift-score units; null without a verdict (too few samples)
 */
public record WindowSummary(
        long seq,
        String model,
        long start,
        long end,
        long images,
        Double driftScore,
        Double warningThreshold,
        Double criticalThreshold,
        Double pooledMean,
        Double pooledStd,
        Double pooledOutsideUnit,
        long pooledBlackHoles,
        List<Integer> channels,
        List<Double> mean,
        List<Double> std,
        List<Double> outsideUnit,
        List<Double> min,
        List<Double> max,
        List<Long> blackHoles,
        List<Double> meanShift,
        List<Double> varianceRatio,
        List<Double> psi,
        int sampledImages,
        Double sampledPsnr,
        Double validationPsnr,
        Double qualityWarningPsnr,
        Double qualityScore) {
}

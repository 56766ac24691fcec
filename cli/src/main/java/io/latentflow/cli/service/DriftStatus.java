package io.latentflow.cli.service;

import io.latentflow.model.drift.ReconstructionQuality;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift part of {@code status}: the serving version's latest closed window (its drift score and QUALITY: the
 * median reconstruction PSNR of its sampled images against the version's validation PSNRs) and its latest alert.
 */
final class DriftStatus {

    private DriftStatus() {
    }

    /** Null when the monitor has published no window of {@code version}. */
    static Map<String, Object> of(String version, List<LatentStatsWindow> windows, List<DriftAlert> alerts) {
        LatentStatsWindow latest = windows.stream().filter(w -> w.getModelVersion().equals(version))
                .max(Comparator.comparing(LatentStatsWindow::getWindowStart)).orElse(null);
        if (latest == null) {
            return null;
        }
        Map<String, Object> drift = new LinkedHashMap<>();
        drift.put("windowStart", latest.getWindowStart().toString());
        drift.put("images", latest.getImages());
        drift.put("driftScore", latest.getDriftScore());
        Map<String, Object> quality = new LinkedHashMap<>();
        quality.put("sampledImages", latest.getSampledPsnr().size());
        quality.put("medianPsnr", latest.getSampledPsnr().isEmpty() ? null : ReconstructionQuality.median(
                latest.getSampledPsnr().stream().mapToDouble(Double::doubleValue).toArray()));
        quality.put("validationMedianPsnr", latest.getValidationPsnrMedian());
        quality.put("warningBelowPsnr", latest.getQualityWarningPsnr());
        quality.put("score", latest.getQualityScore());
        drift.put("quality", quality);
        drift.put("alert", alerts.stream().filter(a -> a.getModelVersion().equals(version))
                .max(Comparator.comparing(DriftAlert::getWindowStart))
                .map(a -> a.getSeverity() + " since " + a.getWindowStart() + ": " + a.getMessage()).orElse("none"));
        return drift;
    }
}

package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drift part of {@code status}: the serving version's latest window, its QUALITY, and its latest alert. */
class DriftStatusTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void theServingVersionsLatestWindowWithItsQualityAndAlert() {
        List<LatentStatsWindow> windows = List.of(
                window("v1", T0.plusSeconds(60), List.of(18.0, 17.0, 30.0, 16.0, 19.0), 1.4),
                window("v1", T0, List.of(), null),
                window("v0", T0.plusSeconds(120), List.of(29.0), null));
        List<DriftAlert> alerts = List.of(DriftAlert.newBuilder().setModelVersion("v1")
                .setWindowStart(T0.plusSeconds(60)).setWindowEnd(T0.plusSeconds(120)).setWindowIndex(1)
                .setSeverity(DriftSeverity.WARNING).setPreviousSeverity(DriftSeverity.OK).setDriftScore(1.4)
                .setWarningThreshold(1).setCriticalThreshold(2).setFindings(List.of())
                .setMessage("QUALITY 18 < 20.7").build());

        Map<String, Object> drift = DriftStatus.of("v1", windows, alerts);

        assertThat(drift).containsEntry("windowStart", T0.plusSeconds(60).toString()).containsEntry("images", 320L);
        @SuppressWarnings("unchecked")
        Map<String, Object> quality = (Map<String, Object>) drift.get("quality");
        assertThat(quality).containsEntry("sampledImages", 5).containsEntry("medianPsnr", 18.0)
                .containsEntry("validationMedianPsnr", 26.67).containsEntry("warningBelowPsnr", 20.66)
                .containsEntry("score", 1.4);
        assertThat((String) drift.get("alert")).startsWith("WARNING since " + T0.plusSeconds(60));
        assertThat(DriftStatus.of("v2", windows, alerts)).isNull();
    }

    private static LatentStatsWindow window(String version, Instant start, List<Double> sampledPsnr,
                                            Double qualityScore) {
        return LatentStatsWindow.newBuilder().setModelVersion(version).setWindowStart(start)
                .setWindowEnd(start.plusSeconds(60)).setImages(320).setMean(0).setStd(0.7).setFractionOutsideUnit(0)
                .setBlackHolePositions(0).setQuantileRanks(List.of()).setChannels(List.of()).setDriftScore(1.4)
                .setSampledPsnr(sampledPsnr).setValidationPsnrMedian(26.67).setQualityWarningPsnr(20.66)
                .setQualityScore(qualityScore).build();
    }
}

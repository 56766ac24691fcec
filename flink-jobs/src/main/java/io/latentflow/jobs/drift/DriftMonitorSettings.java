package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.RawImage;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ValidationPsnr;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the latent-drift monitor watches the encoder's output. Start from {@link #of(ReferenceProfile)}.
 *
 * @param reference       the reference profile of the served model version
 * @param thresholds      when windows count as drifted, and when alerts clear
 * @param windowSize      event-time tumbling window
 * @param allowedLateness how long after a window closed a late latent still updates it (the window is emitted again)
 * @param outOfOrderness  how far behind the newest event time of a Kafka partition an image may arrive and not be late
 * @param idleness        a partition without images for this long stops holding the event-time clock back, and its
 *                        watermark advances with processing time, so the last window of a burst still closes
 *                        ({@link IdleAdvancingWatermarks}); one window by default
 * @param validationPsnr  the served version's validation PSNR distribution (its metrics.json), what QUALITY holds
 *                        sampled reconstructions against; null when the version has none (then no QUALITY)
 * @param sampling        which images the encoder also decodes for QUALITY
 */
public record DriftMonitorSettings(
        ReferenceProfile reference,
        DriftThresholds thresholds,
        Duration windowSize,
        Duration allowedLateness,
        Duration outOfOrderness,
        Duration idleness,
        ValidationPsnr validationPsnr,
        ReconstructionSampling sampling) implements Serializable {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ZERO;
    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLENESS = DEFAULT_WINDOW;

    public DriftMonitorSettings {
        Objects.requireNonNull(reference, "reference profile");
        Objects.requireNonNull(thresholds, "drift thresholds");
        require(windowSize != null && windowSize.toMillis() >= 1, "windowSize", windowSize, "a positive duration,"
                + " e.g. PT1M");
        require(allowedLateness != null && !allowedLateness.isNegative(), "allowedLateness", allowedLateness,
                "zero or a positive duration");
        require(outOfOrderness != null && !outOfOrderness.isNegative(), "outOfOrderness", outOfOrderness,
                "zero or a positive duration");
        require(idleness != null && idleness.toMillis() >= 1, "idleness", idleness, "a positive duration");
        Objects.requireNonNull(sampling, "reconstruction sampling (ReconstructionSampling.NONE for none)");
    }

    /**
     * Defaults: 1 minute windows, no allowed lateness, 5 s out of order, 1 minute idleness, default thresholds, no
     * validation PSNRs (so no QUALITY until {@link #withValidationPsnr}), 1 image in
     * {@value ReconstructionSampling#DEFAULT_EVERY} sampled.
     */
    public static DriftMonitorSettings of(ReferenceProfile reference) {
        return new DriftMonitorSettings(reference, DriftThresholds.DEFAULTS, DEFAULT_WINDOW, DEFAULT_ALLOWED_LATENESS,
                DEFAULT_OUT_OF_ORDERNESS, DEFAULT_IDLENESS, null, ReconstructionSampling.DEFAULT);
    }

    public Optional<ValidationPsnr> validation() {
        return Optional.ofNullable(validationPsnr);
    }

    public DriftMonitorSettings withValidationPsnr(Optional<ValidationPsnr> validationPsnr) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr.orElse(null), sampling);
    }

    public DriftMonitorSettings withSampling(ReconstructionSampling sampling) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr, sampling);
    }

    public DriftMonitorSettings withThresholds(DriftThresholds thresholds) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr, sampling);
    }

    public DriftMonitorSettings withWindowSize(Duration windowSize) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr, sampling);
    }

    public DriftMonitorSettings withAllowedLateness(Duration allowedLateness) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr, sampling);
    }

    public DriftMonitorSettings withOutOfOrderness(Duration outOfOrderness) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr, sampling);
    }

    public DriftMonitorSettings withIdleness(Duration idleness) {
        return new DriftMonitorSettings(reference, thresholds, windowSize, allowedLateness, outOfOrderness, idleness,
                validationPsnr, sampling);
    }

    /** Event time for the images source: {@code ImageRecord.eventTime}, one watermark per Kafka partition. */
    public WatermarkStrategy<RawImage> watermarks() {
        return watermarks(outOfOrderness, idleness);
    }

    /** {@link #watermarks()} with the default out-of-orderness and idleness, for a job without the monitor. */
    public static WatermarkStrategy<RawImage> defaultWatermarks() {
        return watermarks(DEFAULT_OUT_OF_ORDERNESS, DEFAULT_IDLENESS);
    }

    private static WatermarkStrategy<RawImage> watermarks(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<RawImage>forGenerator(context ->
                        new IdleAdvancingWatermarks<>(outOfOrderness, idleness, System::currentTimeMillis))
                .withTimestampAssigner(new ImageEventTime());
    }

    private static void require(boolean valid, String name, Object value, String expected) {
        if (!valid) {
            throw new IllegalArgumentException("Drift monitor setting " + name + " is " + value + ": expected "
                    + expected);
        }
    }
}

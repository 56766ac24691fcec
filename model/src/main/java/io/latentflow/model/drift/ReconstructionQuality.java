package io.latentflow.model.drift;

import io.latentflow.model.eval.ValidationPsnr;

import java.io.Serializable;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * The QUALITY statistic: does the model reconstruct a window's images clearly worse than the images it was
 * validated on? The window's sampled reconstruction PSNRs ({@link ReconstructionSampling}) against the version's own
 * validation PSNR distribution ({@link ValidationPsnr}, from its metrics.json).
 *
 * <p>The score is how far the window's MEDIAN sampled PSNR lies below the validation median, in units of the
 * validation's own lower spread (its median minus its 5th percentile): 1, the warning level, is a window whose
 * typical image the model reconstructs as badly as the worst 5 % of its validation images; 2, critical, twice as far
 * below. Both levels are read from the validation data, never from a stream. A median, so one broken image does not
 * decide; at least {@link #MIN_SAMPLES} samples, or no verdict (a window of one photo, tiled, reconstructs like that
 * photo: a handful of samples is one draw, not a distribution).
 */
public final class ReconstructionQuality implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Fewer sampled images in a window give no verdict. */
    public static final int MIN_SAMPLES = 5;
    /** The validation quantile a window's median PSNR reaches at the warning level. */
    public static final double WARNING_RANK = 0.05;
    /** A validation set whose lower spread is narrower than this (dB) is read as this wide: no division by ~0. */
    static final double LEAST_SPREAD_DB = 0.25;

    private final ValidationPsnr validation;

    public ReconstructionQuality(ValidationPsnr validation) {
        this.validation = validation;
    }

    public ValidationPsnr validation() {
        return validation;
    }

    /** The score of a window's sampled PSNRs; empty (no verdict) below {@link #MIN_SAMPLES} samples. */
    public OptionalDouble score(double[] sampledPsnr) {
        if (sampledPsnr.length < MIN_SAMPLES) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(scoreOfMedian(median(sampledPsnr)));
    }

    /** The score of a window whose median sampled PSNR is {@code psnr}: 0 at or above the validation median. */
    public double scoreOfMedian(double psnr) {
        return Math.max(0, validation.median() - psnr) / spread();
    }

    /** The median sampled PSNR (dB) at which a window reaches {@code score}: the warning level at 1. */
    public double psnrAtScore(double score) {
        return validation.median() - score * spread();
    }

    private double spread() {
        return Math.max(LEAST_SPREAD_DB, validation.median() - validation.at(WARNING_RANK));
    }

    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return ValidationPsnr.quantileOfSorted(sorted, 0.5);
    }
}

package io.latentflow.model.drift;

import java.io.Serializable;

/**
 * When a window counts as drifted, and when a drift alert clears. See {@link #DEFAULTS} for how the defaults were
 * chosen.
 *
 * @param meanShift          warning level of a channel's {@code |mean shift| / reference std}
 * @param logVarianceRatio   warning level of a channel's {@code |ln(window variance / reference variance)|}
 * @param psi                warning level of a channel's PSI
 * @param warningScore       drift score (the largest statistic over its warning level) that raises a warning
 * @param criticalScore      drift score that makes it critical
 * @param outOfRange         largest fraction of values outside [-1, 1] that is not a RANGE pathology
 * @param scaleFactor        how many times larger or smaller than expected the overall std may be before SCALE
 * @param blackHolesPerImage fewest black holes per image that make a BLACK_HOLES pathology (and at least
 *                           {@code blackHoleFactor} times the reference's rate)
 * @param blackHoleFactor    see {@code blackHolesPerImage}
 * @param clearFraction      a severity clears only in windows whose score is below this fraction of its threshold
 * @param clearWindows       ... and only after this many such windows in a row
 */
public record DriftThresholds(
        double meanShift,
        double logVarianceRatio,
        double psi,
        double warningScore,
        double criticalScore,
        double outOfRange,
        double scaleFactor,
        double blackHolesPerImage,
        double blackHoleFactor,
        double clearFraction,
        int clearWindows) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** PLACEHOLDER: calibrated below. */
    public static final DriftThresholds DEFAULTS = new DriftThresholds(0.5, 0.5, 0.25, 1, 2, 1e-3, 2, 0.25, 4, 0.8, 2);

    public DriftThresholds {
        positive("meanShift", meanShift);
        positive("logVarianceRatio", logVarianceRatio);
        positive("psi", psi);
        positive("warningScore", warningScore);
        if (!(criticalScore > warningScore)) {
            throw new IllegalArgumentException("drift criticalScore " + criticalScore + " must be above warningScore "
                    + warningScore);
        }
        if (!(outOfRange >= 0 && outOfRange < 1)) {
            throw new IllegalArgumentException("drift outOfRange threshold " + outOfRange + " must be a fraction in"
                    + " [0, 1)");
        }
        if (!(scaleFactor > 1)) {
            throw new IllegalArgumentException("drift scaleFactor " + scaleFactor + " must be above 1, e.g. 2");
        }
        positive("blackHolesPerImage", blackHolesPerImage);
        positive("blackHoleFactor", blackHoleFactor);
        if (!(clearFraction > 0 && clearFraction <= 1)) {
            throw new IllegalArgumentException("drift clearFraction " + clearFraction + " must be in (0, 1]");
        }
        if (clearWindows < 1) {
            throw new IllegalArgumentException("drift clearWindows " + clearWindows + " must be at least 1");
        }
    }

    /** The score threshold of a severity: 0 for OK. */
    public double scoreOf(Severity severity) {
        return switch (severity) {
            case OK -> 0;
            case WARNING -> warningScore;
            case CRITICAL -> criticalScore;
        };
    }

    private static void positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("drift threshold " + name + " must be positive and finite, got "
                    + value);
        }
    }
}

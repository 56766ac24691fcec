package io.latentflow.model.drift;

import java.io.Serializable;

/**
 * When a window counts as drifted, and when a drift alert clears. See {@link #DEFAULTS} for how the defaults were
 * chosen.
 *
 * @param meanShift          warning level of a channel's {@code |mean shift| / reference std}
 * @param logVarianceRatio   warning level of a channel's {@code |ln(window variance / reference variance)|}
 * @param psi                warning level of a channel's PSI
 * @param novelty            warning level of a window's novelty (a ratio; 1 is like the reference images)
 * @param warningScore       drift score (the largest statistic over its warning level) that raises a warning
 * @param criticalScore      drift score that makes it critical
 * @param outOfRange         largest fraction of values outside [-1, 1] that is not a RANGE pathology
 * @param scaleFactor        how many times larger or smaller than expected the overall std may be before SCALE
 * @param blackHolesPerImage fewest black holes per image that make a BLACK_HOLES pathology (and at least
 *                           {@code blackHoleFactor} times the reference's rate)
 * @param blackHoleFactor    see {@code blackHolesPerImage}
 * @param clearFraction      a severity clears only in windows whose score is below this fraction of its threshold
 * @param clearWindows       ... and only after this many such windows in a row
 * @param minImages          windows with fewer images (the partial first and last windows of a stream) are published
 *                           but do not move the drift state: a handful of images is not a distribution
 */
public record DriftThresholds(
        double meanShift,
        double logVarianceRatio,
        double psi,
        double novelty,
        double warningScore,
        double criticalScore,
        double outOfRange,
        double scaleFactor,
        double blackHolesPerImage,
        double blackHoleFactor,
        double clearFraction,
        int clearWindows,
        int minImages) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Chosen from measurements on the shipped samples (windows of 32 images, the demo's default), through the shipped
     * default model {@code bounded-f8c8-0ae180f960d8} (trained 50 min on the sample photos at 64 px) and through an
     * untrained bounded f8c8 (seed 42, the default's stand-in before it shipped), at 64 and 256 px, the reference
     * profile computed from 128 of the 240 photos:
     * <ul>
     *   <li>photo windows in the order the demo streams them, i.e. one or two source photos per window (every 4th
     *       window start over the photos twice): largest mean shift 0.87 std, |ln variance ratio| 1.36, PSI 1.27,
     *       novelty 0.61 (trained, 64 px; 0.84 / 1.31 / 1.17 / 0.57 at 256 px). A minute of one scene moves a
     *       channel's marginals a lot; hence the per-channel levels 1.5 / 2.0 / 2.0, which keep every photo window
     *       at a drift score of 0.68 or less (0.16 through the untrained model);</li>
     *   <li>illustration windows: per-channel marginals move less than in photo windows (largest mean shift 0.17-0.36,
     *       PSI 0.12-0.31) because the illustrations' mixture resembles the photos' mixture, but every illustration
     *       lies far from every reference photo: novelty 1.74-1.92 at 64 px, 1.90-2.08 at 256 px (1.67 in a demo run
     *       whose windows fell differently), against at most 0.61 for photo windows (1.24 with no photo of the window
     *       among the reference images). Novelty level 1.4 puts those photo windows at 0.6 or less and illustration
     *       windows at 1.7 or more;</li>
     *   <li>a broken camera (the photos at a quarter of their brightness): PSI 2.6-3.4, |ln variance ratio| 2.2-2.7;
     *       an unbounded kl-vae (untrained, f8c4): 0.33-0.56 % of values outside [-1, 1], std 0.28 against 1.</li>
     * </ul>
     * The untrained model cannot see the illustrations (its group norms map every input to about the same latent
     * distribution: illustration windows score 0.21-0.61). Re-check these with {@code ./latentflow bench drift}
     * (the same measurements for any model and folders) whenever the default model changes.
     */
    public static final DriftThresholds DEFAULTS =
            new DriftThresholds(1.5, 2.0, 2.0, 1.4, 1, 2, 1e-3, 2, 0.25, 4, 0.8, 2, 8);

    public DriftThresholds {
        positive("meanShift", meanShift);
        positive("logVarianceRatio", logVarianceRatio);
        positive("psi", psi);
        if (!(novelty > 1) || Double.isInfinite(novelty)) {
            throw new IllegalArgumentException("drift threshold novelty must be a ratio above 1, e.g. 1.5, got "
                    + novelty);
        }
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
        if (minImages < 1) {
            throw new IllegalArgumentException("drift minImages " + minImages + " must be at least 1");
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

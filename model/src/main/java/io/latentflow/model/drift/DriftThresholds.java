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
 * @param blackHoleMargin    {@link BlackHoles} positions per image a window may have beyond the reference's most
 *                           holed window ({@link ReferenceProfile#blackHolesHighestWindow}) before BLACK_HOLES
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
        double blackHoleMargin,
        double clearFraction,
        int clearWindows,
        int minImages) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Chosen from leave-sources-out measurements ({@code ./latentflow bench drift --new-domain}, README "Calibrated on
     * photo sources the reference was not built from"): the shipped default model {@code bounded-f8c8-26b79570cbea}
     * at 256 px, references of 512 tiles of 14 or 22 of the 27 photo sources, windows of 32 tiles of the OTHER
     * sources in name order (one or two photos a window), then illustrations.
     * <ul>
     *   <li>NOVELTY 1.1, on the scale where 1 is the reference's own most novel window ({@link ReferenceImages}):
     *       on the report pool no false alarm in 185 / 67 unseen-photo windows (14 / 22-source references; the most
     *       novel reached 0.99 / 0.94 of the level), illustration streams alerted within 2 windows 93 % / 99 %. A
     *       margin of 1.0 false-alarmed on 3-12 % of windows, 1.2 caught 74-80 % of streams.</li>
     *   <li>MEAN_SHIFT 2.0, VARIANCE_RATIO 3.5, PSI 6.0: above the highest unseen-photo window of all splits (a mean
     *       shift of 1.6 std, |ln variance ratio| 3.3, PSI 5.7). A minute of one photo moves a channel's marginals
     *       far; at the former 1.5 / 2.0 / 2.0 they false-alarmed on 5-10 % of unseen-photo windows. The price: a
     *       camera at a quarter of its brightness is alerted within 2 windows in only 32 % of such streams.</li>
     *   <li>BLACK_HOLES: a margin of 0.25 positions per image over the reference's most holed window, the level being
     *       read from the reference like NOVELTY's: a window where one image in four has a hole more than the worst
     *       reference window. Not a level fitted to images: a bounded model has none anywhere, an unbounded KL-VAE
     *       has its own rate in its reference.</li>
     * </ul>
     * The levels are for 256 px: at 64 px a latent is 8x8 and NOVELTY's texture coarse. Re-measure them with
     * {@code ./latentflow bench drift} whenever the default model changes.
     */
    public static final DriftThresholds DEFAULTS =
            new DriftThresholds(2.0, 3.5, 6.0, 1.1, 1, 2, 1e-3, 2, 0.25, 0.8, 2, 8);

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
        positive("blackHoleMargin", blackHoleMargin);
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

    /** The same thresholds with another NOVELTY warning level. */
    public DriftThresholds withNovelty(double level) {
        return new DriftThresholds(meanShift, logVarianceRatio, psi, level, warningScore, criticalScore, outOfRange,
                scaleFactor, blackHoleMargin, clearFraction, clearWindows, minImages);
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

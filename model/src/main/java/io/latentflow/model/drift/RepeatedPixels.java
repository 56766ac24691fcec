package io.latentflow.model.drift;

import java.io.Serializable;
import java.util.Optional;

/**
 * The REPEATED_PIXELS statistic: does a window repeat its pixels exactly more than any window of the reference's own
 * photos? A camera's sensor and JPEG noise leave few pixels equal to their neighbour, even in a sky or a blurred
 * background; a drawing's flat fills, white paper and clean lines repeat them ({@link ImageExposure#repeatedPixels}).
 * The latent texture statistics place line art among the photos (a 256 px crop of it is mostly fill); its pixels do
 * not.
 *
 * <p>The level is read from the reference, as NOVELTY's is: the highest median share over {@value
 * ReferenceImages#WINDOW} consecutive reference images (one or two source photos; a reference of sky and snow
 * tolerates more), and the score is the window's median share over it. A median, so that a few flat frames (a black
 * frame, a sky) do not decide. The score is capped at {@value #MAX_SCORE}: repeated pixels say that the content is
 * drawn, not that the model does worse on it (QUALITY's business), so the statistic alone never raises CRITICAL.
 * Fewer than {@value BrokenExposure#MIN_IMAGES} measured images give no verdict.
 */
public final class RepeatedPixels implements Serializable {

    private static final long serialVersionUID = 1L;
    static final double MAX_SCORE = 1.5;

    /**
     * One window's verdict.
     *
     * @param score          the window's median share over the reference's level, at most {@value #MAX_SCORE}
     * @param windowMedian   the window's median repeated-pixel share
     * @param referenceLevel the reference's highest window median
     */
    public record Verdict(double score, double windowMedian, double referenceLevel) {
    }

    private final double level;

    /** @param level the reference's highest window median share ({@link ReferenceExposure}), above 0 */
    public RepeatedPixels(double level) {
        if (!(level > 0 && level <= 1)) {
            throw new IllegalArgumentException("the repeated-pixel level is a share in (0, 1], got " + level);
        }
        this.level = level;
    }

    /** The rule of a reference profile's exposure levels; empty for profiles made before the shares. */
    public static Optional<RepeatedPixels> of(ReferenceExposure reference) {
        return reference == null || reference.repeatedPixels() == null ? Optional.empty()
                : Optional.of(new RepeatedPixels(Math.max(reference.repeatedPixelsHighestWindow(),
                        ImageExposure.levelOf(1))));
    }

    public double level() {
        return level;
    }

    /** The window's verdict; empty (no verdict) below {@value BrokenExposure#MIN_IMAGES} measured images. */
    public Optional<Verdict> judge(WindowExposure window) {
        if (window.imagesWithRepeatedPixels() < BrokenExposure.MIN_IMAGES) {
            return Optional.empty();
        }
        double median = window.medianRepeatedPixels();
        return Optional.of(new Verdict(Math.min(MAX_SCORE, median / level), median, level));
    }
}

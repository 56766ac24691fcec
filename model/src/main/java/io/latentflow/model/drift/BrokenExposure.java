package io.latentflow.model.drift;

import java.io.Serializable;
import java.util.Optional;

/**
 * The EXPOSURE statistic: are most of a window's images darker (or brighter) than almost any reference image? A
 * camera whose exposure broke darkens every frame, whatever the scene; an ordinary dark photo is one scene among
 * many. So the level is a count, not a mean: a window raises EXPOSURE when a clear majority of its images (at least
 * {@value #CLEAR_MAJORITY_PERCENT} %) have highlights darker than the reference's darkest 1 % of images, or shadows
 * brighter than its brightest 1 % (the mirror case, overexposure). Both levels are read from the reference profile
 * ({@link ReferenceExposure}), never from a stream.
 *
 * <p>The score is the larger of the two shares over the clear majority: 1, the warning level, at the clear majority;
 * at most 1.5 (every image), so EXPOSURE alone never raises CRITICAL: a broken camera is a camera to fix, not a model
 * to fine-tune. Fewer than {@value #MIN_IMAGES} measured images give no verdict.
 */
public final class BrokenExposure implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Fewer measured images in a window give no verdict. */
    public static final int MIN_IMAGES = 5;
    static final int CLEAR_MAJORITY_PERCENT = 67;
    /** The share of a window's images past the reference's level at which EXPOSURE warns. */
    public static final double CLEAR_MAJORITY = CLEAR_MAJORITY_PERCENT / 100.0;

    /**
     * One window's verdict.
     *
     * @param score          the share of images past the level, over {@link #CLEAR_MAJORITY}
     * @param underexposed   dark highlights (true) or bright shadows (false), whichever share is larger
     * @param windowMedian   the window's median highlight level (underexposed) or shadow level
     * @param referenceLevel the reference's darkest 1 % highlight level (underexposed) or brightest 1 % shadow level
     */
    public record Verdict(double score, boolean underexposed, double windowMedian, double referenceLevel) {
    }

    private final ReferenceExposure reference;

    public BrokenExposure(ReferenceExposure reference) {
        this.reference = reference;
    }

    public ReferenceExposure reference() {
        return reference;
    }

    /** The window's verdict; empty (no verdict) below {@link #MIN_IMAGES} measured images. */
    public Optional<Verdict> judge(WindowExposure window) {
        if (window.images() < MIN_IMAGES) {
            return Optional.empty();
        }
        double dark = window.fractionHighlightsBelow(reference.darkestHighlight());
        double bright = window.fractionShadowsAbove(reference.brightestShadow());
        return Optional.of(dark >= bright
                ? new Verdict(dark / CLEAR_MAJORITY, true, window.medianHighlight(), reference.darkestHighlight())
                : new Verdict(bright / CLEAR_MAJORITY, false, window.medianShadow(), reference.brightestShadow()));
    }
}

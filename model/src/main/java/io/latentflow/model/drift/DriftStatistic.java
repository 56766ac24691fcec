package io.latentflow.model.drift;

/** What moved: the per-channel drift statistics, then the named pathologies of SD-style latents. */
public enum DriftStatistic {
    /** {@code |window mean - reference mean| / reference std} of a channel. */
    MEAN_SHIFT,
    /** window variance / reference variance of a channel. */
    VARIANCE_RATIO,
    /** Population stability index of a channel's values over the reference's decile bins. */
    PSI,
    /** Mean over the window's images of their distance to the nearest reference image, over the typical one. */
    NOVELTY,
    /**
     * The window's median sampled reconstruction PSNR against the version's validation PSNRs
     * ({@link ReconstructionQuality}): the model reconstructs these images worse than it was validated on.
     */
    QUALITY,
    /**
     * Most of the window's images darker (or brighter) than the reference's darkest (brightest) 1 %, read from their
     * pixels ({@link BrokenExposure}): a camera whose exposure broke.
     */
    EXPOSURE,
    /**
     * The window's median share of pixels equal to their neighbour above the reference's highest window's, read from
     * their pixels ({@link RepeatedPixels}): drawn content (flat fills, line art), which a camera's noise never repeats
     * so exactly.
     */
    REPEATED_PIXELS,
    /** Fraction of all latent values outside [-1, 1]: the latents are not bounded. */
    OUT_OF_RANGE,
    /** Overall latent std far from the scale the model promises: a diffusion model would need a scale factor. */
    SCALE,
    /** Values more than 6 std from their channel's mean, per image: information smuggled through a few positions. */
    BLACK_HOLES;

    public boolean isPathology() {
        return ordinal() >= OUT_OF_RANGE.ordinal();
    }
}

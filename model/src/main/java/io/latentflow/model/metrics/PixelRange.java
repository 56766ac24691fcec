package io.latentflow.model.metrics;

/**
 * The interval pixel values live in. PSNR needs its width (the peak signal); SSIM needs the interval itself, because
 * its luminance term is not shift-invariant: values are moved to {@code [0, high - low]} first, so that SSIM of an
 * image in [-1, 1] equals SSIM of the same image in [0, 1] or [0, 255], as defined by Wang et al. (2004).
 *
 * @param low  smallest representable value
 * @param high largest representable value
 */
public record PixelRange(double low, double high) {

    /** What the model consumes and produces: [-1, 1], data range 2. */
    public static final PixelRange SIGNED_UNIT = new PixelRange(-1, 1);
    /** [0, 1], data range 1. */
    public static final PixelRange UNIT = new PixelRange(0, 1);

    public PixelRange {
        if (!Double.isFinite(low) || !Double.isFinite(high) || high <= low) {
            throw new IllegalArgumentException("pixel range [" + low + ", " + high + "] is not a finite interval"
                    + " with low < high; use e.g. [-1, 1] for model pixels or [0, 1]");
        }
    }

    /** The data range L of the SSIM and PSNR formulas. */
    public double width() {
        return high - low;
    }
}

package io.latentflow.model.drift;

/**
 * One statistic that passed its threshold in one window.
 *
 * @param channel   the latent channel, or {@link #ALL_CHANNELS}
 * @param statistic which statistic
 * @param value     the statistic (units in {@link DriftStatistic})
 * @param threshold the bound it passed, in the same units
 * @param observed  the window's quantity behind it: the channel mean (MEAN_SHIFT), the channel variance
 *                  (VARIANCE_RATIO), the PSI (PSI), the fraction outside (OUT_OF_RANGE), the overall std (SCALE), black
 *                  holes per image (BLACK_HOLES), the median sampled reconstruction PSNR in dB (QUALITY, whose value
 *                  it also is, the threshold being the PSNR below which it warns), the window's median highlight
 *                  level (EXPOSURE, underexposed: below the threshold) or shadow level (overexposed: above it), in
 *                  sRGB [0, 1], which it also is; the window's median share of repeated pixels (REPEATED_PIXELS),
 *                  which it also is
 * @param reference the same quantity in the reference profile (0 for PSI; the expected std for SCALE; for BLACK_HOLES
 *                  the reference's most holed window; for QUALITY the version's median validation PSNR; for EXPOSURE
 *                  and REPEATED_PIXELS the reference level it passed, as the threshold)
 */
public record DriftFinding(int channel, DriftStatistic statistic, double value, double threshold, double observed,
                           double reference) {

    public static final int ALL_CHANNELS = -1;

    /** E.g. {@code channel 3 MEAN_SHIFT 0.82 > 0.5}. */
    public String describe() {
        String comparison = value < threshold ? "<" : ">";
        String where = statistic == DriftStatistic.EXPOSURE ? (value < threshold ? "median highlight" : "median shadow")
                : statistic == DriftStatistic.REPEATED_PIXELS ? "median share"
                : channel == ALL_CHANNELS ? "all channels" : "channel " + channel;
        return String.format(java.util.Locale.ROOT, "%s %s %.3g %s %.3g", where, statistic, value, comparison,
                threshold);
    }
}

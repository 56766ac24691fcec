package io.latentflow.model.drift;

import java.io.Serializable;

/**
 * What a black hole is, the one definition the drift monitor, the reference profile and {@code eval} share: a latent
 * POSITION (one spatial location of one image) at which some channel lies more than {@value #Z} standard deviations
 * from that channel's mean, the mean and standard deviation being those of the model's reference images.
 *
 * <p>Why this one. The word comes from Stable Diffusion's VAE: a few positions with extreme values that carry global
 * information (the overall colour, the exposure) instead of their own patch. Such a position is one the decoder cannot
 * use as local content: it lies far outside the latent distribution the decoder was trained on, which is what the
 * reference profile records. So the yardstick is the reference, fixed per model version:
 * <ul>
 *   <li>not the window's own spread: a window of one smooth, out-of-focus photo has little spread, and its ordinary
 *       highlights then sit {@value #Z} of ITS standard deviations out (the monitor counted 1-4 per image on macro
 *       photos that {@code eval} counted none on). What the decoder can use does not depend on what else is in the
 *       window;</li>
 *   <li>not the evaluated images' spread either, for the same reason; only a model without a reference profile is
 *       measured against the images evaluated.</li>
 * </ul>
 * Positions, not values: a hole spans the channels at its location, and counting values would count one hole up to
 * once per channel. Near-zero or saturated vectors are not holes: flat regions and saturated colours are in every
 * reference, inside the range the decoder learned. A bounded latent (|value| &lt;= 1, std about 0.7) cannot reach
 * {@value #Z} std at all; an unbounded KL-VAE can.
 */
public final class BlackHoles implements Serializable {

    /** Stable Diffusion's black holes sit far beyond this; a bounded latent with std 0.7 cannot reach it. */
    public static final double Z = 6;

    private static final long serialVersionUID = 1L;

    private final double[] mean;
    private final double[] std;

    /**
     * @param mean per channel, of the reference latents
     * @param std  per channel (population), of the reference latents; a channel with no spread has no holes
     */
    public BlackHoles(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException(mean.length + " channel means but " + std.length
                    + " channel stds: give one of each per latent channel");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Measured against a model version's reference profile: what the drift monitor uses. */
    public static BlackHoles of(ReferenceProfile reference) {
        return new BlackHoles(reference.channels().stream().mapToDouble(ReferenceChannel::mean).toArray(),
                reference.channels().stream().mapToDouble(ReferenceChannel::std).toArray());
    }

    public int channels() {
        return mean.length;
    }

    /**
     * The black holes of one image's latent.
     *
     * @param latents         holds the image's {@code C x positions} values (channel-major) from {@code from}
     * @param holesPerChannel if not null, {@code holesPerChannel[c]} grows by the holes channel c is beyond the bound
     *                        in (which channels make the holes; a hole may count in several)
     * @return the black-hole positions of the image
     */
    public int positionsIn(float[] latents, int from, int positions, long[] holesPerChannel) {
        int channels = mean.length;
        if (from < 0 || (long) from + (long) channels * positions > latents.length) {
            throw new IllegalArgumentException("a latent of " + channels + " channels x " + positions
                    + " positions does not fit at " + from + " in " + latents.length + " values");
        }
        int holes = 0;
        for (int p = 0; p < positions; p++) {
            boolean hole = false;
            for (int c = 0; c < channels; c++) {
                if (z(latents[from + c * positions + p], c) > Z) {
                    hole = true;
                    if (holesPerChannel != null) {
                        holesPerChannel[c]++;
                    }
                }
            }
            if (hole) {
                holes++;
            }
        }
        return holes;
    }

    /** The largest |z| of one image's latent, over its channels and positions (0 for channels with no spread). */
    public double worstZ(float[] latents, int from, int positions) {
        double worst = 0;
        for (int c = 0; c < mean.length; c++) {
            for (int i = from + c * positions; i < from + (c + 1) * positions; i++) {
                worst = Math.max(worst, z(latents[i], c));
            }
        }
        return worst;
    }

    private double z(float value, int channel) {
        return std[channel] > 0 ? Math.abs(value - mean[channel]) / std[channel] : 0;
    }
}

package io.latentflow.model.eval;

/**
 * "Black-hole" latents, as found in Stable Diffusion's VAE: a few positions with extreme values that smuggle global
 * information past the decoder. Counted as latent values (one channel at one position of one image) whose z-score
 * {@code (value - channelMean) / channelStd} exceeds a threshold in magnitude; a channel with zero spread has no
 * outliers. Mergeable across batches.
 *
 * @param positions latent values beyond the threshold
 * @param worstZ    the largest |z| seen (0 when nothing was scanned)
 */
public record BlackHoles(long positions, double worstZ) {

    /** Stable Diffusion's black holes sit far beyond this; a bounded latent with std 0.7 cannot reach it. */
    public static final double DEFAULT_THRESHOLD = 6;
    public static final BlackHoles NONE = new BlackHoles(0, 0);

    /**
     * @param latents NCHW, {@code batch * mean.length * spatial} values
     * @param spatial latent height times latent width
     * @param mean    per-channel mean of the whole data set
     * @param std     per-channel (population) standard deviation of the whole data set
     */
    public static BlackHoles scan(float[] latents, int batch, int spatial, double[] mean, double[] std,
                                  double threshold) {
        int channels = mean.length;
        if (std.length != channels) {
            throw new IllegalArgumentException(channels + " channel means but " + std.length + " channel stds");
        }
        if (latents.length != (long) batch * channels * spatial) {
            throw new IllegalArgumentException("latents have " + latents.length + " values, expected " + batch + " x "
                    + channels + " channels x " + spatial + " positions (NCHW)");
        }
        long positions = 0;
        double worst = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                if (!(std[c] > 0)) {
                    continue;
                }
                int from = (n * channels + c) * spatial;
                for (int i = from; i < from + spatial; i++) {
                    double z = Math.abs((latents[i] - mean[c]) / std[c]);
                    if (z > threshold) {
                        positions++;
                    }
                    worst = Math.max(worst, z);
                }
            }
        }
        return new BlackHoles(positions, worst);
    }

    public BlackHoles merge(BlackHoles other) {
        return new BlackHoles(positions + other.positions, Math.max(worstZ, other.worstZ));
    }
}

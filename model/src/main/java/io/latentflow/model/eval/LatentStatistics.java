package io.latentflow.model.eval;

import java.util.Arrays;

/**
 * Per-channel moments of NCHW latents and how many values leave [-1, 1], accumulated batch by batch; mergeable.
 * Not thread-safe: one per thread, then {@link #merge}.
 */
public final class LatentStatistics {

    private final Moments[] channels;
    private long outsideUnit;

    public LatentStatistics(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("latent statistics need at least one channel, got " + channels);
        }
        this.channels = new Moments[channels];
        Arrays.fill(this.channels, Moments.EMPTY);
    }

    /**
     * @param latents NCHW, {@code batch * channels() * spatial} values
     * @param spatial latent height times latent width
     */
    public void add(float[] latents, int batch, int spatial) {
        int c = channels.length;
        if (latents.length != (long) batch * c * spatial) {
            throw new IllegalArgumentException("latents have " + latents.length + " values, expected " + batch + " x "
                    + c + " channels x " + spatial + " positions (NCHW)");
        }
        for (int n = 0; n < batch; n++) {
            for (int channel = 0; channel < c; channel++) {
                channels[channel] = channels[channel].merge(Moments.of(latents, (n * c + channel) * spatial, spatial));
            }
        }
        for (float value : latents) {
            if (value < -1f || value > 1f) {
                outsideUnit++;
            }
        }
    }

    public void merge(LatentStatistics other) {
        if (other.channels.length != channels.length) {
            throw new IllegalArgumentException("cannot merge statistics of " + other.channels.length
                    + " latent channels into statistics of " + channels.length);
        }
        for (int c = 0; c < channels.length; c++) {
            channels[c] = channels[c].merge(other.channels[c]);
        }
        outsideUnit += other.outsideUnit;
    }

    public int channels() {
        return channels.length;
    }

    public Moments channel(int c) {
        return channels[c];
    }

    /** All channels pooled: the distribution a diffusion model sees. */
    public Moments overall() {
        Moments all = Moments.EMPTY;
        for (Moments channel : channels) {
            all = all.merge(channel);
        }
        return all;
    }

    public long values() {
        return overall().count();
    }

    public long outsideUnit() {
        return outsideUnit;
    }

    public double fractionOutsideUnit() {
        long values = values();
        return values == 0 ? 0 : (double) outsideUnit / values;
    }

    public double[] means() {
        return Arrays.stream(channels).mapToDouble(Moments::mean).toArray();
    }

    public double[] stds() {
        return Arrays.stream(channels).mapToDouble(Moments::std).toArray();
    }
}

package io.latentflow.model.drift;

import io.latentflow.model.eval.Moments;

import java.util.List;

/**
 * The latent statistics of one window: per channel, and the images that strayed furthest.
 *
 * @param images        latents in the window
 * @param novelty       mean over the images of their novelty against the reference images (about 1: like them)
 * @param quantileRanks the ranks of every channel's {@code quantiles}
 * @param channels      per channel, in channel order
 * @param outliers      the worst images, worst first
 * @param blackHoles    {@link BlackHoles} positions of all the window's images
 * @param sampledPsnr   reconstruction PSNR (dB) of the window's images the encoder sampled
 *                      ({@link ReconstructionSampling}), in no particular order; empty when none were
 * @param exposure      the {@link ImageExposure} levels of the window's images the encoder measured
 */
public record WindowStatistics(long images, double novelty, double[] quantileRanks, List<ChannelStatistics> channels,
                               List<LatentOutlier> outliers, long blackHoles, double[] sampledPsnr,
                               WindowExposure exposure) {

    public WindowStatistics {
        channels = List.copyOf(channels);
        outliers = List.copyOf(outliers);
        sampledPsnr = sampledPsnr.clone();
        exposure = exposure.copy();
    }

    /** Statistics of a window without exposure levels. */
    public WindowStatistics(long images, double novelty, double[] quantileRanks, List<ChannelStatistics> channels,
                            List<LatentOutlier> outliers, long blackHoles, double[] sampledPsnr) {
        this(images, novelty, quantileRanks, channels, outliers, blackHoles, sampledPsnr, new WindowExposure());
    }

    /** The exposure levels (a copy: the record stays immutable). */
    @Override
    public WindowExposure exposure() {
        return exposure.copy();
    }

    /** Statistics of a window without sampled reconstructions. */
    public WindowStatistics(long images, double novelty, double[] quantileRanks, List<ChannelStatistics> channels,
                            List<LatentOutlier> outliers, long blackHoles) {
        this(images, novelty, quantileRanks, channels, outliers, blackHoles, new double[0]);
    }

    /** All channels pooled: the distribution a diffusion model sees. */
    public Moments overall() {
        Moments all = Moments.EMPTY;
        for (ChannelStatistics channel : channels) {
            all = all.merge(new Moments(channel.count(), channel.mean(), channel.variance() * channel.count(),
                    channel.min(), channel.max()));
        }
        return all;
    }

    public double fractionOutsideUnit() {
        long values = 0;
        double outside = 0;
        for (ChannelStatistics channel : channels) {
            values += channel.count();
            outside += channel.fractionOutsideUnit() * channel.count();
        }
        return values == 0 ? 0 : outside / values;
    }
}

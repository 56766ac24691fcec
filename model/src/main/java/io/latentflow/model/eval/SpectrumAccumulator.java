package io.latentflow.model.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sums the radial DCT power of every latent channel and of every image's R, G and B planes at the latent's
 * resolution over the evaluated batches, and turns the sums into a {@link LatentSpectrum}. Each channel's profile is
 * normalised on its own before channels are averaged, so that a channel with a larger std does not outweigh the rest.
 */
final class SpectrumAccumulator {

    private final DctSpectrum spectrum;
    private final int channels;
    private final int downsampling;
    private final int latentHeight;
    private final int latentWidth;
    private final double[][] latentSums;
    private final double[][] imageSums;

    SpectrumAccumulator(int channels, int latentHeight, int latentWidth, int downsampling) {
        this.spectrum = new DctSpectrum(latentHeight, latentWidth);
        this.channels = channels;
        this.downsampling = downsampling;
        this.latentHeight = latentHeight;
        this.latentWidth = latentWidth;
        this.latentSums = new double[channels][spectrum.bins()];
        this.imageSums = new double[ImageBatch.CHANNELS][spectrum.bins()];
    }

    /** @param latents NCHW latents of {@code batch}, at this accumulator's latent size */
    void add(ImageBatch batch, float[] latents) {
        int plane = latentHeight * latentWidth;
        float[] images = AreaDownsampling.of(batch.pixels(), batch.count() * ImageBatch.CHANNELS, batch.height(),
                batch.width(), downsampling);
        if (images.length != batch.count() * ImageBatch.CHANNELS * plane) {
            throw new IllegalArgumentException("images of " + batch.height() + "x" + batch.width() + " do not shrink"
                    + " by " + downsampling + " to latents of " + latentHeight + "x" + latentWidth);
        }
        for (int n = 0; n < batch.count(); n++) {
            for (int c = 0; c < channels; c++) {
                spectrum.addPlane(latents, (n * channels + c) * plane, latentSums[c]);
            }
            for (int c = 0; c < ImageBatch.CHANNELS; c++) {
                spectrum.addPlane(images, (n * ImageBatch.CHANNELS + c) * plane, imageSums[c]);
            }
        }
    }

    LatentSpectrum result() {
        List<Double> channelHigh = new ArrayList<>();
        double[] latentProfile = new double[spectrum.bins()];
        for (double[] sums : latentSums) {
            double[] profile = DctSpectrum.normalised(sums);
            channelHigh.add(spectrum.highFrequencyFraction(profile));
            addScaled(latentProfile, profile, 1.0 / channels);
        }
        double[] imageProfile = new double[spectrum.bins()];
        for (double[] sums : imageSums) {
            addScaled(imageProfile, DctSpectrum.normalised(sums), 1.0 / ImageBatch.CHANNELS);
        }
        return new LatentSpectrum(boxed(spectrum.frequencies()), boxed(latentProfile), boxed(imageProfile),
                channelHigh, spectrum.highFrequencyFraction(latentProfile),
                spectrum.highFrequencyFraction(imageProfile));
    }

    private static void addScaled(double[] into, double[] values, double scale) {
        for (int i = 0; i < into.length; i++) {
            into[i] += values[i] * scale;
        }
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}

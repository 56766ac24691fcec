package io.latentflow.model.eval;

import java.util.List;

/**
 * Where the latents' energy sits in frequency, next to the images' at the latent's resolution: what {@code eval}
 * reports as {@code spectrum}. A diffusion model generates coarse to fine; latents whose spectrum is flatter than the
 * images' (more energy in the upper half) make it spend capacity on high frequencies a picture does not have.
 *
 * @param frequencies                 centre of each bin, normalised frequency (1: Nyquist along one axis); see
 *                                    {@link DctSpectrum}
 * @param latentProfile               radially averaged DCT power per bin, each channel's profile normalised to sum 1,
 *                                    then averaged over channels
 * @param imageProfile                the same for the R, G and B planes of the images, area-downsampled by the model's
 *                                    factor to the latent's size
 * @param channelHighFrequency        per latent channel, its normalised profile's share at frequency 0.5 and above
 * @param latentHighFrequency         {@code latentProfile}'s share at frequency 0.5 and above
 * @param imageHighFrequency          {@code imageProfile}'s share at frequency 0.5 and above
 */
public record LatentSpectrum(
        List<Double> frequencies,
        List<Double> latentProfile,
        List<Double> imageProfile,
        List<Double> channelHighFrequency,
        double latentHighFrequency,
        double imageHighFrequency) {

    public LatentSpectrum {
        frequencies = List.copyOf(frequencies);
        latentProfile = List.copyOf(latentProfile);
        imageProfile = List.copyOf(imageProfile);
        channelHighFrequency = List.copyOf(channelHighFrequency);
    }
}

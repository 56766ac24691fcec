package io.latentflow.model.drift;

import java.util.List;

/** Windows for the statistics read from pixels (EXPOSURE, REPEATED_PIXELS): only the pixels move. */
final class PixelWindows {

    private PixelWindows() {
    }

    /** A window of these images: standard latents (which the reference profile finds ordinary), their pixels' levels. */
    static WindowAccumulator of(ReferenceProfile profile, List<byte[]> images) {
        List<float[]> latents = Latents.standard(images.size(), 11);
        WindowAccumulator accumulator = new WindowAccumulator(profile);
        for (int i = 0; i < images.size(); i++) {
            accumulator.add("image-" + i, "camera", i, latents.get(i), 1.0, Double.NaN,
                    ImageExposure.ofRgb(images.get(i)));
        }
        return accumulator;
    }
}

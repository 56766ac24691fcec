package io.latentflow.cli.train;

import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The model's encoder behind a {@link LatentCache}: the benchmarks that measure drift statistics look up each prepared
 * image by the file it came from and what was made of it (a crop, a darkening), and encode only what is missing.
 */
final class CachedEncoder {

    private final ServingModel model;
    private final LatentEncoder encoder;
    private final int resolution;
    private final Optional<LatentCache> cache;

    CachedEncoder(ServingModel model, LatentEncoder encoder, int resolution, Optional<LatentCache> cache) {
        this.model = model;
        this.encoder = encoder;
        this.resolution = resolution;
        this.cache = cache;
    }

    ModelInputResizer resizer() {
        return new ModelInputResizer(resolution, model.config().downsamplingFactor());
    }

    /** @param variant what was made of the file before encoding, "" for the file as the job reads it */
    Optional<float[]> cached(Path file, String variant) throws IOException {
        return cache.isPresent() ? cache.get().get(model.version(), resolution, file, variant) : Optional.empty();
    }

    /** Encodes one batch of prepared images and keeps each latent in the cache under its file and variant. */
    List<float[]> encode(List<byte[]> pixels, List<Path> files, List<String> variants) throws IOException {
        float[] latents = encoder.encode(ModelInputBatch.toNchw(pixels, resolution), pixels.size(), resolution,
                resolution);
        int perImage = latents.length / pixels.size();
        List<float[]> encoded = new ArrayList<>(pixels.size());
        for (int k = 0; k < pixels.size(); k++) {
            float[] latent = Arrays.copyOfRange(latents, k * perImage, (k + 1) * perImage);
            encoded.add(latent);
            if (cache.isPresent()) {
                cache.get().put(model.version(), resolution, files.get(k), variants.get(k), latent);
            }
        }
        return encoded;
    }
}

package io.latentflow.cli.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Latents of image files kept between benchmark runs: encoding 1600 tiles at 256 px takes minutes on a CPU, while
 * trying a drift statistic over them takes seconds. One raw little-endian float32 file per image and model version
 * (readable by {@code numpy.fromfile(path, '<f4')}), named after the image and keyed by its size and modification
 * time, so an edited image is encoded again.
 */
public final class LatentCache {

    private final Path root;

    public LatentCache(Path root) {
        this.root = root;
    }

    Optional<float[]> get(String modelVersion, int resolution, Path image) throws IOException {
        return get(modelVersion, resolution, image, "");
    }

    /** @param variant what was made of the image before encoding (a crop, a darkening), as part of a file name */
    Optional<float[]> get(String modelVersion, int resolution, Path image, String variant) throws IOException {
        Path file = fileOf(modelVersion, resolution, image, variant);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] latent = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(latent);
        return Optional.of(latent);
    }

    void put(String modelVersion, int resolution, Path image, float[] latent) throws IOException {
        put(modelVersion, resolution, image, "", latent);
    }

    void put(String modelVersion, int resolution, Path image, String variant, float[] latent) throws IOException {
        Path file = fileOf(modelVersion, resolution, image, variant);
        Files.createDirectories(file.getParent());
        ByteBuffer bytes = ByteBuffer.allocate(latent.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(latent);
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.write(partial, bytes.array());
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private Path fileOf(String modelVersion, int resolution, Path image, String variant) throws IOException {
        String key = Files.size(image) + "-" + Files.getLastModifiedTime(image).toMillis();
        return root.resolve(modelVersion).resolve(resolution + "px").resolve(image.getParent().getFileName().toString())
                .resolve(image.getFileName() + variant + "." + key + ".f32");
    }
}

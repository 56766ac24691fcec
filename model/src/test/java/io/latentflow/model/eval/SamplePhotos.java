package io.latentflow.model.eval;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The repository's sample photos as model input for tests: 256 px tiles box-averaged down to a smaller side.
 * (The pipeline's own decoder and resizer live in flink-jobs, which the model module must not depend on.)
 */
final class SamplePhotos {

    private SamplePhotos() {
    }

    static Path folder() {
        String home = System.getProperty("latentflow.home");
        if (home == null) {
            throw new IllegalStateException("system property latentflow.home (the repository root) is not set");
        }
        return Path.of(home, "samples", "photos");
    }

    /** The first {@code count} photos in name order, {@code side x side}, as batches of {@code batchSize}. */
    static List<ImageBatch> batches(int count, int side, int batchSize) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder())) {
            files = listing.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(count).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.size() < count) {
            throw new IllegalStateException("only " + files.size() + " photos in " + folder());
        }
        List<ImageBatch> batches = new ArrayList<>();
        for (int first = 0; first < count; first += batchSize) {
            int size = Math.min(batchSize, count - first);
            float[] pixels = new float[size * 3 * side * side];
            for (int n = 0; n < size; n++) {
                readInto(files.get(first + n), side, pixels, n * 3 * side * side);
            }
            batches.add(new ImageBatch(pixels, size, side, side));
        }
        return batches;
    }

    private static void readInto(Path file, int side, float[] pixels, int offset) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int factor = image.getWidth() / side;
        int plane = side * side;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double[] sum = new double[3];
                for (int dy = 0; dy < factor; dy++) {
                    for (int dx = 0; dx < factor; dx++) {
                        int rgb = image.getRGB(x * factor + dx, y * factor + dy);
                        sum[0] += (rgb >> 16) & 0xFF;
                        sum[1] += (rgb >> 8) & 0xFF;
                        sum[2] += rgb & 0xFF;
                    }
                }
                for (int c = 0; c < 3; c++) {
                    pixels[offset + c * plane + y * side + x] = (float) (sum[c] / (factor * factor) / 127.5 - 1);
                }
            }
        }
    }
}

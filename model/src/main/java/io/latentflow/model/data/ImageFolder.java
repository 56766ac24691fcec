package io.latentflow.model.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Reads the images of one folder (not recursive) into memory, in file-name order. */
public final class ImageFolder {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    private ImageFolder() {
    }

    /** Image files of {@code dir} by extension, sorted by name. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist or is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> files = entries.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.contains(extension(p)))
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("image folder " + dir + " holds no images (" + EXTENSIONS + ")");
            }
            return files;
        }
    }

    /** Decodes the files; a file that is not a readable image is skipped with one warning line. */
    public static List<TrainingImage> load(List<Path> files) throws IOException {
        List<TrainingImage> images = new ArrayList<>(files.size());
        for (Path file : files) {
            BufferedImage image;
            try {
                image = ImageIO.read(file.toFile());
            } catch (IOException e) {
                LOG.warn("Skipping {}: cannot decode it ({})", file, e.getMessage());
                continue;
            }
            if (image == null) {
                LOG.warn("Skipping {}: not an image format this build can read", file);
                continue;
            }
            String name = file.getFileName().toString();
            images.add(new TrainingImage(name, SourceSplit.sourceOf(name), image.getWidth(), image.getHeight(),
                    planarRgb(image)));
        }
        return images;
    }

    private static byte[] planarRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        byte[] planar = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            planar[i] = (byte) (p >> 16);
            planar[plane + i] = (byte) (p >> 8);
            planar[2 * plane + i] = (byte) p;
        }
        return planar;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}

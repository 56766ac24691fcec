package io.latentflow.model.data;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ImageRejectedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Training images in memory: the image files of one folder (not recursive) in file-name order, decoded as the encode
 * job decodes. {@link ImageFolders} only lists and reads files; this decides which are training images and decodes them.
 */
public final class TrainingImages {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingImages.class);
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    private TrainingImages() {
    }

    /**
     * The image files of {@code dir} by extension, sorted by name: every one of them names a source for the split, so
     * a README or a .DS_Store must not count. Their content is checked when they are loaded.
     */
    public static List<Path> list(Path dir) {
        List<Path> files = ImageFolders.files(dir).stream().filter(TrainingImages::hasImageExtension).toList();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("image folder " + dir + " holds no images (" + EXTENSIONS + ")");
        }
        return files;
    }

    private static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Decodes the files as the encode job decodes a streamed image ({@link ImageDecoder}: format sniffing, EXIF
     * orientation, sRGB), at their own size: training crops them, validation centre-crops them. A file that is not an
     * acceptable image is skipped with one warning line.
     */
    public static List<TrainingImage> load(List<Path> files) {
        ImageDecoder decoder = new ImageDecoder();
        List<TrainingImage> images = new ArrayList<>(files.size());
        for (Path file : files) {
            BufferedImage image;
            try {
                image = decoder.decode(ImageFolders.read(file));
            } catch (ImageRejectedException e) {
                LOG.warn("Skipping {}: {}", file, e.getMessage());
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

}

package io.latentflow.model.data;

import java.util.List;
import java.util.SplittableRandom;

/** Random square crops with random horizontal flips, as NCHW float batches in [-1, 1]. */
public final class CropSampler {

    private final List<TrainingImage> images;
    private final int size;

    /** @throws IllegalArgumentException when there is no image or one is smaller than the crop */
    public CropSampler(List<TrainingImage> images, int size) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images to crop from");
        }
        for (TrainingImage image : images) {
            if (image.width() < size || image.height() < size) {
                throw new IllegalArgumentException(image.name() + " is " + image.width() + "x" + image.height()
                        + ", smaller than the crop size " + size + ": use a smaller --size or remove the image");
            }
        }
        this.images = List.copyOf(images);
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** {@code batch} crops, NCHW; every draw comes from {@code random}. */
    public float[] sample(SplittableRandom random, int batch) {
        int plane = size * size;
        float[] pixels = new float[batch * 3 * plane];
        for (int n = 0; n < batch; n++) {
            TrainingImage image = images.get(random.nextInt(images.size()));
            int top = random.nextInt(image.height() - size + 1);
            int left = random.nextInt(image.width() - size + 1);
            boolean flip = random.nextBoolean();
            byte[] rgb = image.planarRgb();
            int imagePlane = image.width() * image.height();
            for (int c = 0; c < 3; c++) {
                int out = (n * 3 + c) * plane;
                for (int y = 0; y < size; y++) {
                    int row = c * imagePlane + (top + y) * image.width() + left;
                    for (int x = 0; x < size; x++) {
                        int sourceX = flip ? size - 1 - x : x;
                        pixels[out++] = (rgb[row + sourceX] & 0xff) / 127.5f - 1f;
                    }
                }
            }
        }
        return pixels;
    }
}

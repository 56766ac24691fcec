package io.latentflow.model.train;

import io.latentflow.model.data.TrainingImage;
import io.latentflow.model.eval.ImageBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * The validation images as the evaluator takes them: whole images, centre-cropped to one common square side (the
 * smallest side among them, rounded down to a multiple of f), in batches.
 */
final class ValidationImages {

    private static final int BATCH = 8;

    private ValidationImages() {
    }

    static List<ImageBatch> batches(List<TrainingImage> images, int downsamplingFactor) {
        int side = Integer.MAX_VALUE;
        for (TrainingImage image : images) {
            side = Math.min(side, Math.min(image.width(), image.height()));
        }
        side = side / downsamplingFactor * downsamplingFactor;
        if (images.isEmpty() || side < downsamplingFactor) {
            return List.of();
        }
        List<ImageBatch> batches = new ArrayList<>();
        for (int first = 0; first < images.size(); first += BATCH) {
            List<TrainingImage> group = images.subList(first, Math.min(images.size(), first + BATCH));
            batches.add(new ImageBatch(centreCrops(group, side), group.size(), side, side));
        }
        return batches;
    }

    private static float[] centreCrops(List<TrainingImage> group, int side) {
        float[] pixels = new float[group.size() * 3 * side * side];
        int i = 0;
        for (TrainingImage image : group) {
            int top = (image.height() - side) / 2;
            int left = (image.width() - side) / 2;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        pixels[i++] = image.value(c, top + y, left + x);
                    }
                }
            }
        }
        return pixels;
    }
}

package io.latentflow.model.eval;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Image files as evaluation batches, decoded and resized exactly as the encode job and {@code latentflow eval} do, so
 * that figures measured on them are the figures {@code eval} prints for the same files. Held in memory: the evaluator
 * reads them once per model.
 */
public final class EvaluationImages {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationImages.class);
    private static final int BATCH = 16;

    private EvaluationImages() {
    }

    /**
     * @param size side of the square model input, a multiple of {@code downsamplingFactor}
     * @throws IllegalArgumentException when none of the files is an acceptable image
     */
    public static List<ImageBatch> load(List<Path> files, int size, int downsamplingFactor) {
        List<ImageBatch> batches = new ArrayList<>();
        ImageFolders.preparedBatches(files, new ImageDecoder(), new ModelInputResizer(size, downsamplingFactor), BATCH,
                        (file, reason) -> LOG.warn("Skipping {}: {}", file, reason.getMessage()))
                .forEachRemaining(images -> batches.add(new ImageBatch(ModelInputBatch.toNchw(images, size),
                        images.size(), size, size)));
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("none of the " + files.size() + " files is an image to evaluate on"
                    + (files.isEmpty() ? "" : " (first: " + files.get(0) + ")"));
        }
        return batches;
    }

    public static int count(List<ImageBatch> batches) {
        return batches.stream().mapToInt(ImageBatch::count).sum();
    }
}

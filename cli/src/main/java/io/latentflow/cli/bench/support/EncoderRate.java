package io.latentflow.cli.bench.support;

import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import java.nio.file.Path;
import java.util.List;

/** What the raw encoder sustains on some images: the rate a live service could at best keep up with. */
public final class EncoderRate {

    private EncoderRate() {
    }

    /** Images per second of the model's encoder on full batches of the first images of {@code files}. */
    public static double sustained(List<Path> files, EncodeOptions encode) {
        try (ServingModel model = ModelLocation.parse(encode.model).load();
             LatentEncoder encoder = model.newEncoder()) {
            List<byte[]> pixels = ImageFolders.prepare(files.subList(0, Math.min(files.size(), 4 * encode.batchSize)),
                    new ImageDecoder(), new ModelInputResizer(encode.resolution, model.config().downsamplingFactor()),
                    (file, reason) -> { });
            float[] batch = ModelInputBatch.toNchw(pixels.subList(0, encode.batchSize), encode.resolution);
            encoder.encode(batch, encode.batchSize, encode.resolution, encode.resolution);
            long start = System.nanoTime();
            int rounds = 4;
            for (int i = 0; i < rounds; i++) {
                encoder.encode(batch, encode.batchSize, encode.resolution, encode.resolution);
            }
            return rounds * encode.batchSize / ((System.nanoTime() - start) / 1e9);
        }
    }
}

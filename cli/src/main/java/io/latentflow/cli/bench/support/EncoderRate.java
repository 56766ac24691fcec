package io.latentflow.cli.bench.support;

import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the raw encoder sustains on some images: the rate a live service could at best keep up with. */
public final class EncoderRate {

    private static final Logger LOG = LoggerFactory.getLogger(EncoderRate.class);

    /** The raw encoder over a whole folder: which model, on how many images, at what rate, at what cost each. */
    public record Measured(String modelVersion, int images, double imagesPerSecond, long flopsPerImage) {
    }

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

    /**
     * Decodes and resizes every image first, then times only the encoder calls over the folder {@code --repeat} times
     * (as many images as the pipeline gets), after one warm-up batch.
     */
    public static Measured overFolder(EncodeOptions encode, Path folder, int repeat) throws IOException {
        List<byte[]> pixels;
        try (ServingModel model = ModelLocation.parse(encode.model).load()) {
            ModelInputResizer resizer = new ModelInputResizer(encode.resolution, model.config().downsamplingFactor());
            pixels = ImageFolders.prepare(ImageFolders.files(folder), new ImageDecoder(), resizer,
                    (file, reason) -> LOG.info("Skipping {}: {}", file.getFileName(), reason.getMessage()));
            int batch = encode.batchSize;
            int fullBatches = pixels.size() / batch;
            if (fullBatches < 2) {
                throw new IllegalArgumentException(folder + " has " + pixels.size() + " images: the benchmark needs at"
                        + " least two batches of " + batch);
            }
            List<float[]> batches = new ArrayList<>();
            for (int b = 0; b < fullBatches; b++) {
                batches.add(ModelInputBatch.toNchw(pixels.subList(b * batch, (b + 1) * batch), encode.resolution));
            }
            try (LatentEncoder encoder = model.newEncoder()) {
                encoder.encode(batches.get(0), batch, encode.resolution, encode.resolution);
                long start = System.nanoTime();
                for (int pass = 0; pass < repeat; pass++) {
                    for (float[] input : batches) {
                        encoder.encode(input, batch, encode.resolution, encode.resolution);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return new Measured(model.version(), pixels.size(),
                        (double) repeat * fullBatches * batch / seconds, model.flops(encode.resolution).encoder());
            }
        }
    }
}

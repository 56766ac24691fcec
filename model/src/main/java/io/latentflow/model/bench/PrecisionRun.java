package io.latentflow.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.Precision;
import io.latentflow.model.ServingModel;
import io.latentflow.model.eval.EvaluationImages;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.metrics.PixelRange;
import io.latentflow.model.metrics.Psnr;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One precision's encoder in this process (oneDNN's math mode is fixed per process, see {@link Precision}): its
 * images/s at one size, and encode-then-decode PSNR on held-out photos. {@link PrecisionComparison} runs one per
 * precision side by side. Usage: {@code PrecisionRun PRECISION PHOTOS SIZE BATCH THREADS WARMUP MEASURED
 * [LATENTS_OUT]}; prints one line, {@code result <precision> <images/s> <mean PSNR dB> <images> <reason>}.
 */
public final class PrecisionRun {

    private PrecisionRun() {
    }

    public static void main(String[] args) throws IOException {
        Precision asked = Precision.parse(args[0]);
        Path photos = Path.of(args[1]);
        int size = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(Integer.parseInt(args[4]));
        Iterations iterations = new Iterations(Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        Precision.Choice choice = asked.resolve(Device.cpu());
        List<Path> files;
        try (Stream<Path> listing = Files.list(photos)) {
            files = listing.sorted().toList();
        }
        try (ServingModel model = ServingModel.loadDefault(Device.cpu());
             LatentEncoder encoder = model.newEncoder();
             LatentDecoder decoder = model.newDecoder()) {
            int f = model.config().downsamplingFactor();
            List<ImageBatch> heldOut = EvaluationImages.load(files, size, f);
            double sum = 0;
            int images = 0;
            for (ImageBatch held : heldOut) {
                float[] latents = encoder.encode(held.pixels(), held.count(), size, size);
                if (images == 0 && args.length > 7) {
                    writeFloats(Path.of(args[7]), latents);
                }
                float[] decoded = decoder.decode(latents, held.count(), size / f, size / f);
                for (double psnr : Psnr.perImage(held.pixels(), decoded, held.count(), PixelRange.SIGNED_UNIT)) {
                    sum += psnr;
                    images++;
                }
            }
            double rate = InferenceBenchmark.encode(encoder, size, batch, iterations).imagesPerSecond();
            System.out.printf(Locale.ROOT, "result %s %.4f %.4f %d %s%n", choice.used().optionValue(), rate,
                    sum / images, images, choice.reason());
        }
    }

    private static void writeFloats(Path file, float[] values) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            for (float value : values) {
                out.writeFloat(value);
            }
        }
    }
}

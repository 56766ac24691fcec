package io.latentflow.model.bench;

import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Encode and decode throughput of the default model through the public serving API (copies included), one thread,
 * at 64, 128 and 256 px with batch 16. Usage: {@code InferenceBenchmark [--sizes 64,128,256] [--batch 16]
 * [--seconds 5]}.
 */
public final class InferenceBenchmark {

    private InferenceBenchmark() {
    }

    public static void main(String[] args) {
        int[] sizes = {64, 128, 256};
        int batch = 16;
        double seconds = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sizes" -> sizes = java.util.Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --sizes 64,128,256 --batch 16 --seconds 5");
            }
        }
        try (ServingModel model = ServingModel.loadDefault();
             LatentEncoder encoder = model.newEncoder();
             LatentDecoder decoder = model.newDecoder()) {
            int f = model.config().downsamplingFactor();
            System.out.printf(Locale.ROOT, "model %s (%s) on %s, batch %d, %d available processors%n",
                    model.version(), model.config().shortName(), model.device(), batch,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%6s %14s %14s %12s %12s%n",
                    "size", "encode img/s", "decode img/s", "encode ms", "decode ms");
            for (int size : sizes) {
                float[] pixels = randomPixels(batch, size);
                int finalBatch = batch;
                float[] latents = encoder.encode(pixels, batch, size, size);
                Rate encode = measure(() -> encoder.encode(pixels, finalBatch, size, size), batch, seconds);
                Rate decode = measure(() -> decoder.decode(latents, finalBatch, size / f, size / f), batch, seconds);
                System.out.printf(Locale.ROOT, "%6d %14.1f %14.1f %12.1f %12.1f%n", size, encode.imagesPerSecond(),
                        decode.imagesPerSecond(), encode.millisPerCall(), decode.millisPerCall());
            }
        }
    }

    private record Rate(double imagesPerSecond, double millisPerCall) {
    }

    private static Rate measure(Supplier<float[]> call, int batch, double seconds) {
        // Warm-up: first calls pay for allocator growth and kernel selection.
        for (int i = 0; i < 2; i++) {
            call.get();
        }
        int calls = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            call.get();
            calls++;
        } while (System.nanoTime() < deadline || calls < 3);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Rate(calls * batch / elapsed, elapsed * 1000 / calls);
    }

    private static float[] randomPixels(int batch, int size) {
        SplittableRandom random = new SplittableRandom(size);
        float[] pixels = new float[batch * 3 * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return pixels;
    }
}

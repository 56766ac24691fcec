package io.latentflow.model.bench;

import io.latentflow.model.LatentDecoder;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ImageExposure;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Encode and decode throughput of a model through the public serving API (copies included), one caller thread, on
 * random pixels (the network's cost does not depend on the image's content). Standalone usage:
 * {@code InferenceBenchmark [--sizes 64,128,256] [--batch 16] [--iterations 10]}; {@code latentflow bench model} is
 * the command that also times a training step.
 */
public final class InferenceBenchmark {

    private InferenceBenchmark() {
    }

    /** Encode throughput at {@code size x size}, {@code batch} images a call. */
    public static Throughput encode(LatentEncoder encoder, int size, int batch, Iterations iterations) {
        float[] pixels = randomPixels(batch, size);
        return Throughput.measure(() -> encoder.encode(pixels, batch, size, size), batch, iterations);
    }

    /** Decode throughput of the latents of {@code size x size} images (downsampling f), {@code batch} a call. */
    public static Throughput decode(LatentEncoder encoder, LatentDecoder decoder, int f, int size, int batch,
                                    Iterations iterations) {
        // Real latents of the model, not random ones: their range is what the decoder sees in service.
        float[] latents = encoder.encode(randomPixels(batch, size), batch, size, size);
        return Throughput.measure(() -> decoder.decode(latents, batch, size / f, size / f), batch, iterations);
    }

    /** How fast the EXPOSURE and REPEATED_PIXELS levels of {@code size x size} images are read from their bytes, {@code batch} a call. */
    public static Throughput exposure(int size, int batch, Iterations iterations) {
        SplittableRandom random = new SplittableRandom(size);
        byte[][] images = new byte[batch][3 * size * size];
        for (byte[] image : images) {
            random.nextBytes(image);
        }
        double[] sink = new double[1];
        return Throughput.measure(() -> {
            for (byte[] image : images) {
                sink[0] += ImageExposure.ofRgb(image).highlight();
            }
        }, batch, iterations);
    }

    public static void main(String[] args) {
        int[] sizes = {64, 128, 256};
        int batch = 16;
        int measured = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sizes" -> sizes = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--iterations" -> measured = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --sizes 64,128,256 --batch 16 --iterations 10");
            }
        }
        Iterations iterations = new Iterations(2, measured);
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
                Throughput encode = encode(encoder, size, batch, iterations);
                Throughput decode = decode(encoder, decoder, f, size, batch, iterations);
                System.out.printf(Locale.ROOT, "%6d %14.1f %14.1f %12.1f %12.1f%n", size, encode.imagesPerSecond(),
                        decode.imagesPerSecond(), encode.millisPerCall(), decode.millisPerCall());
            }
        }
    }

    static float[] randomPixels(int batch, int size) {
        SplittableRandom random = new SplittableRandom(size);
        float[] pixels = new float[batch * 3 * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return pixels;
    }
}

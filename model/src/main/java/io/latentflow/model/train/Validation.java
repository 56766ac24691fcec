package io.latentflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.latentflow.model.data.TrainingImage;
import io.latentflow.model.nn.Autoencoder;

import java.util.ArrayList;
import java.util.List;

/** Measures a model on whole validation images: PSNR of reconstructions and per-channel latent statistics. */
public final class Validation {

    private static final int BATCH = 4;

    private Validation() {
    }

    public static ValidationReport evaluate(Autoencoder autoencoder, NDManager manager, List<TrainingImage> images) {
        if (images.isEmpty()) {
            return ValidationReport.empty();
        }
        JniUtils.setGradMode(false);
        int f = autoencoder.config().downsamplingFactor();
        int c = autoencoder.config().latentChannels();
        ParameterStore parameters = new ParameterStore(manager, false);
        double psnrSum = 0;
        int evaluated = 0;
        double[] sum = new double[c];
        double[] sumSquares = new double[c];
        double[] min = new double[c];
        double[] max = new double[c];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        long values = 0;
        long outside = 0;
        for (List<TrainingImage> group : sameSizeBatches(images, f)) {
            int height = group.get(0).height() / f * f;
            int width = group.get(0).width() / f * f;
            float[] pixels = centreCrops(group, height, width);
            try (NDScope scope = new NDScope()) {
                NDArray input = manager.create(pixels, new Shape(group.size(), 3, height, width));
                NDArray encoded = autoencoder.encoder().forward(parameters, new NDList(input), false)
                        .singletonOrThrow();
                NDArray latents = autoencoder.encoder().servingLatents(encoded);
                NDArray output = autoencoder.decoder().forward(parameters, new NDList(latents), false)
                        .singletonOrThrow().clip(-1f, 1f);
                // Pixels in [-1, 1]: the squared error on [0, 1] pixels is a quarter of it.
                float[] mse = output.sub(input).square().reshape(group.size(), -1).mean(new int[] {1}).div(4f)
                        .toFloatArray();
                for (float m : mse) {
                    psnrSum += 10 * Math.log10(1.0 / Math.max(m, 1e-12));
                    evaluated++;
                }
                float[] z = latents.toFloatArray();
                int plane = (height / f) * (width / f);
                for (int i = 0; i < z.length; i++) {
                    int channel = (i / plane) % c;
                    double v = z[i];
                    sum[channel] += v;
                    sumSquares[channel] += v * v;
                    min[channel] = Math.min(min[channel], v);
                    max[channel] = Math.max(max[channel], v);
                    if (v < -1 || v > 1) {
                        outside++;
                    }
                }
                values += z.length;
            }
        }
        if (evaluated == 0) {
            return ValidationReport.empty();
        }
        long perChannel = values / c;
        List<Double> mean = new ArrayList<>();
        List<Double> std = new ArrayList<>();
        List<Double> minimum = new ArrayList<>();
        List<Double> maximum = new ArrayList<>();
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / perChannel;
            mean.add(m);
            std.add(Math.sqrt(Math.max(0, sumSquares[ch] / perChannel - m * m)));
            minimum.add(min[ch]);
            maximum.add(max[ch]);
        }
        return new ValidationReport(evaluated, psnrSum / evaluated, mean, std, minimum, maximum,
                (double) outside / values);
    }

    private static List<List<TrainingImage>> sameSizeBatches(List<TrainingImage> images, int f) {
        List<List<TrainingImage>> batches = new ArrayList<>();
        List<TrainingImage> current = new ArrayList<>();
        for (TrainingImage image : images) {
            if (image.width() < f || image.height() < f) {
                continue;
            }
            if (!current.isEmpty() && (current.size() == BATCH || current.get(0).width() != image.width()
                    || current.get(0).height() != image.height())) {
                batches.add(current);
                current = new ArrayList<>();
            }
            current.add(image);
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private static float[] centreCrops(List<TrainingImage> group, int height, int width) {
        float[] pixels = new float[group.size() * 3 * height * width];
        int i = 0;
        for (TrainingImage image : group) {
            int top = (image.height() - height) / 2;
            int left = (image.width() - width) / 2;
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        pixels[i++] = image.value(ch, top + y, left + x);
                    }
                }
            }
        }
        return pixels;
    }
}

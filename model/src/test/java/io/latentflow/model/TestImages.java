package io.latentflow.model;

import java.util.SplittableRandom;

/** Deterministic pseudo-images for tests: smooth gradients plus noise, in [-1, 1], NCHW. */
final class TestImages {

    private TestImages() {
    }

    static float[] batch(int batch, int height, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[batch * 3 * height * width];
        int i = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double smooth = Math.sin((x + 7 * n) * 0.1 + c) * Math.cos(y * 0.07 - n);
                        pixels[i++] = (float) Math.max(-1, Math.min(1, 0.8 * smooth + 0.2 * (random.nextDouble() * 2 - 1)));
                    }
                }
            }
        }
        return pixels;
    }
}

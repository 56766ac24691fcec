package io.latentflow.model.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SsimTest {

    @Test
    void identicalImagesHaveSsimOne() {
        float[] image = randomImage(2, 3, 24, 20, 1);
        double[] ssim = Ssim.perImage(image, image.clone(), 2, 3, 24, 20, PixelRange.SIGNED_UNIT);
        assertThat(ssim[0]).isCloseTo(1.0, within(1e-5));
        assertThat(ssim[1]).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void constantImagesReduceToTheLuminanceTermComputedByHand() {
        // Constant x = 0.5 and y = 0.6 on [0, 1]: every variance is 0, so
        // SSIM = (2 * 0.5 * 0.6 + C1) / (0.25 + 0.36 + C1) with C1 = (0.01 * 1)^2 = 1e-4, i.e. 0.6001 / 0.6101.
        float[] x = filled(1 * 1 * 16 * 16, 0.5f);
        float[] y = filled(1 * 1 * 16 * 16, 0.6f);
        double[] ssim = Ssim.perImage(x, y, 1, 1, 16, 16, PixelRange.UNIT);
        assertThat(ssim[0]).isCloseTo(0.6001 / 0.6101, within(1e-5));
    }

    @Test
    void signedPixelsAreShiftedToTheirRangeFirst() {
        // The same two images expressed on [-1, 1] and on [0, 1] have the same SSIM.
        float[] x = randomImage(1, 3, 16, 16, 2);
        float[] y = randomImage(1, 3, 16, 16, 3);
        double signed = Ssim.perImage(x, y, 1, 3, 16, 16, PixelRange.SIGNED_UNIT)[0];
        double unit = Ssim.perImage(toUnit(x), toUnit(y), 1, 3, 16, 16, PixelRange.UNIT)[0];
        assertThat(signed).isCloseTo(unit, within(1e-5));
    }

    @Test
    void agreesWithAStraightforwardLoopOverEveryWindow() {
        int batch = 5; // more than one internal chunk of images
        int channels = 3;
        int height = 17;
        int width = 23;
        float[] x = randomImage(batch, channels, height, width, 4);
        float[] y = blend(x, randomImage(batch, channels, height, width, 5), 0.3f);
        double[] ssim = Ssim.perImage(x, y, batch, channels, height, width, PixelRange.SIGNED_UNIT);
        for (int n = 0; n < batch; n++) {
            double expected = ReferenceSsim.image(x, y, n, channels, height, width, -1, 2);
            assertThat(ssim[n]).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void decreasesAsNoiseGrows() {
        float[] clean = smoothImage(1, 3, 32, 32);
        double previous = 1.0 + 1e-6;
        for (float sigma : new float[] {0.01f, 0.05f, 0.1f, 0.3f}) {
            float[] noisy = addNoise(clean, sigma, 6);
            double ssim = Ssim.perImage(clean, noisy, 1, 3, 32, 32, PixelRange.SIGNED_UNIT)[0];
            assertThat(ssim).as("SSIM at noise sigma %s", sigma).isLessThan(previous);
            previous = ssim;
        }
        assertThat(previous).isLessThan(0.5);
    }

    @Test
    void lossGradientMatchesFiniteDifferencesOfTheReference() {
        int channels = 2;
        int side = 13;
        float[] x = randomImage(1, channels, side, side, 7);
        float[] y = blend(x, randomImage(1, channels, side, side, 8), 0.5f);
        int probe = (side / 2) * side + side / 2; // centre of channel 0: inside every window
        float[] gradient;
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(1, channels, side, side);
            NDArray xs = manager.create(x, shape);
            NDArray ys = manager.create(y, shape);
            xs.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Ssim.loss(xs, ys, PixelRange.SIGNED_UNIT);
                assertThat(loss.getShape().isScalar()).isTrue();
                collector.backward(loss);
            }
            gradient = xs.getGradient().toFloatArray();
        }
        double h = 1e-3;
        float[] plus = x.clone();
        float[] minus = x.clone();
        plus[probe] += (float) h;
        minus[probe] -= (float) h;
        double lossPlus = 1 - ReferenceSsim.image(plus, y, 0, channels, side, side, -1, 2);
        double lossMinus = 1 - ReferenceSsim.image(minus, y, 0, channels, side, side, -1, 2);
        double numeric = (lossPlus - lossMinus) / (plus[probe] - minus[probe]);
        assertThat(numeric).as("the probe pixel influences the loss").isNotCloseTo(0, within(1e-4));
        assertThat((double) gradient[probe]).isCloseTo(numeric, within(Math.abs(numeric) * 0.05));
    }

    @Test
    void keepsTheInputDtype() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(randomImage(1, 3, 12, 12, 9), new Shape(1, 3, 12, 12)).toType(DataType.FLOAT64, false);
            assertThat(Ssim.mean(x, x, PixelRange.SIGNED_UNIT).getDataType()).isEqualTo(DataType.FLOAT64);
        }
    }

    @Test
    void imagesSmallerThanTheWindowAreRefused() {
        assertThatThrownBy(() -> Ssim.perImage(new float[3 * 10 * 10], new float[3 * 10 * 10], 1, 3, 10, 10,
                PixelRange.SIGNED_UNIT)).hasMessageContaining("at least 11x11");
    }

    /** SSIM as written in the paper: an explicit 2-D window sum at every valid position, in double precision. */
    static final class ReferenceSsim {

        static double image(float[] x, float[] y, int n, int channels, int height, int width, double low,
                            double dataRange) {
            double[] g = Ssim.gaussianWindow();
            double c1 = Math.pow(0.01 * dataRange, 2);
            double c2 = Math.pow(0.03 * dataRange, 2);
            double sum = 0;
            int count = 0;
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * height * width;
                for (int top = 0; top + 11 <= height; top++) {
                    for (int left = 0; left + 11 <= width; left++) {
                        double mx = 0;
                        double my = 0;
                        for (int i = 0; i < 11; i++) {
                            for (int j = 0; j < 11; j++) {
                                int p = base + (top + i) * width + left + j;
                                mx += g[i] * g[j] * (x[p] - low);
                                my += g[i] * g[j] * (y[p] - low);
                            }
                        }
                        double vx = 0;
                        double vy = 0;
                        double cxy = 0;
                        for (int i = 0; i < 11; i++) {
                            for (int j = 0; j < 11; j++) {
                                int p = base + (top + i) * width + left + j;
                                double dx = x[p] - low - mx;
                                double dy = y[p] - low - my;
                                vx += g[i] * g[j] * dx * dx;
                                vy += g[i] * g[j] * dy * dy;
                                cxy += g[i] * g[j] * dx * dy;
                            }
                        }
                        sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                        count++;
                    }
                }
            }
            return sum / count;
        }
    }

    private static float[] randomImage(int batch, int channels, int height, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[batch * channels * height * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    private static float[] smoothImage(int batch, int channels, int height, int width) {
        float[] values = new float[batch * channels * height * width];
        int i = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int row = 0; row < height; row++) {
                    for (int col = 0; col < width; col++) {
                        values[i++] = (float) (0.7 * Math.sin(row * 0.2 + c) * Math.cos(col * 0.15));
                    }
                }
            }
        }
        return values;
    }

    private static float[] addNoise(float[] image, float sigma, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] noisy = new float[image.length];
        for (int i = 0; i < image.length; i++) {
            double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            noisy[i] = (float) Math.max(-1, Math.min(1, image[i] + sigma * gaussian));
        }
        return noisy;
    }

    private static float[] blend(float[] a, float[] b, float weightOfB) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (1 - weightOfB) * a[i] + weightOfB * b[i];
        }
        return out;
    }

    private static float[] filled(int length, float value) {
        float[] values = new float[length];
        java.util.Arrays.fill(values, value);
        return values;
    }

    private static float[] toUnit(float[] signed) {
        float[] unit = new float[signed.length];
        for (int i = 0; i < signed.length; i++) {
            unit[i] = (signed[i] + 1) / 2;
        }
        return unit;
    }
}

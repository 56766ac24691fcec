package io.latentflow.model.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import java.util.Arrays;
import io.latentflow.model.nn.Scalars;

/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004) of NCHW image batches: an 11x11 Gaussian window with
 * sigma 1.5, K1 = 0.01, K2 = 0.03, computed per channel and averaged over the valid region (no padding, so every
 * window lies fully inside the image: an H x W image has (H - 10) x (W - 10) windows) and over channels.
 *
 * <p>Built only from differentiable NDArray ops (a depthwise convolution for the local moments), so
 * {@link #loss(NDArray, NDArray, PixelRange)} can be minimised directly. NDArray inputs are computed in their own
 * dtype: float32 stays within a few 1e-6 of float64 per image on the sample photos' reconstructions
 * ({@code ReconstructionScoresTest}), float64 within 1e-9 of the paper's window sums. Every result is attached to the
 * manager of the first input; run it inside an {@link ai.djl.ndarray.NDScope} in loops.
 */
public final class Ssim {

    public static final int WINDOW = 11;
    public static final double SIGMA = 1.5;
    public static final double K1 = 0.01;
    public static final double K2 = 0.03;

    private static final int IMAGES_PER_CHUNK = 4;
    private static final Shape UNIT_STRIDE = new Shape(1, 1);
    private static final Shape NO_PADDING = new Shape(0, 0);
    private static final Shape NO_DILATION = new Shape(1, 1);

    private Ssim() {
    }

    /**
     * Mean SSIM of each image over its channels and valid windows.
     *
     * @param x     NCHW batch, values in {@code range}
     * @param y     same shape as {@code x}
     * @param range the interval both batches' values live in ({@link PixelRange#SIGNED_UNIT} for model pixels)
     * @return shape (N), 1 for identical images
     */
    public static NDArray perImage(NDArray x, NDArray y, PixelRange range) {
        NDArray map = map(x, y, range);
        // PyTorch's mean in DJL reduces one axis at a time: flatten each image first.
        return map.reshape(map.getShape().get(0), -1).mean(new int[] {1});
    }

    /** Mean SSIM over the whole batch: a scalar NDArray. */
    public static NDArray mean(NDArray x, NDArray y, PixelRange range) {
        return map(x, y, range).mean();
    }

    /** {@code 1 - mean SSIM}: 0 for identical batches, differentiable in both inputs. */
    public static NDArray loss(NDArray x, NDArray y, PixelRange range) {
        return Scalars.plus(mean(x, y, range).neg(), 1);
    }

    /**
     * Per-image SSIM of NCHW float arrays, computed in double precision on a temporary manager: the reference the
     * float32 figures of {@code eval} and the replay are checked against.
     */
    public static double[] perImage(float[] x, float[] y, int batch, int channels, int height, int width,
                                    PixelRange range) {
        long expected = (long) batch * channels * height * width;
        if (x.length != expected || y.length != expected) {
            throw new IllegalArgumentException("SSIM inputs have " + x.length + " and " + y.length + " values, expected "
                    + batch + " x " + channels + " x " + height + " x " + width + " = " + expected + " (NCHW)");
        }
        int imageSize = channels * height * width;
        double[] ssim = new double[batch];
        try (NDManager manager = NDManager.newBaseManager()) {
            // A few images at a time: the moment stack of a float64 batch is ten times the batch's float32 size.
            for (int first = 0; first < batch; first += IMAGES_PER_CHUNK) {
                int count = Math.min(IMAGES_PER_CHUNK, batch - first);
                try (NDManager chunk = manager.newSubManager()) {
                    Shape shape = new Shape(count, channels, height, width);
                    NDArray a = chunk.create(Arrays.copyOfRange(x, first * imageSize, (first + count) * imageSize), shape)
                            .toType(DataType.FLOAT64, false);
                    NDArray b = chunk.create(Arrays.copyOfRange(y, first * imageSize, (first + count) * imageSize), shape)
                            .toType(DataType.FLOAT64, false);
                    System.arraycopy(perImage(a, b, range).toDoubleArray(), 0, ssim, first, count);
                }
            }
        }
        return ssim;
    }

    /** The normalised 1-D Gaussian of the window; the 2-D window is its outer product with itself. */
    public static double[] gaussianWindow() {
        double[] window = new double[WINDOW];
        double sum = 0;
        int centre = WINDOW / 2;
        for (int i = 0; i < WINDOW; i++) {
            window[i] = Math.exp(-((i - centre) * (i - centre)) / (2 * SIGMA * SIGMA));
            sum += window[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            window[i] /= sum;
        }
        return window;
    }

    /** The SSIM map, shape (N, C, H - 10, W - 10). */
    private static NDArray map(NDArray x, NDArray y, PixelRange range) {
        Shape shape = x.getShape();
        if (!shape.equals(y.getShape())) {
            throw new IllegalArgumentException("SSIM needs equal shapes, got " + shape + " and " + y.getShape());
        }
        if (shape.dimension() != 4 || shape.get(2) < WINDOW || shape.get(3) < WINDOW) {
            throw new IllegalArgumentException("SSIM needs NCHW images of at least " + WINDOW + "x" + WINDOW
                    + " pixels, got shape " + shape);
        }
        long batch = shape.get(0);
        double dataRange = range.width();
        float c1 = (float) ((K1 * dataRange) * (K1 * dataRange));
        float c2 = (float) ((K2 * dataRange) * (K2 * dataRange));

        // The variances are differences of nearly equal moments: taken around the range's middle, the squares are a
        // quarter of those around its low end, and so is float32's rounding error in them. Only the luminance term
        // needs the values moved to [0, L], and the blurred mean moves with them (the window sums to 1).
        double middle = (range.low() + range.high()) / 2;
        NDArray a = Scalars.minus(x, middle);
        NDArray b = Scalars.minus(y, middle);
        // One depthwise pass over the five moment images instead of five convolutions.
        NDArray stacked = NDArrays.concat(new NDList(a, b, a.square(), b.square(), a.mul(b)), 0);
        NDArray blurred = gaussianBlur(stacked);
        NDList moments = blurred.split(new long[] {batch, 2 * batch, 3 * batch, 4 * batch}, 0);
        NDArray centredX = moments.get(0);
        NDArray centredY = moments.get(1);
        NDArray sigmaXX = moments.get(2).sub(centredX.square());
        NDArray sigmaYY = moments.get(3).sub(centredY.square());
        NDArray sigmaXY = moments.get(4).sub(centredX.mul(centredY));
        NDArray muX = Scalars.plus(centredX, middle - range.low());
        NDArray muY = Scalars.plus(centredY, middle - range.low());
        NDArray muXX = muX.square();
        NDArray muYY = muY.square();
        NDArray muXY = muX.mul(muY);

        NDArray numerator = Scalars.plus(Scalars.times(muXY, 2), c1).mul(Scalars.plus(Scalars.times(sigmaXY, 2), c2));
        NDArray denominator = Scalars.plus(muXX.add(muYY), c1).mul(Scalars.plus(sigmaXX.add(sigmaYY), c2));
        return numerator.div(denominator);
    }

    /**
     * Separable valid-region Gaussian blur of every plane on its own, the planes laid out as the channels of one image
     * (groups = planes), which the engine's depthwise convolution vectorises across: with an image's 3 channels as the
     * groups, most of each vector was empty and the blur of a batch took several times longer (docs/replay.md).
     */
    private static NDArray gaussianBlur(NDArray images) {
        Shape shape = images.getShape();
        int planes = Math.toIntExact(shape.get(0) * shape.get(1));
        int height = Math.toIntExact(shape.get(2));
        int width = Math.toIntExact(shape.get(3));
        double[] window = gaussianWindow();
        double[] tiled = new double[planes * WINDOW];
        for (int p = 0; p < planes; p++) {
            System.arraycopy(window, 0, tiled, p * WINDOW, WINDOW);
        }
        NDArray vertical = images.getManager().create(tiled, new Shape(planes, 1, WINDOW, 1))
                .toType(images.getDataType(), false).toDevice(images.getDevice(), false);
        NDArray horizontal = vertical.reshape(planes, 1, 1, WINDOW);
        NDArray blurred = Conv2d.conv2d(images.reshape(1, planes, height, width), vertical, null, UNIT_STRIDE,
                NO_PADDING, NO_DILATION, planes).singletonOrThrow();
        blurred = Conv2d.conv2d(blurred, horizontal, null, UNIT_STRIDE, NO_PADDING, NO_DILATION, planes)
                .singletonOrThrow();
        return blurred.reshape(shape.get(0), shape.get(1), height - WINDOW + 1, width - WINDOW + 1);
    }
}

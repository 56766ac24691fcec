package io.latentflow.model.metrics;

import ai.djl.ndarray.NDArray;
import io.latentflow.model.nn.Scalars;

/**
 * Peak signal-to-noise ratio, {@code 10 log10(L^2 / MSE)} in dB with L the data range.
 * A perfect reconstruction would be infinite; it is reported as {@value #MAX_DB} dB so that averages and JSON stay
 * finite.
 */
public final class Psnr {

    /** Ceiling of every PSNR reported here, reached when the MSE is at most {@code 1e-10 L^2}. */
    public static final double MAX_DB = 100;

    private Psnr() {
    }

    public static double fromMse(double mse, PixelRange range) {
        if (!(mse >= 0)) {
            throw new IllegalArgumentException("mean squared error is " + mse + ": it must be a non-negative number");
        }
        double peak = range.width() * range.width();
        return Math.min(MAX_DB, 10 * Math.log10(peak / mse));
    }

    /** PSNR over all values of two equally long arrays, accumulated in double precision. */
    public static double of(float[] expected, float[] actual, PixelRange range) {
        requireSameLength(expected, actual);
        return fromMse(meanSquaredError(expected, actual, 0, expected.length), range);
    }

    /**
     * PSNR of each of {@code batch} images stored one after another (NCHW) in both arrays.
     *
     * @return one PSNR per image, in dB
     */
    public static double[] perImage(float[] expected, float[] actual, int batch, PixelRange range) {
        requireSameLength(expected, actual);
        if (batch < 1 || expected.length % batch != 0) {
            throw new IllegalArgumentException(expected.length + " values cannot be split into " + batch
                    + " equally sized images");
        }
        int size = expected.length / batch;
        double[] psnr = new double[batch];
        for (int n = 0; n < batch; n++) {
            psnr[n] = fromMse(meanSquaredError(expected, actual, n * size, size), range);
        }
        return psnr;
    }

    /**
     * Per-image PSNR of NCHW (or any N-first) arrays, built from NDArray ops in the inputs' dtype.
     *
     * @return shape (N), dB, capped at {@value #MAX_DB}
     */
    public static NDArray perImage(NDArray expected, NDArray actual, PixelRange range) {
        if (!expected.getShape().equals(actual.getShape())) {
            throw new IllegalArgumentException("PSNR needs equal shapes, got " + expected.getShape() + " and "
                    + actual.getShape());
        }
        double peak = range.width() * range.width();
        // PyTorch's mean in DJL reduces one axis at a time: flatten each image first.
        NDArray mse = expected.sub(actual).square().reshape(expected.getShape().get(0), -1).mean(new int[] {1})
                .maximum((float) (peak * 1e-10));
        return Scalars.times(Scalars.dividedBy(mse, peak).log10(), -10);
    }

    private static double meanSquaredError(float[] expected, float[] actual, int from, int length) {
        double sum = 0;
        for (int i = from; i < from + length; i++) {
            double d = (double) expected[i] - actual[i];
            sum += d * d;
        }
        return sum / length;
    }

    private static void requireSameLength(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("PSNR needs equally long arrays, got " + expected.length + " and "
                    + actual.length + " values");
        }
        if (expected.length == 0) {
            throw new IllegalArgumentException("PSNR of empty arrays is undefined");
        }
    }
}

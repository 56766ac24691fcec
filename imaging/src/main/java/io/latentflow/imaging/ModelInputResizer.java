package io.latentflow.imaging;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Brings a decoded image to the model's input: scaled so its short side is {@code size}, then centre-cropped to
 * {@code size x size}, as compact RGB bytes in height x width x channel order ({@code size * size * 3} bytes; a
 * quarter of the floats the model takes, which matters when Flink ships records between operators).
 *
 * <p>Resampling is separable with a triangle (bilinear) kernel widened by the scale factor when shrinking, the
 * antialiased bilinear of Pillow and torchvision: every source pixel under the footprint counts, so downscaling does
 * not alias, and upscaling is plain bilinear. Only the crop's footprint is read, never the whole resized image.
 */
public final class ModelInputResizer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int size;

    /**
     * @param size               side of the square model input, in pixels
     * @param downsamplingFactor the model's spatial downsampling (8 for an f8 autoencoder); {@code size} must be a
     *                           multiple of it so the latent grid covers the image exactly
     */
    public ModelInputResizer(int size, int downsamplingFactor) {
        if (downsamplingFactor <= 0) {
            throw new IllegalArgumentException("the model's downsampling factor must be positive, got " + downsamplingFactor);
        }
        if (size <= 0 || size % downsamplingFactor != 0) {
            int below = Math.max(downsamplingFactor, size / downsamplingFactor * downsamplingFactor);
            int above = below + downsamplingFactor;
            throw new IllegalArgumentException("model input size " + size + " must be a positive multiple of the model's"
                    + " downsampling factor " + downsamplingFactor + ": use " + (size <= below ? below : below + " or " + above));
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Length of the arrays {@link #resize} returns: {@code size * size * 3}. */
    public int bytesPerImage() {
        return size * size * 3;
    }

    /**
     * @param image a compact BGR image, as {@link ImageDecoder#decode} returns
     * @return RGB bytes, row-major, {@code size * size * 3} long
     */
    public byte[] resize(BufferedImage image) {
        byte[] bgr = SrgbConverter.bgrBytes(image);
        int width = image.getWidth();
        int height = image.getHeight();
        if (width == size && height == size) {
            return swapToRgb(bgr);
        }
        int side = Math.min(width, height);
        Taps columns = Taps.triangle(width, (width - side) / 2.0, side, size);
        Taps rows = Taps.triangle(height, (height - side) / 2.0, side, size);
        int firstRow = rows.first[0];
        int endRow = rows.first[size - 1] + rows.count[size - 1];
        int rowLength = 3 * size;
        float[] horizontal = new float[(endRow - firstRow) * rowLength];
        for (int y = firstRow; y < endRow; y++) {
            resampleRow(bgr, y * width * 3, columns, horizontal, (y - firstRow) * rowLength);
        }
        byte[] rgb = new byte[size * rowLength];
        float[] acc = new float[rowLength];
        for (int y = 0; y < size; y++) {
            Arrays.fill(acc, 0f);
            int tapBase = y * rows.stride;
            for (int k = 0; k < rows.count[y]; k++) {
                float weight = rows.weights[tapBase + k];
                int from = (rows.first[y] + k - firstRow) * rowLength;
                for (int i = 0; i < rowLength; i++) {
                    acc[i] += weight * horizontal[from + i];
                }
            }
            int to = y * rowLength;
            for (int i = 0; i < rowLength; i++) {
                rgb[to + i] = toByte(acc[i]);
            }
        }
        return rgb;
    }

    /** One source row (BGR bytes) to one resampled row (RGB floats). */
    private void resampleRow(byte[] bgr, int rowStart, Taps columns, float[] out, int outStart) {
        int o = outStart;
        for (int x = 0; x < size; x++) {
            int tapBase = x * columns.stride;
            int s = rowStart + 3 * columns.first[x];
            float b = 0f;
            float g = 0f;
            float r = 0f;
            for (int k = 0; k < columns.count[x]; k++, s += 3) {
                float weight = columns.weights[tapBase + k];
                b += weight * (bgr[s] & 0xFF);
                g += weight * (bgr[s + 1] & 0xFF);
                r += weight * (bgr[s + 2] & 0xFF);
            }
            out[o++] = r;
            out[o++] = g;
            out[o++] = b;
        }
    }

    private static byte[] swapToRgb(byte[] bgr) {
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }

    private static byte toByte(float value) {
        int rounded = (int) (value + 0.5f);
        return (byte) (rounded < 0 ? 0 : Math.min(rounded, 255));
    }

    /** For each output index along one axis: the first source index, how many follow, and their weights. */
    private static final class Taps {
        final int[] first;
        final int[] count;
        final float[] weights;
        final int stride;

        private Taps(int outSize, int stride) {
            this.first = new int[outSize];
            this.count = new int[outSize];
            this.weights = new float[outSize * stride];
            this.stride = stride;
        }

        /**
         * Taps mapping the source interval [boxStart, boxStart + boxLength) onto {@code outSize} samples. Pixels just
         * outside the box (but inside the image) still contribute at the edges, as if the whole image were resized
         * and then cropped.
         */
        static Taps triangle(int inSize, double boxStart, double boxLength, int outSize) {
            double scale = boxLength / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle kernel reaches 1 pixel, widened when shrinking
            Taps taps = new Taps(outSize, (int) Math.ceil(support) * 2 + 1);
            for (int i = 0; i < outSize; i++) {
                double centre = boxStart + (i + 0.5) * scale;
                int from = Math.max(0, (int) (centre - support + 0.5));
                int to = Math.min(inSize, (int) (centre + support + 0.5));
                double total = 0;
                double[] w = new double[to - from];
                for (int j = 0; j < w.length; j++) {
                    w[j] = Math.max(0.0, 1.0 - Math.abs((from + j - centre + 0.5) / filterScale));
                    total += w[j];
                }
                taps.first[i] = from;
                taps.count[i] = w.length;
                for (int j = 0; j < w.length; j++) {
                    taps.weights[i * taps.stride + j] = (float) (total == 0 ? 0 : w[j] / total);
                }
            }
            return taps;
        }
    }
}

package io.latentflow.imaging;

import java.util.List;

/** Turns resized images ({@link ModelInputResizer#resize} bytes) into the model's input tensor data. */
public final class ModelInputBatch {

    /** byte value -> x / 127.5 - 1, so the hot loop is a table look-up that gives exactly that formula's floats. */
    private static final float[] UNIT_RANGE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT_RANGE[v] = v / 127.5f - 1f;
        }
    }

    private ModelInputBatch() {
    }

    /** A new float[] of shape N x 3 x size x size with values in [-1, 1]; see {@link #toNchw(List, int, float[])}. */
    public static float[] toNchw(List<byte[]> images, int size) {
        float[] out = new float[images.size() * 3 * size * size];
        toNchw(images, size, out);
        return out;
    }

    /**
     * Writes the batch into {@code out} (reusable across batches) as N x 3 x size x size floats in [-1, 1]:
     * image n, channel c (R, G, B), row y, column x at {@code ((n * 3 + c) * size + y) * size + x}.
     *
     * @param images RGB height x width x channel bytes, {@code size * size * 3} each
     * @param out    at least {@code images.size() * 3 * size * size} long; entries beyond that are left alone
     */
    public static void toNchw(List<byte[]> images, int size, float[] out) {
        int plane = size * size;
        int perImage = 3 * plane;
        if (out.length < (long) images.size() * perImage) {
            throw new IllegalArgumentException("output holds " + out.length + " floats, the batch needs "
                    + (long) images.size() * perImage);
        }
        for (int n = 0; n < images.size(); n++) {
            byte[] rgb = images.get(n);
            if (rgb.length != perImage) {
                throw new IllegalArgumentException("image " + n + " of the batch has " + rgb.length + " bytes, expected "
                        + perImage + " (" + size + "x" + size + "x3 RGB)");
            }
            int red = n * perImage;
            int green = red + plane;
            int blue = green + plane;
            for (int p = 0, i = 0; p < plane; p++, i += 3) {
                out[red + p] = UNIT_RANGE[rgb[i] & 0xFF];
                out[green + p] = UNIT_RANGE[rgb[i + 1] & 0xFF];
                out[blue + p] = UNIT_RANGE[rgb[i + 2] & 0xFF];
            }
        }
    }
}

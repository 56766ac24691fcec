package io.latentflow.model.eval;

/**
 * A batch of RGB images as the model takes them.
 *
 * @param pixels NCHW, values in [-1, 1], {@code count * 3 * height * width} values
 * @param count  images in the batch
 * @param height pixels
 * @param width  pixels
 */
public record ImageBatch(float[] pixels, int count, int height, int width) {

    public static final int CHANNELS = 3;

    public ImageBatch {
        if (pixels == null) {
            throw new IllegalArgumentException("image batch pixels are null");
        }
        if (count < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image batch of " + count + " images of " + height + "x" + width
                    + ": all must be positive");
        }
        long expected = (long) count * CHANNELS * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("image batch has " + pixels.length + " values, expected " + count
                    + " x 3 x " + height + " x " + width + " = " + expected + " (NCHW)");
        }
    }

    public int valuesPerImage() {
        return CHANNELS * height * width;
    }
}

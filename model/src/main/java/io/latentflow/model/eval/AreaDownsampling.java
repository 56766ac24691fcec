package io.latentflow.model.eval;

/**
 * Shrinks NCHW planes by an integer factor, each output value the mean of its factor x factor block (area
 * downsampling): the one downsampling of the spectrum's images and of the scale-equivariance check, so that a latent
 * and its image are shrunk alike. At factor 2 it equals bilinear downsampling, the paper's choice; at 4 it still
 * averages every input value, where bilinear would skip three in four. Rows and columns beyond the last whole block
 * are left out.
 */
public final class AreaDownsampling {

    private AreaDownsampling() {
    }

    /**
     * @param planes {@code count} planes of {@code height x width} one after another (N x C flattened)
     * @return {@code count} planes of {@code (height / factor) x (width / factor)}
     */
    public static float[] of(float[] planes, int count, int height, int width, int factor) {
        if (factor < 1 || height / factor < 1 || width / factor < 1) {
            throw new IllegalArgumentException("cannot downsample " + height + "x" + width + " by " + factor
                    + ": use a factor from 1 to the smaller side");
        }
        if (planes.length != (long) count * height * width) {
            throw new IllegalArgumentException(planes.length + " values are not " + count + " planes of " + height
                    + "x" + width);
        }
        int outHeight = height / factor;
        int outWidth = width / factor;
        float[] out = new float[count * outHeight * outWidth];
        double area = (double) factor * factor;
        for (int p = 0; p < count; p++) {
            int in = p * height * width;
            int to = p * outHeight * outWidth;
            for (int y = 0; y < outHeight; y++) {
                for (int x = 0; x < outWidth; x++) {
                    double sum = 0;
                    for (int dy = 0; dy < factor; dy++) {
                        int row = in + (y * factor + dy) * width + x * factor;
                        for (int dx = 0; dx < factor; dx++) {
                            sum += planes[row + dx];
                        }
                    }
                    out[to + y * outWidth + x] = (float) (sum / area);
                }
            }
        }
        return out;
    }
}

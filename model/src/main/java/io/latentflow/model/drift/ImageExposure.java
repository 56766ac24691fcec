package io.latentflow.model.drift;

import java.io.Serializable;

/**
 * How bright one image's highlights and shadows are, in sRGB [0, 1], read from the very pixels the encoder takes: its
 * highlight level is the {@value #HIGHLIGHT_RANK} quantile of each pixel's brightest channel (max of R, G, B), its
 * shadow level the {@value #SHADOW_RANK} quantile of each pixel's darkest channel (min of R, G, B). A camera whose
 * exposure broke is plainest here: at a quarter of its brightness no highlight passes 0.25, however dark or bright
 * the scene, whereas the latents move no more than between two ordinary photos. A high quantile, not the maximum, so
 * that a few hot pixels or one street light do not count as a highlight.
 *
 * <p>The same pass reads how much of the image repeats itself exactly: the share of pixels whose R, G and B equal
 * those of the pixel before it (its left neighbour; at a row's start, the last pixel of the row above). A camera's
 * sensor and JPEG noise make exact repeats rare even in a sky; a drawing's flat fills and white paper repeat
 * ({@link RepeatedPixels}).
 *
 * <p>Pixels are read as their 8-bit codes (a histogram of 256 levels, one pass): a few hundred thousand comparisons
 * for a 256 px image, against the millions of multiply-adds of its encode.
 *
 * @param highlight the {@value #HIGHLIGHT_RANK} quantile of max(R, G, B), in [0, 1]
 * @param shadow    the {@value #SHADOW_RANK} quantile of min(R, G, B), in [0, 1]
 * @param repeatedPixels the share of pixels equal to the pixel before them, in [0, 1]
 */
public record ImageExposure(double highlight, double shadow, double repeatedPixels) implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final double HIGHLIGHT_RANK = 0.99;
    public static final double SHADOW_RANK = 0.01;
    /** 8-bit codes. */
    static final int LEVELS = 256;

    public ImageExposure {
        if (!(highlight >= 0 && highlight <= 1 && shadow >= 0 && shadow <= 1 && repeatedPixels >= 0
                && repeatedPixels <= 1)) {
            throw new IllegalArgumentException("exposure levels lie in [0, 1]: highlight " + highlight + ", shadow "
                    + shadow + ", repeated pixels " + repeatedPixels);
        }
    }

    /**
     * The levels of an image as the encode job prepares it.
     *
     * @param rgb height x width x 3 bytes, R G B (as {@code ModelInputResizer} writes them)
     */
    public static ImageExposure ofRgb(byte[] rgb) {
        if (rgb.length < 3 || rgb.length % 3 != 0) {
            throw new IllegalArgumentException("an RGB image has 3 bytes per pixel, got " + rgb.length + " bytes");
        }
        Pass pass = new Pass();
        for (int i = 0; i < rgb.length; i += 3) {
            pass.add(rgb[i] & 0xFF, rgb[i + 1] & 0xFF, rgb[i + 2] & 0xFF);
        }
        return pass.levels();
    }

    /**
     * The levels of one image of a model input batch (values in [-1, 1], as {@code ModelInputBatch} makes them from
     * the bytes: the same levels as {@link #ofRgb} of those bytes).
     *
     * @param nchw  N x 3 x height x width values
     * @param image which image of the batch
     */
    public static ImageExposure ofModelInput(float[] nchw, int image, int height, int width) {
        int plane = height * width;
        int red = image * 3 * plane;
        if (red < 0 || red + 3 * plane > nchw.length) {
            throw new IllegalArgumentException("image " + image + " of " + height + "x" + width + " is not in a batch"
                    + " of " + nchw.length + " values");
        }
        Pass pass = new Pass();
        for (int p = 0; p < plane; p++) {
            pass.add(code(nchw[red + p]), code(nchw[red + plane + p]), code(nchw[red + 2 * plane + p]));
        }
        return pass.levels();
    }

    /** The 8-bit code of a model input value: the inverse of {@code x / 127.5 - 1}. */
    private static int code(float value) {
        return Math.max(0, Math.min(LEVELS - 1, Math.round((value + 1f) * 127.5f)));
    }

    /** One pass over an image's pixels in raster order, 8-bit codes. */
    private static final class Pass {
        private final int[] brightest = new int[LEVELS];
        private final int[] darkest = new int[LEVELS];
        private int previous = -1;
        private long repeats;
        private int pixels;

        void add(int r, int g, int b) {
            brightest[Math.max(r, Math.max(g, b))]++;
            darkest[Math.min(r, Math.min(g, b))]++;
            int colour = (r << 16) | (g << 8) | b;
            if (colour == previous) {
                repeats++;
            }
            previous = colour;
            pixels++;
        }

        ImageExposure levels() {
            return new ImageExposure(levelOf(quantileCode(brightest, pixels, HIGHLIGHT_RANK)),
                    levelOf(quantileCode(darkest, pixels, SHADOW_RANK)), pixels < 2 ? 0 : repeats / (pixels - 1.0));
        }
    }

    /** The nearest-rank quantile of a histogram of 8-bit codes: the lowest code with that share at or below it. */
    static int quantileCode(long[] histogram, long count, double rank) {
        long needed = Math.max(1, (long) Math.ceil(rank * count));
        long seen = 0;
        for (int code = 0; code < histogram.length; code++) {
            seen += histogram[code];
            if (seen >= needed) {
                return code;
            }
        }
        return histogram.length - 1;
    }

    private static int quantileCode(int[] histogram, long count, double rank) {
        long[] counts = new long[histogram.length];
        for (int code = 0; code < histogram.length; code++) {
            counts[code] = histogram[code];
        }
        return quantileCode(counts, count, rank);
    }

    static double levelOf(int code) {
        return code / (double) (LEVELS - 1);
    }

    /** The 8-bit code of a level. */
    static int codeOf(double level) {
        return (int) Math.round(level * (LEVELS - 1));
    }
}

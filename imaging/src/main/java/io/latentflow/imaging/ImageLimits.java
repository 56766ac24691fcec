package io.latentflow.imaging;

import java.io.Serializable;

/**
 * What an incoming image may cost before it is refused.
 *
 * @param maxBytes  largest encoded payload accepted, in bytes
 * @param maxPixels largest width x height accepted; checked from the header, before any pixel is decoded
 * @param minSide   smallest accepted width and height, in pixels
 */
public record ImageLimits(long maxBytes, long maxPixels, int minSide) implements Serializable {

    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final int DEFAULT_MIN_SIDE = 16;

    public static final ImageLimits DEFAULTS = new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MIN_SIDE);

    public ImageLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        if (minSide <= 0) {
            throw new IllegalArgumentException("minSide must be positive, got " + minSide);
        }
        if ((long) minSide * minSide > maxPixels) {
            throw new IllegalArgumentException("minSide " + minSide + " allows no image under maxPixels " + maxPixels
                    + ": lower minSide or raise maxPixels");
        }
    }
}

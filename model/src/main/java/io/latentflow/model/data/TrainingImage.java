package io.latentflow.model.data;

/**
 * One decoded image held for training: RGB bytes in planar order (all R, then all G, then all B).
 *
 * @param name   file name, e.g. {@code Autumn_s768_001.jpg}
 * @param source the source photo it was cut from ({@link SourceSplit#sourceOf})
 */
public record TrainingImage(String name, String source, int width, int height, byte[] planarRgb) {

    public TrainingImage {
        if (planarRgb.length != 3 * width * height) {
            throw new IllegalArgumentException(name + ": " + planarRgb.length + " bytes for " + width + "x" + height
                    + " RGB");
        }
    }

    /** Value of channel c at (x, y) in [-1, 1]. */
    public float value(int c, int y, int x) {
        return (planarRgb[(c * height + y) * width + x] & 0xff) / 127.5f - 1f;
    }
}

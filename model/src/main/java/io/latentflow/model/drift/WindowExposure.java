package io.latentflow.model.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The {@link ImageExposure} levels of a window's images, as two histograms of 8-bit levels: mergeable in any order,
 * exact (levels come from 8-bit pixels), and the same size however many images the window holds. Images without
 * levels (an encoder that did not measure them) are not counted.
 *
 * <p>Not thread-safe.
 */
public final class WindowExposure implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long[] highlights = new long[ImageExposure.LEVELS];
    private final long[] shadows = new long[ImageExposure.LEVELS];
    private long images;

    public void add(ImageExposure exposure) {
        highlights[ImageExposure.codeOf(exposure.highlight())]++;
        shadows[ImageExposure.codeOf(exposure.shadow())]++;
        images++;
    }

    public void merge(WindowExposure other) {
        for (int code = 0; code < ImageExposure.LEVELS; code++) {
            highlights[code] += other.highlights[code];
            shadows[code] += other.shadows[code];
        }
        images += other.images;
    }

    /**
     * The levels as histograms, e.g. read back from a record.
     *
     * @param highlights images per highlight level, entry k for level k / 255; empty for none measured
     * @param shadows    images per shadow level, likewise
     */
    public static WindowExposure of(long[] highlights, long[] shadows) {
        WindowExposure exposure = new WindowExposure();
        if (highlights.length == 0 && shadows.length == 0) {
            return exposure;
        }
        if (highlights.length != ImageExposure.LEVELS || shadows.length != ImageExposure.LEVELS) {
            throw new IllegalArgumentException("exposure histograms have " + ImageExposure.LEVELS + " levels each, got "
                    + highlights.length + " and " + shadows.length);
        }
        System.arraycopy(highlights, 0, exposure.highlights, 0, ImageExposure.LEVELS);
        System.arraycopy(shadows, 0, exposure.shadows, 0, ImageExposure.LEVELS);
        exposure.images = Arrays.stream(highlights).sum();
        return exposure;
    }

    /** Images per highlight level, entry k for level k / 255; empty when none were measured. */
    public long[] highlightHistogram() {
        return images == 0 ? new long[0] : highlights.clone();
    }

    /** Images per shadow level, entry k for level k / 255; empty when none were measured. */
    public long[] shadowHistogram() {
        return images == 0 ? new long[0] : shadows.clone();
    }

    public WindowExposure copy() {
        WindowExposure copy = new WindowExposure();
        copy.merge(this);
        return copy;
    }

    /** Images whose levels were measured. */
    public long images() {
        return images;
    }

    /** The share of the measured images whose highlight level lies below {@code level}; 0 without images. */
    public double fractionHighlightsBelow(double level) {
        long below = 0;
        for (int code = 0; code < ImageExposure.LEVELS && ImageExposure.levelOf(code) < level; code++) {
            below += highlights[code];
        }
        return images == 0 ? 0 : (double) below / images;
    }

    /** The share of the measured images whose shadow level lies above {@code level}; 0 without images. */
    public double fractionShadowsAbove(double level) {
        long above = 0;
        for (int code = ImageExposure.LEVELS - 1; code >= 0 && ImageExposure.levelOf(code) > level; code--) {
            above += shadows[code];
        }
        return images == 0 ? 0 : (double) above / images;
    }

    /** The median image's highlight level; NaN without images. */
    public double medianHighlight() {
        return median(highlights);
    }

    /** The median image's shadow level; NaN without images. */
    public double medianShadow() {
        return median(shadows);
    }

    private double median(long[] histogram) {
        return images == 0 ? Double.NaN : ImageExposure.levelOf(ImageExposure.quantileCode(histogram, images, 0.5));
    }

    /** The non-empty levels only: most windows' images share a few dozen of the 256. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(images);
        write(highlights, out);
        write(shadows, out);
    }

    public static WindowExposure readFrom(DataInput in) throws IOException {
        WindowExposure exposure = new WindowExposure();
        exposure.images = in.readLong();
        read(exposure.highlights, in);
        read(exposure.shadows, in);
        return exposure;
    }

    private static void write(long[] histogram, DataOutput out) throws IOException {
        out.writeShort((int) Arrays.stream(histogram).filter(count -> count > 0).count());
        for (int code = 0; code < histogram.length; code++) {
            if (histogram[code] > 0) {
                out.writeByte(code);
                out.writeLong(histogram[code]);
            }
        }
    }

    private static void read(long[] histogram, DataInput in) throws IOException {
        int filled = in.readShort();
        for (int i = 0; i < filled; i++) {
            histogram[in.readUnsignedByte()] = in.readLong();
        }
    }
}

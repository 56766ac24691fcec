package io.latentflow.model.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The {@link ImageExposure} levels of a window's images, as three histograms of 8-bit levels (highlights, shadows,
 * repeated-pixel shares): mergeable in any order, exact for the exposure levels (they come from 8-bit pixels), to
 * 1/255 for the shares, and the same size however many images the window holds. Images without levels (an encoder
 * that did not measure them) are not counted; windows recorded before the shares have none.
 *
 * <p>Not thread-safe.
 */
public final class WindowExposure implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long[] highlights = new long[ImageExposure.LEVELS];
    private final long[] shadows = new long[ImageExposure.LEVELS];
    private final long[] repeatedPixels = new long[ImageExposure.LEVELS];
    private long images;
    private long imagesWithRepeats;

    public void add(ImageExposure exposure) {
        highlights[ImageExposure.codeOf(exposure.highlight())]++;
        shadows[ImageExposure.codeOf(exposure.shadow())]++;
        repeatedPixels[ImageExposure.codeOf(exposure.repeatedPixels())]++;
        images++;
        imagesWithRepeats++;
    }

    public void merge(WindowExposure other) {
        for (int code = 0; code < ImageExposure.LEVELS; code++) {
            highlights[code] += other.highlights[code];
            shadows[code] += other.shadows[code];
            repeatedPixels[code] += other.repeatedPixels[code];
        }
        images += other.images;
        imagesWithRepeats += other.imagesWithRepeats;
    }

    /**
     * The levels as histograms, e.g. read back from a record.
     *
     * @param highlights images per highlight level, entry k for level k / 255; empty for none measured
     * @param shadows        images per shadow level, likewise
     * @param repeatedPixels images per repeated-pixel share, likewise; empty for none measured (older records)
     */
    public static WindowExposure of(long[] highlights, long[] shadows, long[] repeatedPixels) {
        WindowExposure exposure = new WindowExposure();
        if (highlights.length == 0 && shadows.length == 0) {
            return exposure;
        }
        if (highlights.length != ImageExposure.LEVELS || shadows.length != ImageExposure.LEVELS
                || (repeatedPixels.length != 0 && repeatedPixels.length != ImageExposure.LEVELS)) {
            throw new IllegalArgumentException("exposure histograms have " + ImageExposure.LEVELS + " levels each, got "
                    + highlights.length + ", " + shadows.length + " and " + repeatedPixels.length);
        }
        System.arraycopy(highlights, 0, exposure.highlights, 0, ImageExposure.LEVELS);
        System.arraycopy(shadows, 0, exposure.shadows, 0, ImageExposure.LEVELS);
        System.arraycopy(repeatedPixels, 0, exposure.repeatedPixels, 0, repeatedPixels.length);
        exposure.images = Arrays.stream(highlights).sum();
        exposure.imagesWithRepeats = Arrays.stream(repeatedPixels).sum();
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

    /** Images per repeated-pixel share, entry k for share k / 255; empty when none were measured. */
    public long[] repeatedPixelsHistogram() {
        return imagesWithRepeats == 0 ? new long[0] : repeatedPixels.clone();
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

    /** Images whose repeated-pixel share was measured. */
    public long imagesWithRepeatedPixels() {
        return imagesWithRepeats;
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

    /** The median image's repeated-pixel share; NaN without images that measured it. */
    public double medianRepeatedPixels() {
        return median(repeatedPixels, imagesWithRepeats);
    }

    private double median(long[] histogram) {
        return median(histogram, images);
    }

    private static double median(long[] histogram, long count) {
        return count == 0 ? Double.NaN : ImageExposure.levelOf(ImageExposure.quantileCode(histogram, count, 0.5));
    }

    /** The non-empty levels only: most windows' images share a few dozen of the 256. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(images);
        write(highlights, out);
        write(shadows, out);
        write(repeatedPixels, out);
    }

    /**
     * Reads what {@link #writeTo} wrote.
     *
     * @param withRepeatedPixels false for the two histograms written before the shares, whose histogram then stays
     *                           empty (none measured)
     */
    public static WindowExposure readFrom(DataInput in, boolean withRepeatedPixels) throws IOException {
        WindowExposure exposure = new WindowExposure();
        exposure.images = in.readLong();
        read(exposure.highlights, in);
        read(exposure.shadows, in);
        if (withRepeatedPixels) {
            read(exposure.repeatedPixels, in);
        }
        exposure.imagesWithRepeats = Arrays.stream(exposure.repeatedPixels).sum();
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

package io.latentflow.model.train;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.BatchSplitter;

/**
 * How many of a step's images go through forward and backward at once: the whole batch, a fixed number, or as many as
 * keep one image's largest activation times their number under {@link BatchSplitter}'s budget (8 MB by default: the
 * same budget, for the same reason, as the serving path's split; on this CPU one 256 px image of the default model is
 * already 8 MB, a 64 px batch of 16 is 8 MB). Gradients of the parts add up before the one optimiser update, so the
 * step is the same step up to float rounding, whatever the split.
 *
 * @param imagesPerPart images per micro-batch; 0 for {@link #AUTO}, {@link Integer#MAX_VALUE} for the whole batch
 */
public record MicroBatching(int imagesPerPart) {

    public static final MicroBatching WHOLE_BATCH = new MicroBatching(Integer.MAX_VALUE);
    public static final MicroBatching AUTO = new MicroBatching(0);
    /**
     * What training uses unless told: sized to the budget, which leaves a 64 px batch of 16 whole (bit for bit the
     * step it always was) and runs a 256 px batch one crop at a time (docs/benchmarks.md: the step times that chose
     * it).
     */
    public static final MicroBatching DEFAULT = AUTO;

    public MicroBatching {
        if (imagesPerPart < 0) {
            throw new IllegalArgumentException("micro-batch of " + imagesPerPart + " images: use a positive number,"
                    + " auto or off");
        }
    }

    /** {@code off} (the whole batch at once), {@code auto} (sized to the budget) or a number of images. */
    public static MicroBatching parse(String value) {
        String text = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
        switch (text) {
            case "off":
                return WHOLE_BATCH;
            case "auto":
                return AUTO;
            default:
                try {
                    int images = Integer.parseInt(text);
                    if (images > 0) {
                        return new MicroBatching(images);
                    }
                } catch (NumberFormatException e) {
                    // falls through to the message below
                }
                throw new IllegalArgumentException("micro-batch is '" + value + "': use off, auto or a positive"
                        + " number of images");
        }
    }

    /** Images per part for a batch of {@code batch} crops of side {@code cropSize}; at most the batch. */
    public int imagesPerPart(int batch, AutoencoderConfig architecture, int cropSize) {
        if (imagesPerPart > 0) {
            return Math.min(batch, imagesPerPart);
        }
        long peak = Math.max(
                BatchSplitter.peakBytesPerImage(architecture.channelWidths(), cropSize, cropSize, false),
                BatchSplitter.peakBytesPerImage(architecture.channelWidths(), cropSize, cropSize, true));
        return BatchSplitter.forDevice(false).imagesPerCall(batch, peak);
    }

    /** As given on a command line. */
    public String optionValue() {
        return this.equals(WHOLE_BATCH) ? "off" : this.equals(AUTO) ? "auto" : Integer.toString(imagesPerPart);
    }
}

package io.latentflow.model;

import java.util.List;

/**
 * Splits a batch into sub-batches whose largest activation stays under a byte budget, on CPU only. Why: glibc serves
 * allocations above its mmap threshold (at most 32 MB) with fresh zero-filled pages, so at 256 px a batch of 16 spends
 * most of its time in page faults (measured: ~1.8 GB of faults per call, 2x slower per image than at 128 px).
 * Same arithmetic, smaller tensors, no faults. GPUs have a caching allocator and are never split. Serving splits its
 * forward calls with it; training sizes its micro-batches with it ({@code MicroBatching.AUTO}).
 */
public final class BatchSplitter {

    /** System property: largest activation per forward call in MB on CPU; 0 disables splitting. */
    static final String BUDGET_PROPERTY = "latentflow.model.maxActivationMb";
    private static final long DEFAULT_BUDGET_MB = 8;

    private final long budgetBytes;

    private BatchSplitter(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    public static BatchSplitter forDevice(boolean gpu) {
        long mb = Long.getLong(BUDGET_PROPERTY, DEFAULT_BUDGET_MB);
        return new BatchSplitter(gpu || mb <= 0 ? Long.MAX_VALUE : mb << 20);
    }

    /** Images per forward call given the largest activation one image produces. */
    public int imagesPerCall(int batch, long peakBytesPerImage) {
        if (budgetBytes == Long.MAX_VALUE || peakBytesPerImage <= 0) {
            return batch;
        }
        return (int) Math.max(1, Math.min(batch, budgetBytes / peakBytesPerImage));
    }

    /** One forward call over {@code count} items of a batch, starting at value {@code offset} of its input. */
    @FunctionalInterface
    interface ForwardCall {
        float[] run(int offset, int count);
    }

    /**
     * Runs {@code call} over the whole batch at once when it fits, else over consecutive sub-batches of
     * {@code perCall} items, and joins their outputs in order.
     *
     * @param inputValues  input floats per item
     * @param outputValues output floats per item
     */
    static float[] inSubBatches(int batch, int perCall, int inputValues, int outputValues, ForwardCall call) {
        if (perCall == batch) {
            return call.run(0, batch);
        }
        float[] output = new float[batch * outputValues];
        for (int first = 0; first < batch; first += perCall) {
            int count = Math.min(perCall, batch - first);
            float[] part = call.run(first * inputValues, count);
            System.arraycopy(part, 0, output, first * outputValues, part.length);
        }
        return output;
    }

    /**
     * Largest float activation of one image in the encoder (widths[i] channels at level i) or the decoder (its
     * upsampling keeps the coarser level's width at the finer resolution).
     */
    public static long peakBytesPerImage(List<Integer> widths, int height, int width, boolean decoder) {
        return peakBytesPerImage(widths, height, width, decoder, 0);
    }

    /**
     * Like {@link #peakBytesPerImage(List, int, int, boolean)} for a network with single-head attention over the
     * latent positions of a factor {@code attentionFactor} (0: none), whose score matrix grows with their square.
     */
    static long peakBytesPerImage(List<Integer> widths, int height, int width, boolean decoder, int attentionFactor) {
        long peak = 0;
        if (attentionFactor > 0) {
            long positions = ((long) height / attentionFactor) * ((long) width / attentionFactor);
            peak = positions * positions * Float.BYTES;
        }
        for (int level = 0; level < widths.size(); level++) {
            long channels = widths.get(level);
            if (decoder && level + 1 < widths.size()) {
                channels = Math.max(channels, widths.get(level + 1));
            }
            long pixels = ((long) height >> level) * ((long) width >> level);
            peak = Math.max(peak, channels * pixels * Float.BYTES);
        }
        return peak;
    }
}

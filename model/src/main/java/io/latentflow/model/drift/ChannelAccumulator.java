package io.latentflow.model.drift;

import io.latentflow.model.eval.Moments;
import org.apache.datasketches.kll.KllFloatsSketch;
import org.apache.datasketches.memory.Memory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The values of one latent channel over a window, in one pass and mergeable: moments (Chan et al.), a KLL quantile
 * sketch, values outside [-1, 1] and counts over the reference's quantile bins.
 */
final class ChannelAccumulator {

    /** KLL accuracy parameter: about 1.3 % normalised rank error, about 2.5 KB serialized. */
    static final int SKETCH_K = 200;

    private final double[] binEdges;
    private Moments moments = Moments.EMPTY;
    private KllFloatsSketch sketch;
    private long outsideUnit;
    private final long[] binCounts;

    ChannelAccumulator(double[] binEdges) {
        this(binEdges, KllFloatsSketch.newHeapInstance(SKETCH_K), new long[binEdges.length + 1]);
    }

    private ChannelAccumulator(double[] binEdges, KllFloatsSketch sketch, long[] binCounts) {
        this.binEdges = binEdges;
        this.sketch = sketch;
        this.binCounts = binCounts;
    }

    /** Adds {@code values[from .. from + length)} and returns their own moments. */
    Moments add(float[] values, int from, int length) {
        Moments block = Moments.of(values, from, length);
        moments = moments.merge(block);
        sketch.update(values, from, length);
        for (int i = from; i < from + length; i++) {
            float value = values[i];
            if (value > 1 || value < -1) {
                outsideUnit++;
            }
            binCounts[Bins.of(binEdges, value)]++;
        }
        return block;
    }

    void merge(ChannelAccumulator other) {
        moments = moments.merge(other.moments);
        sketch.merge(other.sketch);
        outsideUnit += other.outsideUnit;
        for (int i = 0; i < binCounts.length; i++) {
            binCounts[i] += other.binCounts[i];
        }
    }

    /** @param blackHoles the window's black-hole positions this channel is beyond the bound in */
    ChannelStatistics result(int channel, double[] quantileRanks, long blackHoles) {
        double mean = moments.mean();
        double[] quantiles = new double[quantileRanks.length];
        if (!sketch.isEmpty()) {
            for (int i = 0; i < quantileRanks.length; i++) {
                quantiles[i] = sketch.getQuantile(quantileRanks[i]);
            }
        }
        long count = moments.count();
        return new ChannelStatistics(channel, count, mean, moments.variance(),
                count == 0 ? 0 : moments.min(), count == 0 ? 0 : moments.max(),
                count == 0 ? 0 : (double) outsideUnit / count, blackHoles, quantiles, binEdges.clone(),
                Bins.fractions(binCounts), sketch.toByteArray());
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeLong(moments.count());
        out.writeDouble(moments.mean());
        out.writeDouble(moments.m2());
        out.writeDouble(moments.min());
        out.writeDouble(moments.max());
        out.writeLong(outsideUnit);
        for (long count : binCounts) {
            out.writeLong(count);
        }
        byte[] sketchBytes = sketch.toByteArray();
        out.writeInt(sketchBytes.length);
        out.write(sketchBytes);
    }

    static ChannelAccumulator readFrom(DataInput in, double[] binEdges) throws IOException {
        Moments moments = new Moments(in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(),
                in.readDouble());
        long outsideUnit = in.readLong();
        long[] binCounts = new long[binEdges.length + 1];
        for (int i = 0; i < binCounts.length; i++) {
            binCounts[i] = in.readLong();
        }
        byte[] sketchBytes = new byte[in.readInt()];
        in.readFully(sketchBytes);
        ChannelAccumulator channel = new ChannelAccumulator(binEdges, KllFloatsSketch.heapify(Memory.wrap(sketchBytes)),
                binCounts);
        channel.moments = moments;
        channel.outsideUnit = outsideUnit;
        return channel;
    }
}

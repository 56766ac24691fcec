package io.latentflow.model.drift;

import io.latentflow.model.eval.Moments;
import org.apache.datasketches.kll.KllFloatsSketch;
import org.apache.datasketches.memory.Memory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The values of one latent channel over a window, in one pass and mergeable: moments (Chan et al.), a KLL quantile
 * sketch, values outside [-1, 1], counts over the reference's quantile bins, and the largest and smallest values (for
 * black holes, which need the window's own mean and std).
 */
final class ChannelAccumulator {

    /** KLL accuracy parameter: about 1.3 % normalised rank error, about 2.5 KB serialized. */
    static final int SKETCH_K = 200;
    /** Black holes are counted exactly up to this many per channel and side. */
    static final int TAIL_CAPACITY = 32;

    private final double[] binEdges;
    private Moments moments = Moments.EMPTY;
    private KllFloatsSketch sketch;
    private long outsideUnit;
    private final long[] binCounts;
    private final TailValues highest;
    private final TailValues lowestNegated;

    ChannelAccumulator(double[] binEdges) {
        this(binEdges, KllFloatsSketch.newHeapInstance(SKETCH_K), new long[binEdges.length + 1],
                new TailValues(TAIL_CAPACITY), new TailValues(TAIL_CAPACITY));
    }

    private ChannelAccumulator(double[] binEdges, KllFloatsSketch sketch, long[] binCounts, TailValues highest,
                               TailValues lowestNegated) {
        this.binEdges = binEdges;
        this.sketch = sketch;
        this.binCounts = binCounts;
        this.highest = highest;
        this.lowestNegated = lowestNegated;
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
            highest.add(value);
            lowestNegated.add(-value);
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
        highest.merge(other.highest);
        lowestNegated.merge(other.lowestNegated);
    }

    ChannelStatistics result(int channel, double[] quantileRanks) {
        double mean = moments.mean();
        double std = moments.std();
        long blackHoles = 0;
        if (std > 0) {
            double reach = ReferenceProfile.BLACK_HOLE_Z * std;
            blackHoles = highest.countAbove(mean + reach) + lowestNegated.countAbove(-(mean - reach));
        }
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
        highest.writeTo(out);
        lowestNegated.writeTo(out);
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
        TailValues highest = TailValues.readFrom(in);
        TailValues lowestNegated = TailValues.readFrom(in);
        byte[] sketchBytes = new byte[in.readInt()];
        in.readFully(sketchBytes);
        ChannelAccumulator channel = new ChannelAccumulator(binEdges, KllFloatsSketch.heapify(Memory.wrap(sketchBytes)),
                binCounts, highest, lowestNegated);
        channel.moments = moments;
        channel.outsideUnit = outsideUnit;
        return channel;
    }
}

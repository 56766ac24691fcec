package io.latentflow.model.drift;

import io.latentflow.model.eval.Moments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Latent statistics of one window, gathered latent by latent in one pass and mergeable in any order: what a Flink
 * window aggregates. Bound to the reference profile of the model version whose latents it takes: the profile gives
 * the PSI bins and the z-scores that rank the worst images.
 *
 * <p>Not thread-safe.
 */
public final class WindowAccumulator {

    /** Worst images kept per window. */
    public static final int DEFAULT_OUTLIERS = 5;
    /** Ranks of the quantiles every window reports: the body and both tails. */
    public static final double[] DEFAULT_QUANTILE_RANKS =
            {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999};

    private static final Comparator<LatentOutlier> WORST_FIRST =
            Comparator.comparingDouble(LatentOutlier::worstZ).reversed().thenComparing(LatentOutlier::imageId);

    private final ReferenceProfile reference;
    private final int maxOutliers;
    private final ChannelAccumulator[] channels;
    private final List<LatentOutlier> outliers;
    private long images;

    public WindowAccumulator(ReferenceProfile reference) {
        this(reference, DEFAULT_OUTLIERS);
    }

    public WindowAccumulator(ReferenceProfile reference, int maxOutliers) {
        if (maxOutliers < 0) {
            throw new IllegalArgumentException("maxOutliers must not be negative, got " + maxOutliers);
        }
        this.reference = reference;
        this.maxOutliers = maxOutliers;
        this.channels = new ChannelAccumulator[reference.channelCount()];
        for (int c = 0; c < channels.length; c++) {
            channels[c] = new ChannelAccumulator(reference.channel(c).binEdges());
        }
        this.outliers = new ArrayList<>(maxOutliers + 1);
    }

    /**
     * Adds one image's latent.
     *
     * @param latent {@code C x H x W} values, C the reference's channel count
     * @throws IllegalArgumentException when the latent does not have the reference's channel count; nothing is added
     */
    public void add(String imageId, String source, long eventTime, float[] latent) {
        int channelCount = channels.length;
        if (latent.length == 0 || latent.length % channelCount != 0) {
            throw new IllegalArgumentException("latent of image " + imageId + " has " + latent.length
                    + " values, not a multiple of the " + channelCount + " channels of model "
                    + reference.modelVersion() + "'s reference profile");
        }
        int positions = latent.length / channelCount;
        double worstZ = 0;
        int worstChannel = 0;
        double maxAbs = 0;
        for (int c = 0; c < channelCount; c++) {
            Moments block = channels[c].add(latent, c * positions, positions);
            maxAbs = Math.max(maxAbs, Math.max(Math.abs(block.min()), Math.abs(block.max())));
            ReferenceChannel expected = reference.channel(c);
            if (expected.std() > 0) {
                double z = Math.max(Math.abs(block.max() - expected.mean()), Math.abs(block.min() - expected.mean()))
                        / expected.std();
                if (z > worstZ) {
                    worstZ = z;
                    worstChannel = c;
                }
            }
        }
        images++;
        offerOutlier(new LatentOutlier(imageId, source == null ? "" : source, eventTime, worstZ, worstChannel,
                maxAbs));
    }

    public void merge(WindowAccumulator other) {
        if (other.channels.length != channels.length) {
            throw new IllegalArgumentException("cannot merge window statistics of " + other.channels.length
                    + " channels into statistics of " + channels.length);
        }
        for (int c = 0; c < channels.length; c++) {
            channels[c].merge(other.channels[c]);
        }
        images += other.images;
        other.outliers.forEach(this::offerOutlier);
    }

    public long images() {
        return images;
    }

    public ReferenceProfile reference() {
        return reference;
    }

    public WindowStatistics result() {
        return result(DEFAULT_QUANTILE_RANKS);
    }

    public WindowStatistics result(double[] quantileRanks) {
        List<ChannelStatistics> stats = new ArrayList<>(channels.length);
        for (int c = 0; c < channels.length; c++) {
            stats.add(channels[c].result(c, quantileRanks));
        }
        return new WindowStatistics(images, quantileRanks.clone(), stats, outliers);
    }

    /** Compact binary form for checkpoints; {@link #fromBytes} needs the same reference profile to read it. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(channels.length * 3 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(channels.length);
            out.writeInt(maxOutliers);
            out.writeLong(images);
            for (ChannelAccumulator channel : channels) {
                channel.writeTo(out);
            }
            out.writeInt(outliers.size());
            for (LatentOutlier outlier : outliers) {
                out.writeUTF(outlier.imageId());
                out.writeUTF(outlier.source());
                out.writeLong(outlier.eventTime());
                out.writeDouble(outlier.worstZ());
                out.writeInt(outlier.channel());
                out.writeDouble(outlier.maxAbs());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise window statistics", e);
        }
        return bytes.toByteArray();
    }

    public static WindowAccumulator fromBytes(byte[] bytes, ReferenceProfile reference) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int channelCount = in.readInt();
            if (channelCount != reference.channelCount()) {
                throw new IllegalArgumentException("window statistics of " + channelCount + " channels cannot be read"
                        + " against the reference profile of " + reference.modelVersion() + " ("
                        + reference.channelCount() + " channels)");
            }
            WindowAccumulator accumulator = new WindowAccumulator(reference, in.readInt());
            accumulator.images = in.readLong();
            for (int c = 0; c < channelCount; c++) {
                accumulator.channels[c] = ChannelAccumulator.readFrom(in, reference.channel(c).binEdges());
            }
            int outliers = in.readInt();
            for (int i = 0; i < outliers; i++) {
                accumulator.outliers.add(new LatentOutlier(in.readUTF(), in.readUTF(), in.readLong(), in.readDouble(),
                        in.readInt(), in.readDouble()));
            }
            return accumulator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read serialised window statistics", e);
        }
    }

    private void offerOutlier(LatentOutlier candidate) {
        if (maxOutliers == 0) {
            return;
        }
        outliers.add(candidate);
        outliers.sort(WORST_FIRST);
        if (outliers.size() > maxOutliers) {
            outliers.remove(outliers.size() - 1);
        }
    }
}

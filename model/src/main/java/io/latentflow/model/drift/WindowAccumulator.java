package io.latentflow.model.drift;

import io.latentflow.model.eval.Moments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Latent statistics of one window, gathered latent by latent in one pass and mergeable in any order: what a Flink
 * window aggregates. Made for the reference profile of the model version whose latents it takes: the profile gives
 * the PSI bins and the z-scores that rank the worst images. It keeps what it needs of the profile, so its serialized
 * form reads back on its own.
 *
 * <p>Not thread-safe.
 */
public final class WindowAccumulator {

    /** Worst images kept per window. */
    public static final int DEFAULT_OUTLIERS = 5;
    /** Ranks of the quantiles every window reports: the body and both tails. */
    public static final double[] DEFAULT_QUANTILE_RANKS =
            {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999};

    /**
     * 2: black holes counted against the reference ({@link BlackHoles}), not from each channel's extreme values;
     * 3: the sampled reconstruction PSNRs; 4: the images' exposure levels; 5: and their repeated-pixel shares.
     */
    private static final int FORMAT = 5;
    /**
     * The oldest format this build reads: a service checkpoint written by an earlier release restores in this one. A
     * field its format lacks starts empty, and an empty histogram means "not measured", which EXPOSURE and
     * REPEATED_PIXELS answer with no verdict; so a window restored from format 3 or 4 is judged on what it has.
     */
    private static final int OLDEST_FORMAT = 3;
    /**
     * Sampled PSNRs kept per window: beyond this the window's median is well known, and the state stays small even
     * when every image is sampled.
     */
    public static final int MAX_SAMPLED_PSNR = 4096;
    private static final Comparator<LatentOutlier> WORST_FIRST =
            Comparator.comparingDouble(LatentOutlier::worstZ).reversed().thenComparing(LatentOutlier::imageId);

    private final String modelVersion;
    private final double[][] binEdges;
    private final double[] referenceMean;
    private final double[] referenceStd;
    private final int maxOutliers;
    private final BlackHoles blackHoles;
    private final ChannelAccumulator[] channels;
    private final List<LatentOutlier> outliers;
    private final long[] blackHolesPerChannel;
    private long images;
    private long blackHolePositions;
    private double noveltySum;
    private double[] sampledPsnr = new double[0];
    private WindowExposure exposure = new WindowExposure();

    public WindowAccumulator(ReferenceProfile reference) {
        this(reference, DEFAULT_OUTLIERS);
    }

    public WindowAccumulator(ReferenceProfile reference, int maxOutliers) {
        this(reference.modelVersion(), edgesOf(reference), reference.channels().stream()
                .mapToDouble(ReferenceChannel::mean).toArray(), reference.channels().stream()
                .mapToDouble(ReferenceChannel::std).toArray(), maxOutliers);
    }

    private WindowAccumulator(String modelVersion, double[][] binEdges, double[] referenceMean, double[] referenceStd,
                              int maxOutliers) {
        this.modelVersion = modelVersion;
        this.binEdges = binEdges;
        this.referenceMean = referenceMean;
        this.referenceStd = referenceStd;
        this.maxOutliers = maxOutliers;
        this.blackHoles = new BlackHoles(referenceMean, referenceStd);
        this.blackHolesPerChannel = new long[binEdges.length];
        this.channels = new ChannelAccumulator[binEdges.length];
        for (int c = 0; c < channels.length; c++) {
            channels[c] = new ChannelAccumulator(binEdges[c]);
        }
        this.outliers = new ArrayList<>(maxOutliers + 1);
    }

    private static double[][] edgesOf(ReferenceProfile reference) {
        double[][] edges = new double[reference.channelCount()][];
        for (int c = 0; c < edges.length; c++) {
            edges[c] = reference.channel(c).binEdges().clone();
        }
        return edges;
    }

    /**
     * Adds one image's latent.
     *
     * @param latent  {@code C x H x W} values, C the reference's channel count
     * @param novelty the image's {@link ReferenceProfile#novelty}
     * @throws IllegalArgumentException when the latent does not have the reference's channel count; nothing is added
     */
    public void add(String imageId, String source, long eventTime, float[] latent, double novelty) {
        add(imageId, source, eventTime, latent, novelty, Double.NaN);
    }

    /**
     * Adds one image's latent and, when the encoder sampled it, its reconstruction PSNR.
     *
     * @param reconstructionPsnr dB, or NaN for an image that was not sampled
     */
    public void add(String imageId, String source, long eventTime, float[] latent, double novelty,
                    double reconstructionPsnr) {
        add(imageId, source, eventTime, latent, novelty, reconstructionPsnr, null);
    }

    /**
     * Adds one image's latent, its reconstruction PSNR when the encoder sampled it, and the exposure levels of the
     * pixels it was encoded from.
     *
     * @param reconstructionPsnr dB, or NaN for an image that was not sampled
     * @param exposure           null when the encoder did not measure them
     */
    public void add(String imageId, String source, long eventTime, float[] latent, double novelty,
                    double reconstructionPsnr, ImageExposure exposure) {
        int channelCount = channels.length;
        if (latent.length == 0 || latent.length % channelCount != 0) {
            throw new IllegalArgumentException("latent of image " + imageId + " has " + latent.length
                    + " values, not a multiple of the " + channelCount + " channels of model "
                    + modelVersion + "'s reference profile");
        }
        int positions = latent.length / channelCount;
        double worstZ = 0;
        int worstChannel = 0;
        double maxAbs = 0;
        for (int c = 0; c < channelCount; c++) {
            Moments block = channels[c].add(latent, c * positions, positions);
            maxAbs = Math.max(maxAbs, Math.max(Math.abs(block.min()), Math.abs(block.max())));
            if (referenceStd[c] > 0) {
                double z = Math.max(Math.abs(block.max() - referenceMean[c]), Math.abs(block.min() - referenceMean[c]))
                        / referenceStd[c];
                if (z > worstZ) {
                    worstZ = z;
                    worstChannel = c;
                }
            }
        }
        images++;
        blackHolePositions += blackHoles.positionsIn(latent, 0, positions, blackHolesPerChannel);
        noveltySum += novelty;
        if (!Double.isNaN(reconstructionPsnr)) {
            addSampledPsnr(new double[]{reconstructionPsnr});
        }
        if (exposure != null) {
            this.exposure.add(exposure);
        }
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
            blackHolesPerChannel[c] += other.blackHolesPerChannel[c];
        }
        images += other.images;
        blackHolePositions += other.blackHolePositions;
        noveltySum += other.noveltySum;
        addSampledPsnr(other.sampledPsnr);
        exposure.merge(other.exposure);
        other.outliers.forEach(this::offerOutlier);
    }

    public long images() {
        return images;
    }

    /** The model version whose reference profile this was made for. */
    public String modelVersion() {
        return modelVersion;
    }

    public WindowStatistics result() {
        return result(DEFAULT_QUANTILE_RANKS);
    }

    public WindowStatistics result(double[] quantileRanks) {
        List<ChannelStatistics> stats = new ArrayList<>(channels.length);
        for (int c = 0; c < channels.length; c++) {
            stats.add(channels[c].result(c, quantileRanks, blackHolesPerChannel[c]));
        }
        return new WindowStatistics(images, images == 0 ? 0 : noveltySum / images, quantileRanks.clone(), stats,
                outliers, blackHolePositions, sampledPsnr, exposure);
    }

    private void addSampledPsnr(double[] more) {
        int room = MAX_SAMPLED_PSNR - sampledPsnr.length;
        int taken = Math.min(room, more.length);
        if (taken <= 0) {
            return;
        }
        double[] grown = Arrays.copyOf(sampledPsnr, sampledPsnr.length + taken);
        System.arraycopy(more, 0, grown, sampledPsnr.length, taken);
        sampledPsnr = grown;
    }

    /** Compact binary form for checkpoints, read back by {@link #fromBytes}. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(channels.length * 3 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(modelVersion);
            out.writeInt(channels.length);
            out.writeInt(maxOutliers);
            out.writeLong(images);
            out.writeLong(blackHolePositions);
            out.writeDouble(noveltySum);
            for (int c = 0; c < channels.length; c++) {
                out.writeDouble(referenceMean[c]);
                out.writeDouble(referenceStd[c]);
                out.writeLong(blackHolesPerChannel[c]);
                out.writeInt(binEdges[c].length);
                for (double edge : binEdges[c]) {
                    out.writeDouble(edge);
                }
                channels[c].writeTo(out);
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
            out.writeInt(sampledPsnr.length);
            for (double psnr : sampledPsnr) {
                out.writeDouble(psnr);
            }
            exposure.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise window statistics", e);
        }
        return bytes.toByteArray();
    }

    public static WindowAccumulator fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            if (format < OLDEST_FORMAT || format > FORMAT) {
                throw new IllegalArgumentException("window statistics in format " + format + ", this build reads "
                        + OLDEST_FORMAT + " to " + FORMAT + (format > FORMAT
                        ? ": they were written by a newer release; restore them with that release or a newer one"
                        : ": they were written by a release too old to restore from; start the job without its state"));
            }
            String modelVersion = in.readUTF();
            int channelCount = in.readInt();
            int maxOutliers = in.readInt();
            long images = in.readLong();
            long blackHolePositions = in.readLong();
            double noveltySum = in.readDouble();
            double[][] edges = new double[channelCount][];
            double[] mean = new double[channelCount];
            double[] std = new double[channelCount];
            long[] blackHolesPerChannel = new long[channelCount];
            ChannelAccumulator[] channels = new ChannelAccumulator[channelCount];
            for (int c = 0; c < channelCount; c++) {
                mean[c] = in.readDouble();
                std[c] = in.readDouble();
                blackHolesPerChannel[c] = in.readLong();
                edges[c] = new double[in.readInt()];
                for (int e = 0; e < edges[c].length; e++) {
                    edges[c][e] = in.readDouble();
                }
                channels[c] = ChannelAccumulator.readFrom(in, edges[c]);
            }
            WindowAccumulator accumulator = new WindowAccumulator(modelVersion, edges, mean, std, maxOutliers);
            System.arraycopy(channels, 0, accumulator.channels, 0, channelCount);
            System.arraycopy(blackHolesPerChannel, 0, accumulator.blackHolesPerChannel, 0, channelCount);
            accumulator.images = images;
            accumulator.blackHolePositions = blackHolePositions;
            accumulator.noveltySum = noveltySum;
            int outliers = in.readInt();
            for (int i = 0; i < outliers; i++) {
                accumulator.outliers.add(new LatentOutlier(in.readUTF(), in.readUTF(), in.readLong(), in.readDouble(),
                        in.readInt(), in.readDouble()));
            }
            double[] sampled = new double[in.readInt()];
            for (int i = 0; i < sampled.length; i++) {
                sampled[i] = in.readDouble();
            }
            accumulator.sampledPsnr = sampled;
            accumulator.exposure = format >= 4 ? WindowExposure.readFrom(in, format >= 5) : new WindowExposure();
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

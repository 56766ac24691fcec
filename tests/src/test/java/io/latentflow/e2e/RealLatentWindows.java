package io.latentflow.e2e;

import io.latentflow.infra.S3Settings;
import io.latentflow.jobs.image.ImageDecoder;
import io.latentflow.jobs.image.ModelInputBatch;
import io.latentflow.jobs.image.ModelInputResizer;
import io.latentflow.jobs.shard.Npy;
import io.latentflow.jobs.shard.ShardWriter;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.ImageOutlier;
import io.latentflow.schemas.LatentStatsWindow;
import io.minio.UploadObjectArgs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Monitor records computed from real latents: sample images encoded by the serving model, their latents written to a
 * real shard in S3, and per-window channel statistics computed from those latents, exactly, the way
 * {@code LatentStatsWindow} defines them. Stands in for the drift monitor's operator until the dashboard's browser
 * test runs behind it; the drift score here is the largest per-channel standardised mean shift against the first
 * windows or |ln variance ratio|, two of the monitor's documented ingredients, not its combined score.
 */
final class RealLatentWindows {

    static final List<Double> RANKS = List.of(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99);
    static final int BINS = 24;
    static final double HISTOGRAM_LOW = -1.2;
    static final double HISTOGRAM_HIGH = 1.2;
    static final int WORST_PER_WINDOW = 4;

    private final String model;
    private final int channels;
    private final int height;
    private final int width;
    private final List<List<Encoded>> windows;
    private final int referenceWindows;

    /** One encoded image: its latent, C x H x W, and where the shard holds it. */
    record Encoded(String id, String source, float[] latent, String shardUri, String member) {
    }

    private RealLatentWindows(String model, int channels, int height, int width, List<List<Encoded>> windows,
                              int referenceWindows) {
        this.model = model;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.windows = windows;
        this.referenceWindows = referenceWindows;
    }

    /**
     * Encodes {@code referenceWindows} windows of photos followed by {@code shiftedWindows} windows of other photos as a
     * broken camera would deliver them (overexposed: every pixel value doubled and clipped), {@code perWindow} images
     * each, and writes each window's latents to one shard in the bucket. A broken camera rather than another domain:
     * the untrained stand-in model's latents barely tell illustrations from photos in windows this small.
     */
    static RealLatentWindows encode(ServingModel model, Path samples, int size, int perWindow, int referenceWindows,
                                    int shiftedWindows, S3Settings s3, Path work) throws Exception {
        int f = model.config().downsamplingFactor();
        ModelInputResizer resizer = new ModelInputResizer(size, f);
        ImageDecoder decoder = new ImageDecoder();
        List<Path> photos = images(samples.resolve("photos"), perWindow * (referenceWindows + shiftedWindows));
        List<List<Encoded>> windows = new ArrayList<>();
        try (LatentEncoder encoder = model.newEncoder()) {
            for (int w = 0; w < referenceWindows + shiftedWindows; w++) {
                List<Path> files = photos.subList(w * perWindow, (w + 1) * perWindow);
                boolean broken = w >= referenceWindows;
                List<byte[]> rgb = new ArrayList<>();
                for (Path file : files) {
                    byte[] pixels = resizer.resize(decoder.decode(Files.readAllBytes(file)));
                    rgb.add(broken ? overexposed(pixels) : pixels);
                }
                float[] latents = encoder.encode(ModelInputBatch.toNchw(rgb, size), files.size(), size, size);
                windows.add(writeShard(files, broken ? "broken-camera" : "camera", latents, model, size / f, w, s3,
                        work));
            }
        }
        return new RealLatentWindows(model.version(), model.config().latentChannels(), size / f, size / f, windows,
                referenceWindows);
    }

    private static byte[] overexposed(byte[] rgb) {
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) Math.min(255, 2 * (rgb[i] & 0xFF));
        }
        return out;
    }

    /** A seeded shuffle: the samples are tiles of a few pictures, sorted by picture, and a window should mix them. */
    private static List<Path> images(Path folder, int count) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> shuffled = new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
            if (shuffled.size() < count) {
                throw new IllegalStateException(folder + " has " + shuffled.size() + " images, the test needs " + count);
            }
            Collections.shuffle(shuffled, new Random(20260101));
            return shuffled.subList(0, count);
        }
    }

    private static List<Encoded> writeShard(List<Path> files, String source, float[] latents, ServingModel model,
                                            int side, int window, S3Settings s3, Path work) throws Exception {
        int c = model.config().latentChannels();
        int perImage = c * side * side;
        String key = "latents/model=" + model.version() + "/dt=2026-01-01/part-0-" + window + ".tar";
        Path shard = work.resolve("part-" + window + ".tar");
        List<Encoded> encoded = new ArrayList<>();
        try (ShardWriter writer = new ShardWriter(shard)) {
            for (int i = 0; i < files.size(); i++) {
                String id = files.get(i).getFileName().toString().replaceAll("\\.[^.]*$", "");
                float[] latent = Arrays.copyOfRange(latents, i * perImage, (i + 1) * perImage);
                writer.add(id, Npy.float16(latent, c, side, side), "{}".getBytes(StandardCharsets.UTF_8));
                encoded.add(new Encoded(id, source, latent, s3.uri(key), ShardWriter.latentMember(id)));
            }
            writer.finish();
        }
        s3.newClient().uploadObject(UploadObjectArgs.builder().bucket(s3.bucket()).object(key)
                .filename(shard.toString()).build());
        return encoded;
    }

    int size() {
        return windows.size();
    }

    int channels() {
        return channels;
    }

    int referenceWindows() {
        return referenceWindows;
    }

    /** Window {@code index}, starting {@code index} window lengths after {@code start}. */
    LatentStatsWindow window(int index, Instant start, Duration length) {
        List<Encoded> images = windows.get(index);
        List<ChannelStats> stats = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            stats.add(channelStats(c, values(images, c)));
        }
        Instant windowStart = start.plus(length.multipliedBy(index));
        return LatentStatsWindow.newBuilder()
                .setModelVersion(model)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(length))
                .setImages(images.size())
                .setQuantileRanks(RANKS)
                .setHistogramEdges(edges())
                .setChannels(stats)
                .setWorstImages(worst(images, stats))
                .setDriftScore(driftScore(stats))
                .build();
    }

    /**
     * The largest change of a window's channels against the pooled reference windows: mean shift in reference standard
     * deviations, or |ln variance ratio|.
     */
    double driftScore(int index) {
        List<ChannelStats> stats = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            stats.add(channelStats(c, values(windows.get(index), c)));
        }
        return driftScore(stats);
    }

    /** The alert a monitor raises for window {@code index}: the channels whose mean moved past {@code warning}. */
    DriftAlert alert(int index, Instant start, Duration length, double warning, double critical) {
        LatentStatsWindow window = window(index, start, length);
        double score = window.getDriftScore();
        List<DriftFinding> findings = new ArrayList<>();
        for (ChannelStats channel : window.getChannels()) {
            float[] reference = referenceValues(channel.getChannel());
            double shift = Math.abs(channel.getMean() - mean(reference)) / Math.sqrt(variance(reference));
            if (shift > warning) {
                findings.add(DriftFinding.newBuilder().setChannel(channel.getChannel()).setStatistic("MEAN_SHIFT")
                        .setValue(shift).setThreshold(warning).setReference(mean(reference)).build());
            }
            double ratio = channel.getVariance() / variance(reference);
            if (Math.abs(Math.log(ratio)) > warning) {
                findings.add(DriftFinding.newBuilder().setChannel(channel.getChannel()).setStatistic("VARIANCE_RATIO")
                        .setValue(ratio).setThreshold(Math.exp(ratio < 1 ? -warning : warning))
                        .setReference(variance(reference)).build());
            }
        }
        DriftSeverity severity = score > critical ? DriftSeverity.CRITICAL : DriftSeverity.WARNING;
        return DriftAlert.newBuilder()
                .setModelVersion(model)
                .setWindowStart(window.getWindowStart())
                .setWindowEnd(window.getWindowEnd())
                .setWindowIndex(index)
                .setSeverity(severity)
                .setPreviousSeverity(DriftSeverity.OK)
                .setDriftScore(score)
                .setWarningThreshold(warning)
                .setCriticalThreshold(critical)
                .setFindings(findings)
                .setMessage(String.format("the latents of %s moved: %d channel statistic(s) past the warning threshold",
                        model, findings.size()))
                .build();
    }

    private double driftScore(List<ChannelStats> stats) {
        double score = 0;
        for (ChannelStats channel : stats) {
            float[] reference = referenceValues(channel.getChannel());
            double variance = variance(reference);
            score = Math.max(score, Math.abs(channel.getMean() - mean(reference)) / Math.sqrt(variance));
            score = Math.max(score, Math.abs(Math.log(channel.getVariance() / variance)));
        }
        return score;
    }

    private float[] referenceValues(int channel) {
        return values(windows.subList(0, referenceWindows).stream().flatMap(List::stream).toList(), channel);
    }

    private float[] values(List<Encoded> images, int channel) {
        int plane = height * width;
        float[] values = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).latent(), channel * plane, values, i * plane, plane);
        }
        return values;
    }

    private static ChannelStats channelStats(int channel, float[] values) {
        double mean = mean(values);
        double variance = variance(values);
        double std = Math.sqrt(variance);
        long outside = 0;
        long blackHoles = 0;
        double[] histogram = new double[BINS];
        for (float v : values) {
            outside += Math.abs(v) > 1 ? 1 : 0;
            blackHoles += std > 0 && Math.abs(v - mean) > 6 * std ? 1 : 0;
            int bin = (int) Math.floor((v - HISTOGRAM_LOW) / (HISTOGRAM_HIGH - HISTOGRAM_LOW) * BINS);
            histogram[Math.max(0, Math.min(BINS - 1, bin))] += 1.0 / values.length;
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return ChannelStats.newBuilder()
                .setChannel(channel)
                .setCount(values.length)
                .setMean(mean)
                .setVariance(variance)
                .setMin(sorted[0])
                .setMax(sorted[sorted.length - 1])
                .setFractionOutsideUnit((double) outside / values.length)
                .setBlackHolePositions(blackHoles)
                .setQuantiles(RANKS.stream().map(rank -> sorted[(int) Math.min(sorted.length - 1,
                        Math.floor(rank * sorted.length))]).toList())
                .setHistogram(Arrays.stream(histogram).boxed().toList())
                .setSketch(ByteBuffer.allocate(0))
                .build();
    }

    private List<ImageOutlier> worst(List<Encoded> images, List<ChannelStats> stats) {
        List<ImageOutlier> outliers = new ArrayList<>();
        int plane = height * width;
        for (Encoded image : images) {
            double worstZ = 0;
            int worstChannel = 0;
            float maxAbs = 0;
            for (int c = 0; c < channels; c++) {
                ChannelStats channel = stats.get(c);
                double std = Math.sqrt(channel.getVariance());
                for (int p = 0; p < plane; p++) {
                    float v = image.latent()[c * plane + p];
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                    double z = std > 0 ? Math.abs(v - channel.getMean()) / std : 0;
                    if (z > worstZ) {
                        worstZ = z;
                        worstChannel = c;
                    }
                }
            }
            outliers.add(ImageOutlier.newBuilder().setImageId(image.id()).setSource(image.source())
                    .setShardUri(image.shardUri()).setMember(image.member()).setWorstZ(worstZ)
                    .setChannel(worstChannel).setMaxAbs(maxAbs).build());
        }
        outliers.sort(Comparator.comparingDouble(ImageOutlier::getWorstZ).reversed());
        return outliers.subList(0, Math.min(WORST_PER_WINDOW, outliers.size()));
    }

    private static List<Double> edges() {
        List<Double> edges = new ArrayList<>();
        for (int i = 0; i <= BINS; i++) {
            edges.add(HISTOGRAM_LOW + (HISTOGRAM_HIGH - HISTOGRAM_LOW) * i / BINS);
        }
        return edges;
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double variance(float[] values) {
        double mean = mean(values);
        double m2 = 0;
        for (float v : values) {
            m2 += (v - mean) * (v - mean);
        }
        return m2 / values.length;
    }
}

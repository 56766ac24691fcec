package io.latentflow.e2e;

import io.latentflow.infra.S3Settings;
import io.latentflow.jobs.image.ImageDecoder;
import io.latentflow.jobs.image.ModelInputBatch;
import io.latentflow.jobs.image.ModelInputResizer;
import io.latentflow.jobs.shard.LatentSummaries;
import io.latentflow.jobs.shard.Npy;
import io.latentflow.jobs.shard.ShardWriter;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ChannelDrift;
import io.latentflow.model.drift.ChannelStatistics;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftState;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.LatentOutlier;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import io.latentflow.model.drift.WindowStatistics;
import io.latentflow.model.eval.Moments;
import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.ImageOutlier;
import io.latentflow.schemas.LatentRecord;
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
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What the encode job and the drift monitor write for a stream of real images: sample photos encoded by the serving
 * model, their latents in real shards in S3 with {@link LatentRecord}s naming them, and per window the
 * {@link LatentStatsWindow} and the {@link DriftAlert}s that the monitor's own statistics ({@code model.drift}:
 * window accumulator, drift scorer with its default thresholds, hysteresis state) give against a reference profile of
 * other photos. The last windows come from a broken camera (a sixth of the light: every pixel value divided by 6), so
 * the stream drifts; the untrained stand-in model's latents barely move for milder faults such as overexposure. The Avro mapping mirrors the monitor's operator, which is not on this branch yet.
 */
final class RealLatentWindows {

    private final String model;
    private final List<LatentStatsWindow> windows;
    private final List<DriftAlert> alerts;
    private final List<List<LatentRecord>> latents;
    private final int channels;

    private RealLatentWindows(String model, List<LatentStatsWindow> windows, List<DriftAlert> alerts,
                              List<List<LatentRecord>> latents, int channels) {
        this.model = model;
        this.windows = windows;
        this.alerts = alerts;
        this.latents = latents;
        this.channels = channels;
    }

    /**
     * @param referenceImages photos profiled as the model's reference, none of them in a window
     * @param calmWindows     windows of other photos
     * @param brokenWindows   windows of still other photos through a broken camera
     */
    static RealLatentWindows stream(ServingModel model, Path samples, int size, int referenceImages, int perWindow,
                                    int calmWindows, int brokenWindows, Instant start, Duration windowLength,
                                    S3Settings s3, Path work) throws Exception {
        int f = model.config().downsamplingFactor();
        ModelInputResizer resizer = new ModelInputResizer(size, f);
        ImageDecoder decoder = new ImageDecoder();
        int windowCount = calmWindows + brokenWindows;
        List<Path> photos = shuffledPhotos(samples.resolve("photos"), referenceImages + perWindow * windowCount);
        try (LatentEncoder encoder = model.newEncoder()) {
            List<float[]> referenceLatents = encode(encoder, resizer, decoder, photos.subList(0, referenceImages), false,
                    size);
            ReferenceProfile reference = ReferenceProfile.of(model.version(), model.config(), Optional.empty(), size,
                    referenceLatents, referenceImages + " sample photos");
            DriftThresholds thresholds = DriftThresholds.DEFAULTS;
            DriftScorer scorer = new DriftScorer(reference, thresholds);
            DriftState state = DriftState.INITIAL;
            List<LatentStatsWindow> windows = new ArrayList<>();
            List<DriftAlert> alerts = new ArrayList<>();
            List<List<LatentRecord>> latents = new ArrayList<>();
            for (int w = 0; w < windowCount; w++) {
                boolean broken = w >= calmWindows;
                int from = referenceImages + w * perWindow;
                List<Path> files = photos.subList(from, from + perWindow);
                List<float[]> encoded = encode(encoder, resizer, decoder, files, broken, size);
                Instant windowStart = start.plus(windowLength.multipliedBy(w));
                Duration step = windowLength.dividedBy(perWindow);
                WindowAccumulator accumulator = new WindowAccumulator(reference);
                List<LatentRecord> records = new ArrayList<>();
                String shardKey = "latents/model=" + model.version() + "/dt=2026-01-01/part-0-" + w + ".tar";
                Path shard = work.resolve("part-" + w + ".tar");
                try (ShardWriter writer = new ShardWriter(shard)) {
                    for (int i = 0; i < files.size(); i++) {
                        String id = (broken ? "broken-" : "") + files.get(i).getFileName().toString()
                                .replaceAll("\\.[^.]*$", "");
                        String source = broken ? "camera-2 (broken)" : "camera-2";
                        Instant eventTime = windowStart.plus(step.multipliedBy(i));
                        float[] latent = encoded.get(i);
                        accumulator.add(id, source, eventTime.toEpochMilli(), latent);
                        writer.add(id, Npy.float16(latent, model.config().latentChannels(), size / f, size / f),
                                "{}".getBytes(StandardCharsets.UTF_8));
                        records.add(latentRecord(model, id, source, s3.uri(shardKey), ShardWriter.latentMember(id),
                                latent, size / f, eventTime));
                    }
                    writer.finish();
                }
                s3.newClient().uploadObject(UploadObjectArgs.builder().bucket(s3.bucket()).object(shardKey)
                        .filename(shard.toString()).build());

                WindowStatistics statistics = accumulator.result();
                DriftAssessment assessment = scorer.assess(statistics);
                LatentStatsWindow window = toRecord(model.version(), windowStart, windowStart.plus(windowLength),
                        statistics, reference, assessment, thresholds);
                DriftState.Transition transition = state.next(assessment, thresholds);
                state = transition.state();
                if (transition.changed()) {
                    alerts.add(alert(window, transition, assessment, thresholds));
                }
                windows.add(window);
                latents.add(records);
            }
            return new RealLatentWindows(model.version(), windows, alerts, latents, model.config().latentChannels());
        }
    }

    int size() {
        return windows.size();
    }

    int channels() {
        return channels;
    }

    String model() {
        return model;
    }

    LatentStatsWindow window(int index) {
        return windows.get(index);
    }

    /** The latent records of a window's images, which the encode job writes before the window closes. */
    List<LatentRecord> latents(int index) {
        return latents.get(index);
    }

    /** The alerts the window raised or cleared: none, or one. */
    List<DriftAlert> alertsOf(int index) {
        return alerts.stream().filter(a -> a.getWindowIndex() == index).toList();
    }

    List<DriftAlert> alerts() {
        return alerts;
    }

    /** A seeded shuffle: the samples are tiles of a few pictures, sorted by picture, and a window should mix them. */
    private static List<Path> shuffledPhotos(Path folder, int count) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> shuffled = new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
            if (shuffled.size() < count) {
                throw new IllegalStateException(folder + " has " + shuffled.size() + " images, the test needs " + count);
            }
            Collections.shuffle(shuffled, new Random(20260101));
            return shuffled.subList(0, count);
        }
    }

    private static List<float[]> encode(LatentEncoder encoder, ModelInputResizer resizer, ImageDecoder decoder,
                                        List<Path> files, boolean broken, int size) throws Exception {
        List<byte[]> rgb = new ArrayList<>();
        for (Path file : files) {
            byte[] pixels = resizer.resize(decoder.decode(Files.readAllBytes(file)));
            rgb.add(broken ? underexposed(pixels) : pixels);
        }
        float[] latents = encoder.encode(ModelInputBatch.toNchw(rgb, size), files.size(), size, size);
        int perImage = latents.length / files.size();
        List<float[]> split = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            split.add(Arrays.copyOfRange(latents, i * perImage, (i + 1) * perImage));
        }
        return split;
    }

    private static byte[] underexposed(byte[] rgb) {
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) ((rgb[i] & 0xFF) / 6);
        }
        return out;
    }

    private static LatentRecord latentRecord(ServingModel model, String id, String source, String shardUri,
                                             String member, float[] latent, int side, Instant eventTime) {
        return LatentRecord.newBuilder()
                .setImageId(id)
                .setSource(source)
                .setModelVersion(model.version())
                .setShape(List.of(model.config().latentChannels(), side, side))
                .setShardUri(shardUri)
                .setMember(member)
                .setSummary(LatentSummaries.of(latent))
                .setEventTime(eventTime)
                .setProcessingTime(eventTime)
                .build();
    }

    private static LatentStatsWindow toRecord(String model, Instant start, Instant end, WindowStatistics window,
                                              ReferenceProfile reference, DriftAssessment assessment,
                                              DriftThresholds thresholds) {
        List<ChannelStats> channels = new ArrayList<>();
        for (ChannelStatistics channel : window.channels()) {
            ChannelDrift drift = assessment.channels().get(channel.channel());
            channels.add(ChannelStats.newBuilder()
                    .setChannel(channel.channel())
                    .setCount(channel.count())
                    .setMean(channel.mean())
                    .setVariance(channel.variance())
                    .setMin((float) channel.min())
                    .setMax((float) channel.max())
                    .setFractionOutsideUnit(channel.fractionOutsideUnit())
                    .setBlackHolePositions(channel.blackHoles())
                    .setQuantiles(Arrays.stream(channel.quantiles()).mapToObj(q -> (float) q).toList())
                    .setHistogramEdges(Arrays.stream(channel.binEdges()).boxed().toList())
                    .setHistogram(Arrays.stream(channel.binFractions()).boxed().toList())
                    .setReferenceHistogram(Arrays.stream(reference.channel(channel.channel()).binFractions())
                            .boxed().toList())
                    .setMeanShift(drift.meanShift())
                    .setVarianceRatio(drift.varianceRatio())
                    .setPsi(drift.psi())
                    .setSketch(ByteBuffer.wrap(channel.sketch()))
                    .build());
        }
        List<ImageOutlier> worst = new ArrayList<>();
        for (LatentOutlier outlier : window.outliers()) {
            worst.add(ImageOutlier.newBuilder()
                    .setImageId(outlier.imageId())
                    .setSource(outlier.source())
                    .setEventTime(Instant.ofEpochMilli(outlier.eventTime()))
                    .setWorstZ(outlier.worstZ())
                    .setChannel(outlier.channel())
                    .setMaxAbs((float) outlier.maxAbs())
                    .build());
        }
        Moments overall = window.overall();
        return LatentStatsWindow.newBuilder()
                .setModelVersion(model)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setImages(window.images())
                .setMean(overall.mean())
                .setStd(overall.std())
                .setFractionOutsideUnit(window.fractionOutsideUnit())
                .setBlackHolePositions(window.blackHoles())
                .setQuantileRanks(Arrays.stream(window.quantileRanks()).boxed().toList())
                .setChannels(channels)
                .setWorstImages(worst)
                .setDriftScore(assessment.score())
                .setWarningThreshold(thresholds.warningScore())
                .setCriticalThreshold(thresholds.criticalScore())
                .build();
    }

    private static DriftAlert alert(LatentStatsWindow window, DriftState.Transition transition,
                                    DriftAssessment assessment, DriftThresholds thresholds) {
        List<DriftFinding> findings = assessment.findings().stream()
                .map(f -> DriftFinding.newBuilder()
                        .setChannel(f.channel())
                        .setStatistic(f.statistic().name())
                        .setValue(f.value())
                        .setThreshold(f.threshold())
                        .setObserved(f.observed())
                        .setReference(f.reference())
                        .build())
                .toList();
        return DriftAlert.newBuilder()
                .setModelVersion(window.getModelVersion())
                .setWindowStart(window.getWindowStart())
                .setWindowEnd(window.getWindowEnd())
                .setWindowIndex(transition.windowIndex())
                .setSeverity(DriftSeverity.valueOf(transition.state().severity().name()))
                .setPreviousSeverity(DriftSeverity.valueOf(transition.previous().name()))
                .setDriftScore(assessment.score())
                .setWarningThreshold(thresholds.warningScore())
                .setCriticalThreshold(thresholds.criticalScore())
                .setFindings(findings)
                .setMessage(String.format(java.util.Locale.ROOT, "%s: drift score %.2f at window %d: %s",
                        transition.state().severity(), assessment.score(), transition.windowIndex(),
                        assessment.findings().stream().limit(4).map(io.latentflow.model.drift.DriftFinding::describe)
                                .toList()))
                .build();
    }
}

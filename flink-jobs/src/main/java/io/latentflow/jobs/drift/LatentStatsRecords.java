package io.latentflow.jobs.drift;

import io.latentflow.model.drift.ChannelDrift;
import io.latentflow.model.drift.ChannelStatistics;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.LatentOutlier;
import io.latentflow.model.drift.ReconstructionQuality;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowExposure;
import io.latentflow.model.drift.WindowStatistics;
import io.latentflow.model.eval.Moments;
import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.ImageOutlier;
import io.latentflow.schemas.LatentStatsWindow;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Window statistics as {@link LatentStatsWindow} records on the latent-stats topic, and back. */
public final class LatentStatsRecords {

    private LatentStatsRecords() {
    }

    public static LatentStatsWindow toRecord(String modelVersion, long windowStart, long windowEnd,
                                             WindowStatistics window, ReferenceProfile reference,
                                             DriftAssessment assessment, DriftThresholds thresholds) {
        return toRecord(modelVersion, windowStart, windowEnd, window, reference, assessment, thresholds,
                Optional.empty());
    }

    /** @param quality the version's QUALITY rule, when it has validation PSNRs */
    public static LatentStatsWindow toRecord(String modelVersion, long windowStart, long windowEnd,
                                             WindowStatistics window, ReferenceProfile reference,
                                             DriftAssessment assessment, DriftThresholds thresholds,
                                             Optional<ReconstructionQuality> quality) {
        List<ChannelStats> channels = new ArrayList<>(window.channels().size());
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
                    .setQuantiles(floats(channel.quantiles()))
                    .setHistogramEdges(doubles(channel.binEdges()))
                    .setHistogram(doubles(channel.binFractions()))
                    .setReferenceHistogram(doubles(reference.channel(channel.channel()).binFractions()))
                    .setMeanShift(drift.meanShift())
                    .setVarianceRatio(drift.varianceRatio())
                    .setPsi(drift.psi())
                    .setSketch(ByteBuffer.wrap(channel.sketch()))
                    .build());
        }
        List<ImageOutlier> worst = new ArrayList<>(window.outliers().size());
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
                .setModelVersion(modelVersion)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setImages(window.images())
                .setNovelty(window.novelty())
                .setMean(overall.mean())
                .setStd(overall.std())
                .setFractionOutsideUnit(window.fractionOutsideUnit())
                .setBlackHolePositions(window.blackHoles())
                .setQuantileRanks(doubles(window.quantileRanks()))
                .setChannels(channels)
                .setWorstImages(worst)
                .setDriftScore(assessment.score())
                .setWarningThreshold(thresholds.warningScore())
                .setCriticalThreshold(thresholds.criticalScore())
                .setSampledPsnr(doubles(window.sampledPsnr()))
                .setValidationPsnrMedian(quality.map(q -> q.validation().median()).orElse(null))
                .setQualityWarningPsnr(quality.map(q -> q.psnrAtScore(thresholds.warningScore())).orElse(null))
                .setQualityScore(quality.flatMap(q -> boxed(q.score(window.sampledPsnr()))).orElse(null))
                .setExposureHighlights(Arrays.stream(window.exposure().highlightHistogram()).boxed().toList())
                .setExposureShadows(Arrays.stream(window.exposure().shadowHistogram()).boxed().toList())
                .setRepeatedPixels(Arrays.stream(window.exposure().repeatedPixelsHistogram()).boxed().toList())
                .build();
    }

    /** The statistics a record carries, as the drift scorer takes them. */
    public static WindowStatistics toStatistics(LatentStatsWindow record) {
        List<ChannelStatistics> channels = new ArrayList<>(record.getChannels().size());
        for (ChannelStats channel : record.getChannels()) {
            ByteBuffer sketch = channel.getSketch().duplicate();
            byte[] sketchBytes = new byte[sketch.remaining()];
            sketch.get(sketchBytes);
            channels.add(new ChannelStatistics(channel.getChannel(), channel.getCount(), channel.getMean(),
                    channel.getVariance(), channel.getMin(), channel.getMax(), channel.getFractionOutsideUnit(),
                    channel.getBlackHolePositions(), toArray(channel.getQuantiles().stream().map(Float::doubleValue)
                    .toList()), toArray(channel.getHistogramEdges()), toArray(channel.getHistogram()), sketchBytes));
        }
        List<LatentOutlier> outliers = new ArrayList<>();
        for (ImageOutlier outlier : record.getWorstImages()) {
            outliers.add(new LatentOutlier(outlier.getImageId(), outlier.getSource(),
                    outlier.getEventTime().toEpochMilli(), outlier.getWorstZ(), outlier.getChannel(),
                    outlier.getMaxAbs()));
        }
        return new WindowStatistics(record.getImages(), record.getNovelty() == null ? 1 : record.getNovelty(),
                toArray(record.getQuantileRanks()), channels, outliers, record.getBlackHolePositions(),
                toArray(record.getSampledPsnr()), WindowExposure.of(longs(record.getExposureHighlights()),
                longs(record.getExposureShadows()), longs(record.getRepeatedPixels())));
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static Optional<Double> boxed(OptionalDouble value) {
        return value.isPresent() ? Optional.of(value.getAsDouble()) : Optional.empty();
    }

    private static List<Float> floats(double[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add((float) value);
        }
        return list;
    }

    private static List<Double> doubles(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

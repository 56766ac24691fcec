package io.latentflow.dashboard;

import io.latentflow.model.drift.ReconstructionQuality;
import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.ImageOutlier;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Turns the monitor's Avro records into what the page reads. */
final class StatsViews {

    private StatsViews() {
    }

    static WindowDetail window(LatentStatsWindow window, long seq) {
        List<ChannelStats> channels = window.getChannels();
        WindowSummary summary = new WindowSummary(
                seq,
                window.getModelVersion(),
                window.getWindowStart().toEpochMilli(),
                window.getWindowEnd().toEpochMilli(),
                window.getImages(),
                finite(window.getDriftScore()),
                finite(window.getWarningThreshold()),
                finite(window.getCriticalThreshold()),
                finite(window.getMean()),
                finite(window.getStd()),
                finite(window.getFractionOutsideUnit()),
                window.getBlackHolePositions(),
                map(channels, ChannelStats::getChannel),
                map(channels, c -> finite(c.getMean())),
                map(channels, c -> finite(Math.sqrt(c.getVariance()))),
                map(channels, c -> finite(c.getFractionOutsideUnit())),
                map(channels, c -> finite((double) c.getMin())),
                map(channels, c -> finite((double) c.getMax())),
                map(channels, ChannelStats::getBlackHolePositions),
                map(channels, c -> finite(c.getMeanShift())),
                map(channels, c -> finite(c.getVarianceRatio())),
                map(channels, c -> finite(c.getPsi())),
                window.getSampledPsnr().size(),
                window.getSampledPsnr().isEmpty() ? null : finite(ReconstructionQuality.median(
                        window.getSampledPsnr().stream().mapToDouble(Double::doubleValue).toArray())),
                finite(window.getValidationPsnrMedian()),
                finite(window.getQualityWarningPsnr()),
                finite(window.getQualityScore()));
        List<WindowDetail.ChannelDistribution> distributions = map(channels, c -> new WindowDetail.ChannelDistribution(
                c.getChannel(),
                map(c.getQuantiles(), q -> finite((double) q)),
                map(c.getHistogramEdges(), StatsViews::finite),
                map(c.getHistogram(), StatsViews::finite),
                map(c.getReferenceHistogram(), StatsViews::finite)));
        List<ImageOutlier> worst = window.getWorstImages();
        List<WindowDetail.Outlier> outliers = new ArrayList<>(worst.size());
        for (int i = 0; i < worst.size(); i++) {
            ImageOutlier image = worst.get(i);
            outliers.add(new WindowDetail.Outlier(i, image.getImageId(), image.getSource(),
                    image.getEventTime().toEpochMilli(), finite(image.getWorstZ()), image.getChannel(),
                    finite((double) image.getMaxAbs()), null));
        }
        return new WindowDetail(summary, map(window.getQuantileRanks(), StatsViews::finite), distributions, outliers);
    }

    static AlertView alert(DriftAlert alert, long seq) {
        return new AlertView(
                seq,
                alert.getModelVersion(),
                alert.getWindowStart().toEpochMilli(),
                alert.getWindowEnd().toEpochMilli(),
                alert.getWindowIndex(),
                alert.getSeverity().name(),
                alert.getPreviousSeverity().name(),
                finite(alert.getDriftScore()),
                finite(alert.getWarningThreshold()),
                finite(alert.getCriticalThreshold()),
                map(alert.getFindings(), StatsViews::finding),
                alert.getMessage());
    }

    private static AlertView.Finding finding(DriftFinding finding) {
        return new AlertView.Finding(finding.getChannel(), finding.getStatistic(), finite(finding.getValue()),
                finite(finding.getThreshold()), finite(finding.getObserved()), finite(finding.getReference()));
    }

    /** JSON has no NaN or infinity: such a value becomes null, which the charts draw as a gap. */
    static Double finite(Double value) {
        return value == null || !Double.isFinite(value) ? null : value;
    }

    private static <A, B> List<B> map(List<A> values, Function<A, B> f) {
        List<B> mapped = new ArrayList<>(values.size());
        for (A value : values) {
            mapped.add(f.apply(value));
        }
        return mapped;
    }
}

package io.latentflow.dashboard;

import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.ImageOutlier;
import io.latentflow.schemas.LatentStatsWindow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Monitor records for the dashboard's tests, with their statistics computed from given latent values (the monitor's
 * own code is tested on its side; here only what the dashboard does with its records is).
 */
final class StatsRecords {

    static final List<Double> RANKS = List.of(0.01, 0.5, 0.99);
    /** Stands in for a reference profile's deciles: bins below -0.5, [-0.5, 0), [0, 0.5), from 0.5 up. */
    static final List<Double> EDGES = List.of(-0.5, 0.0, 0.5);

    private StatsRecords() {
    }

    /** A window whose channel c holds {@code values[c]}; thresholds 1 and 2 when it has a drift score. */
    static LatentStatsWindow window(String model, Instant start, long images, Double driftScore, float[]... values) {
        List<ChannelStats> channels = new ArrayList<>();
        float[] all = new float[0];
        for (int c = 0; c < values.length; c++) {
            channels.add(channel(c, values[c]));
            int at = all.length;
            all = Arrays.copyOf(all, at + values[c].length);
            System.arraycopy(values[c], 0, all, at, values[c].length);
        }
        ChannelStats pooled = channel(-1, all);
        return LatentStatsWindow.newBuilder()
                .setModelVersion(model)
                .setWindowStart(start)
                .setWindowEnd(start.plusSeconds(60))
                .setImages(images)
                .setMean(pooled.getMean())
                .setStd(Math.sqrt(pooled.getVariance()))
                .setFractionOutsideUnit(pooled.getFractionOutsideUnit())
                .setBlackHolePositions(0)
                .setQuantileRanks(RANKS)
                .setChannels(channels)
                .setWorstImages(List.of())
                .setDriftScore(driftScore)
                .setWarningThreshold(driftScore == null ? null : 1.0)
                .setCriticalThreshold(driftScore == null ? null : 2.0)
                .build();
    }

    static ChannelStats channel(int channel, float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double m2 = 0;
        long outside = 0;
        for (float v : values) {
            m2 += (v - mean) * (v - mean);
            outside += Math.abs(v) > 1 ? 1 : 0;
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        List<Float> quantiles = RANKS.stream()
                .map(rank -> sorted[(int) Math.min(sorted.length - 1, Math.floor(rank * sorted.length))]).toList();
        double[] bins = new double[EDGES.size() + 1];
        for (float v : values) {
            int bin = 0;
            while (bin < EDGES.size() && v >= EDGES.get(bin)) {
                bin++;
            }
            bins[bin] += 1.0 / values.length;
        }
        return ChannelStats.newBuilder()
                .setChannel(channel)
                .setCount(values.length)
                .setMean(mean)
                .setVariance(m2 / values.length)
                .setMin(sorted[0])
                .setMax(sorted[sorted.length - 1])
                .setFractionOutsideUnit((double) outside / values.length)
                .setBlackHolePositions(0)
                .setQuantiles(quantiles)
                .setHistogramEdges(EDGES)
                .setHistogram(Arrays.stream(bins).boxed().toList())
                .setReferenceHistogram(List.of(0.25, 0.25, 0.25, 0.25))
                .setSketch(ByteBuffer.allocate(0))
                .build();
    }

    static ImageOutlier outlier(String imageId, Instant eventTime, double worstZ) {
        return ImageOutlier.newBuilder()
                .setImageId(imageId)
                .setSource("test")
                .setEventTime(eventTime)
                .setWorstZ(worstZ)
                .setChannel(0)
                .setMaxAbs(0.9f)
                .build();
    }

    static DriftAlert alert(String model, Instant windowStart, long index, DriftSeverity from, DriftSeverity to,
                            double score, DriftFinding... findings) {
        return DriftAlert.newBuilder()
                .setModelVersion(model)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plusSeconds(60))
                .setWindowIndex(index)
                .setSeverity(to)
                .setPreviousSeverity(from)
                .setDriftScore(score)
                .setWarningThreshold(1.0)
                .setCriticalThreshold(2.0)
                .setFindings(List.of(findings))
                .setMessage(model + " drifted to " + to)
                .build();
    }

    static DriftFinding finding(int channel, String statistic, double value, double threshold, double observed,
                                double reference) {
        return DriftFinding.newBuilder().setChannel(channel).setStatistic(statistic).setValue(value)
                .setThreshold(threshold).setObserved(observed).setReference(reference).build();
    }
}

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
    static final List<Double> EDGES = List.of(-1.0, -0.5, 0.0, 0.5, 1.0);

    private StatsRecords() {
    }

    /** A window whose channel c holds {@code values[c]}. */
    static LatentStatsWindow window(String model, Instant start, long images, Double driftScore, float[]... values) {
        List<ChannelStats> channels = new ArrayList<>();
        for (int c = 0; c < values.length; c++) {
            channels.add(channel(c, values[c]));
        }
        return LatentStatsWindow.newBuilder()
                .setModelVersion(model)
                .setWindowStart(start)
                .setWindowEnd(start.plusSeconds(60))
                .setImages(images)
                .setQuantileRanks(RANKS)
                .setHistogramEdges(EDGES)
                .setChannels(channels)
                .setWorstImages(List.of())
                .setDriftScore(driftScore)
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
        double[] bins = new double[EDGES.size() - 1];
        for (float v : values) {
            for (int b = 0; b < bins.length; b++) {
                if (v >= EDGES.get(b) && (v < EDGES.get(b + 1) || b == bins.length - 1 && v <= EDGES.get(b + 1))) {
                    bins[b] += 1.0 / values.length;
                }
            }
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
                .setHistogram(Arrays.stream(bins).boxed().toList())
                .setSketch(ByteBuffer.allocate(0))
                .build();
    }

    static ImageOutlier outlier(String imageId, String shardUri, String member, double worstZ) {
        return ImageOutlier.newBuilder()
                .setImageId(imageId)
                .setSource("test")
                .setShardUri(shardUri)
                .setMember(member)
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

    static DriftFinding finding(int channel, String statistic, double value, double threshold, double reference) {
        return DriftFinding.newBuilder().setChannel(channel).setStatistic(statistic).setValue(value)
                .setThreshold(threshold).setReference(reference).build();
    }
}

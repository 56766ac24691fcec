package io.latentflow.jobs.drift;

import io.latentflow.schemas.ChannelStats;
import io.latentflow.schemas.LatentStatsWindow;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;

/**
 * Gauges of the latest closed window of each model version, under
 * {@code <operator>.latentDrift.model.<version>[.channel.<c>]}: per channel {@code mean}, {@code std} and
 * {@code fractionOutsideUnit}; per model version {@code std}, {@code fractionOutsideUnit}, {@code images},
 * {@code blackHolePositions}, {@code novelty} and {@code driftScore}. "model" and "channel" are key-value groups, so Flink's
 * Prometheus reporter turns them into labels.
 */
final class DriftMetrics {

    static final String GROUP = "latentDrift";

    private final MetricGroup root;
    private final Map<String, ModelGauges> models = new HashMap<>();

    DriftMetrics(MetricGroup operatorGroup) {
        this.root = operatorGroup.addGroup(GROUP);
    }

    void update(LatentStatsWindow window) {
        models.computeIfAbsent(window.getModelVersion(), version -> new ModelGauges(root.addGroup("model", version)))
                .update(window);
    }

    /** Registered once per model version; channel gauges once per channel. */
    private static final class ModelGauges {
        private final MetricGroup group;
        private final Map<Integer, double[]> channels = new HashMap<>();
        private volatile double std = Double.NaN;
        private volatile double fractionOutsideUnit = Double.NaN;
        private volatile long images;
        private volatile long blackHolePositions;
        private volatile double driftScore = Double.NaN;
        private volatile double novelty = Double.NaN;

        ModelGauges(MetricGroup group) {
            this.group = group;
            group.gauge("std", (Gauge<Double>) () -> std);
            group.gauge("fractionOutsideUnit", (Gauge<Double>) () -> fractionOutsideUnit);
            group.gauge("images", (Gauge<Long>) () -> images);
            group.gauge("blackHolePositions", (Gauge<Long>) () -> blackHolePositions);
            group.gauge("driftScore", (Gauge<Double>) () -> driftScore);
            group.gauge("novelty", (Gauge<Double>) () -> novelty);
        }

        void update(LatentStatsWindow window) {
            std = window.getStd();
            fractionOutsideUnit = window.getFractionOutsideUnit();
            images = window.getImages();
            blackHolePositions = window.getBlackHolePositions();
            driftScore = window.getDriftScore() == null ? Double.NaN : window.getDriftScore();
            novelty = window.getNovelty() == null ? Double.NaN : window.getNovelty();
            for (ChannelStats channel : window.getChannels()) {
                double[] values = channels.computeIfAbsent(channel.getChannel(), this::register);
                values[0] = channel.getMean();
                values[1] = Math.sqrt(channel.getVariance());
                values[2] = channel.getFractionOutsideUnit();
            }
        }

        private double[] register(int channel) {
            double[] values = {Double.NaN, Double.NaN, Double.NaN};
            MetricGroup channelGroup = group.addGroup("channel", String.valueOf(channel));
            channelGroup.gauge("mean", (Gauge<Double>) () -> values[0]);
            channelGroup.gauge("std", (Gauge<Double>) () -> values[1]);
            channelGroup.gauge("fractionOutsideUnit", (Gauge<Double>) () -> values[2]);
            return values;
        }
    }
}

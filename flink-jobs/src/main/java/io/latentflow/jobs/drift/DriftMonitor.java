package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The latent-drift monitor, downstream of the encoder:
 *
 * <pre>
 *   latents -> EventTimeOfLatent -> HasReferenceProfile -> keyBy(model version) -> event-time tumbling window
 *           -> LatentStatistics (incremental, mergeable) -> latent-stats
 *                                                       -> keyBy(model version) -> DriftDetector -> drift-alerts
 * </pre>
 *
 * Latents later than the allowed lateness are dropped and counted by Flink's window operator
 * ({@code numLateRecordsDropped}).
 */
public final class DriftMonitor {

    private final DriftMonitorSettings settings;
    private final ReferenceProfileLookup references;

    /** A monitor of a job that serves its own model only. */
    public DriftMonitor(DriftMonitorSettings settings) {
        this(settings, null);
    }

    /**
     * @param registry where the profiles of versions the registry promotes are (a job that swaps models), or null
     *                 when the job serves its own model only
     */
    public DriftMonitor(DriftMonitorSettings settings, S3Settings registry) {
        this.settings = settings;
        this.references = new ReferenceProfileLookup(settings.reference(), settings.validation(), registry);
    }

    public void attach(DataStream<EncodedLatent> encoded, Sink<LatentStatsWindow> latentStats,
                       Sink<DriftAlert> driftAlerts) {
        DriftScorers scorers = new DriftScorers(references, settings.thresholds());
        SingleOutputStreamOperator<LatentStatsWindow> statistics = encoded
                .transform("EventTimeOfLatent", encoded.getType(), new EventTimeOfLatent())
                .uid("event-time-of-latent")
                .filter(new HasReferenceProfile(references)).name("HasReferenceProfile").uid("has-reference-profile")
                .keyBy(latent -> latent.modelVersion, Types.STRING)
                .window(TumblingEventTimeWindows.of(settings.windowSize()))
                .allowedLateness(settings.allowedLateness())
                .aggregate(new LatentStatisticsAggregate(references), new LatentStatsWindowFunction(scorers),
                        WindowAccumulatorTypeInfo.INSTANCE, WindowAccumulatorTypeInfo.INSTANCE,
                        new AvroTypeInfo<>(LatentStatsWindow.class))
                .name("LatentStatistics").uid("latent-statistics");

        statistics.sinkTo(latentStats).name("latent-stats").uid("latent-stats-sink");

        statistics
                .keyBy(LatentStatsWindow::getModelVersion, Types.STRING)
                .process(new DriftDetector(scorers), new AvroTypeInfo<>(DriftAlert.class))
                .name("DriftDetector").uid("drift-detector")
                .sinkTo(driftAlerts).name("drift-alerts").uid("drift-alerts-sink");
    }
}

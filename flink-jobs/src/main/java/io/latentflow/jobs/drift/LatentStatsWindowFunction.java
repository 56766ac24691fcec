package io.latentflow.jobs.drift;

import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.WindowAccumulator;
import io.latentflow.model.drift.WindowStatistics;
import io.latentflow.schemas.LatentStatsWindow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a closed window's statistics into a {@link LatentStatsWindow}, scored against the reference profile, and
 * updates the per-channel gauges.
 */
public final class LatentStatsWindowFunction
        extends ProcessWindowFunction<WindowAccumulator, LatentStatsWindow, String, TimeWindow> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LatentStatsWindowFunction.class);

    private final DriftScorers scorers;
    private transient DriftMetrics metrics;

    public LatentStatsWindowFunction(DriftScorers scorers) {
        this.scorers = scorers;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new DriftMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void process(String modelVersion, Context context, Iterable<WindowAccumulator> accumulators,
                        Collector<LatentStatsWindow> out) {
        DriftScorer scorer = scorers.forVersion(modelVersion);
        for (WindowAccumulator accumulator : accumulators) {
            WindowStatistics statistics = accumulator.result();
            DriftAssessment assessment = scorer.assess(statistics);
            TimeWindow window = context.window();
            LatentStatsWindow record = LatentStatsRecords.toRecord(modelVersion, window.getStart(), window.getEnd(),
                    statistics, scorer.reference(), assessment, scorer.thresholds(), scorer.quality());
            metrics.update(record);
            LOG.debug("Window {} of {}: {} images, std {}, drift score {}", window, modelVersion, statistics.images(),
                    record.getStd(), assessment.score());
            out.collect(record);
        }
    }
}

package io.latentflow.jobs.drift;

import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftState;
import io.latentflow.model.drift.Severity;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Keyed by model version: scores each closed window against that version's reference profile and moves the model version's
 * drift state with hysteresis ({@link DriftState}); emits a {@link DriftAlert} whenever the severity changes. The
 * state (windows seen, severity, calm windows, last window) is checkpointed keyed state, so a restart neither loses
 * nor repeats an alert.
 *
 * <p>A window emitted again because a late latent updated it (allowed lateness) does not move the state: the windows
 * of a model version advance the state once each, in event-time order.
 *
 * <p>Metrics under {@code latentDrift.model.<version>}: {@code severity} (0 OK, 1 WARNING, 2 CRITICAL),
 * {@code alerts} (counter).
 */
public final class DriftDetector extends KeyedProcessFunction<String, LatentStatsWindow, DriftAlert> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DriftDetector.class);

    private final DriftScorers scorers;

    private transient ValueState<DriftState> state;
    private transient ValueState<Long> lastWindowStart;
    private transient Map<String, Severity> severities;
    private transient Map<String, Counter> alertCounters;

    public DriftDetector(DriftScorers scorers) {
        this.scorers = scorers;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("drift-state",
                TypeInformation.of(DriftState.class)));
        lastWindowStart = getRuntimeContext().getState(new ValueStateDescriptor<>("last-window-start", Types.LONG));
        severities = new HashMap<>();
        alertCounters = new HashMap<>();
    }

    @Override
    public void processElement(LatentStatsWindow window, Context context, Collector<DriftAlert> out)
            throws Exception {
        String modelVersion = window.getModelVersion();
        long start = window.getWindowStart().toEpochMilli();
        Long last = lastWindowStart.value();
        if (last != null && start <= last) {
            LOG.info("Window [{}, {}) of model {} was updated by late latents after it closed; the drift state moves"
                    + " once per window, so it stays as it is", window.getWindowStart(), window.getWindowEnd(),
                    modelVersion);
            return;
        }
        lastWindowStart.update(start);
        DriftState current = state.value() == null ? DriftState.INITIAL : state.value();
        DriftScorer scorer = scorers.forVersion(modelVersion);
        DriftAssessment assessment = scorer.assess(LatentStatsRecords.toStatistics(window));
        DriftState.Transition transition = current.next(assessment, scorer.thresholds());
        state.update(transition.state());
        registerGauges(modelVersion);
        severities.put(modelVersion, transition.state().severity());
        if (transition.changed()) {
            DriftAlert alert = DriftAlerts.of(window, transition, assessment, scorer.thresholds());
            if (transition.state().severity().isWorseThan(transition.previous())) {
                LOG.warn("Latent drift {}", alert.getMessage());
            } else {
                LOG.info("Latent drift {}", alert.getMessage());
            }
            alertCounters.get(modelVersion).inc();
            out.collect(alert);
        }
    }

    private void registerGauges(String modelVersion) {
        if (alertCounters.containsKey(modelVersion)) {
            return;
        }
        var group = getRuntimeContext().getMetricGroup().addGroup(DriftMetrics.GROUP).addGroup("model", modelVersion);
        group.gauge("severity", (Gauge<Integer>) () -> severities.getOrDefault(modelVersion, Severity.OK).ordinal());
        alertCounters.put(modelVersion, group.counter("alerts"));
    }
}

package io.latentflow.jobs.training;

import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingTrigger;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code --auto-finetune}: keyed by model version, turns a drift alert that its {@link FineTuneTrigger} takes
 * (QUALITY or CRITICAL by default) into a training request, at most one per alert episode (an episode ends when the version's drift is back
 * to OK) and none within {@code cooldown} of the last one, in the alerts' event time. The request fine-tunes on the
 * samples from the alert's window on: the images that drifted. The request id is made of the version and the alert's window, so a replay
 * of the alerts after a restart asks for the same request, which the training job does once.
 */
final class DriftTriggeredRequests extends KeyedProcessFunction<String, DriftAlert, TrainingRequest> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DriftTriggeredRequests.class);

    private final FineTuneTrigger trigger;
    private final Duration cooldown;
    private final Long steps;

    private transient ValueState<Boolean> inEpisode;
    private transient ValueState<Long> lastRequestAt;

    /** @param steps the step budget of the requests, or null for the training job's default */
    DriftTriggeredRequests(FineTuneTrigger trigger, Duration cooldown, Long steps) {
        this.trigger = trigger;
        this.cooldown = cooldown;
        this.steps = steps;
    }

    @Override
    public void open(OpenContext openContext) {
        inEpisode = getRuntimeContext().getState(new ValueStateDescriptor<>("in-critical-episode", Types.BOOLEAN));
        lastRequestAt = getRuntimeContext().getState(new ValueStateDescriptor<>("last-request-at", Types.LONG));
    }

    @Override
    public void processElement(DriftAlert alert, Context context, Collector<TrainingRequest> out) throws Exception {
        if (alert.getSeverity() == DriftSeverity.OK) {
            inEpisode.clear();
            return;
        }
        if (!trigger.asksForFineTune(alert) || Boolean.TRUE.equals(inEpisode.value())) {
            return;
        }
        inEpisode.update(true);
        long at = alert.getWindowEnd().toEpochMilli();
        Long last = lastRequestAt.value();
        if (last != null && at - last < cooldown.toMillis()) {
            LOG.info("Drift of model {} is {} again, {} s after the last fine-tune request: within the {} s"
                    + " cooldown, no new request", alert.getModelVersion(), alert.getSeverity(), (at - last) / 1000,
                    cooldown.toSeconds());
            return;
        }
        lastRequestAt.update(at);
        TrainingRequest request = TrainingRequest.newBuilder()
                .setRequestId("drift-" + alert.getModelVersion() + "-" + alert.getWindowStart().toEpochMilli())
                .setRequestedAt(alert.getWindowEnd())
                .setTrigger(TrainingTrigger.DRIFT_ALERT)
                .setReason(alert.getMessage())
                .setSteps(steps)
                .setAttributes(Map.of("modelVersion", alert.getModelVersion(),
                        FineTuneRun.SAMPLES_SINCE, alert.getWindowStart().toString(),
                        "driftScore", Double.toString(alert.getDriftScore())))
                .build();
        LOG.warn("Drift of model {} is {}: asking for a fine-tune ({})", alert.getModelVersion(), alert.getSeverity(),
                request.getRequestId());
        out.collect(request);
    }
}

package io.latentflow.jobs.training;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.samples.SamplesSincePromotion;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingTrigger;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code --auto-finetune}: asks for a fine-tune once enough training samples have been taken since the serving
 * version was promoted and since the last request of any kind ({@link NewSamplesPolicy}). The encode job's closed
 * windows ({@code latent-stats}) are the clock: after each, the samples are counted from the shard names every
 * {@code checkEvery} for {@code checkFor} (a window's sample shard may be written after its statistics), so an idle
 * job lists nothing. The job's other requests come in too, so a drift or manual request resets the count and the two
 * rules do not ask twice for the same images. One key for the whole job (parallelism 1).
 *
 * <p>The request takes what {@code finetune} by hand takes: the samples since the serving version was promoted (no
 * {@value FineTuneRun#SAMPLES_SINCE}). Its id is the serving version and the instant the count started from, so a
 * timer that fires again after a restore asks for the same request, which the training job does once.
 */
final class NewSampleRequests extends KeyedCoProcessFunction<String, LatentStatsWindow, TrainingRequest,
        TrainingRequest> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NewSampleRequests.class);
    /** The one key: every window and request of the job. */
    static final String KEY = "samples";

    private final KafkaSettings kafka;
    private final S3Settings s3;
    private final NewSamplesPolicy policy;

    private transient ValueState<Long> lastRequestAt;
    private transient ValueState<Long> lastOwnRequestAt;
    private transient ValueState<Long> checkUntil;
    private transient TrainingSampleStore samples;

    NewSampleRequests(KafkaSettings kafka, S3Settings s3, NewSamplesPolicy policy) {
        this.kafka = kafka;
        this.s3 = s3;
        this.policy = policy;
    }

    @Override
    public void open(OpenContext openContext) {
        lastRequestAt = getRuntimeContext().getState(new ValueStateDescriptor<>("last-request-at", Types.LONG));
        lastOwnRequestAt = getRuntimeContext().getState(new ValueStateDescriptor<>("last-own-request-at",
                Types.LONG));
        checkUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("check-until", Types.LONG));
        samples = new TrainingSampleStore(s3);
    }

    /** A window closed: its samples may follow; count them for a while. */
    @Override
    public void processElement1(LatentStatsWindow window, Context context, Collector<TrainingRequest> out)
            throws Exception {
        long now = context.timerService().currentProcessingTime();
        checkUntil.update(now + policy.checkFor().toMillis());
        context.timerService().registerProcessingTimeTimer(now + policy.checkEvery().toMillis());
    }

    /** A request of any kind: the samples it takes are not new any more. */
    @Override
    public void processElement2(TrainingRequest request, Context context, Collector<TrainingRequest> out)
            throws Exception {
        lastRequestAt.update(context.timerService().currentProcessingTime());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<TrainingRequest> out) throws Exception {
        Long until = checkUntil.value();
        if (until == null || timestamp > until) {
            return; // a later window's timer, or counting is over
        }
        ModelHistory history;
        Instant from;
        int counted;
        try {
            history = ModelRegistry.readHistory(kafka);
            from = NewSamplesPolicy.countFrom(
                    SamplesSincePromotion.since(history, history.serving().orElse(null)), lastRequestAt.value());
            counted = samples.availableSince(from).values().stream().mapToInt(Integer::intValue).sum();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not count the training samples, tries again in {} s: {}", policy.checkEvery().toSeconds(),
                    e.toString());
            context.timerService().registerProcessingTimeTimer(timestamp + policy.checkEvery().toMillis());
            return;
        }
        if (policy.asks(counted, lastOwnRequestAt.value(), timestamp)) {
            TrainingRequest request = request(history.serving().orElse("default"), from, counted, timestamp);
            LOG.warn("{}: asking for a fine-tune ({})", request.getReason(), request.getRequestId());
            lastRequestAt.update(timestamp);
            lastOwnRequestAt.update(timestamp);
            checkUntil.clear();
            out.collect(request);
        } else if (timestamp + policy.checkEvery().toMillis() <= until) {
            context.timerService().registerProcessingTimeTimer(timestamp + policy.checkEvery().toMillis());
        }
    }

    private TrainingRequest request(String serving, Instant from, int counted, long now) {
        return TrainingRequest.newBuilder()
                .setRequestId("samples-" + serving + "-" + from.toEpochMilli())
                .setRequestedAt(Instant.ofEpochMilli(now))
                .setTrigger(TrainingTrigger.NEW_SAMPLES)
                .setReason(counted + " new training samples since " + from + " (" + policy.minSamples()
                        + " ask for a fine-tune)")
                .setAttributes(Map.of("modelVersion", serving, "newSamplesSince", from.toString(),
                        "newSamples", Integer.toString(counted)))
                .build();
    }
}

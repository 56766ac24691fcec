package io.latentflow.jobs.encode;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keeps the first image of each image id and drops the others that arrive within {@code horizon} of it, so one image
 * sent twice (an ingest restarted, a producer retrying past its idempotence, the same folder sent again) becomes one
 * latent, one training sample candidate and one count in the drift statistics. Keyed by image id; the ids seen live
 * in keyed state with a time-to-live of {@code horizon} (processing time, as Flink's state TTL is), so the state is
 * bounded by the ids of one horizon and comes back from a checkpoint after a failover.
 *
 * <p>A null horizon lets every image through (duplicates allowed); the operator stays in the graph either way, so a
 * savepoint taken with one setting restores with the other.
 *
 * <p>The {@value #DUPLICATES_DROPPED} counter survives restores: each subtask checkpoints its count, and a restored
 * subtask starts from the counts it was given.
 */
public final class DropDuplicateImages extends KeyedProcessFunction<String, PreparedImage, PreparedImage>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** Flink metric (and job accumulator) of the duplicates dropped. */
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";

    private final Duration horizon;

    private transient ValueState<Boolean> seen;
    private transient ListState<Long> droppedState;
    private transient long dropped;
    private transient Counter droppedMetric;
    private transient LongCounter droppedAccumulator;

    /** @param horizon how long an id is remembered; null to let duplicates through */
    public DropDuplicateImages(Duration horizon) {
        if (horizon != null && (horizon.isNegative() || horizon.toMillis() < 1)) {
            throw new IllegalArgumentException("the dedup horizon is " + horizon
                    + ": give a positive duration (7 days by default), or allow duplicates");
        }
        this.horizon = horizon;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        droppedState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("duplicates-dropped", Types.LONG));
        dropped = 0;
        for (Long count : droppedState.get()) {
            dropped += count;
        }
    }

    @Override
    public void open(OpenContext openContext) {
        if (horizon != null) {
            ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("image-id-seen", Types.BOOLEAN);
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(horizon)
                    // the horizon runs from the first sighting: a duplicate does not prolong it
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
            seen = getRuntimeContext().getState(descriptor);
        }
        droppedMetric = getRuntimeContext().getMetricGroup().counter(DUPLICATES_DROPPED);
        droppedMetric.inc(dropped);
        droppedAccumulator = getRuntimeContext().getLongCounter(EncodeSummary.DUPLICATES_DROPPED);
    }

    @Override
    public void processElement(PreparedImage image, Context context, Collector<PreparedImage> out) throws Exception {
        if (seen == null) {
            out.collect(image);
            return;
        }
        if (seen.value() != null) {
            dropped++;
            droppedMetric.inc();
            droppedAccumulator.add(1);
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(image);
    }

    /** Dropped by this subtask since the job first started (restored counts included). */
    long duplicatesDropped() {
        return dropped;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        droppedState.update(java.util.List.of(dropped));
    }
}

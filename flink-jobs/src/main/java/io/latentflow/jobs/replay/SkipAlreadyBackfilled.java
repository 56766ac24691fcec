package io.latentflow.jobs.replay;

import io.latentflow.jobs.encode.EncodedLatent;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by image id: lets a latent through to the backfill's shards only if that image has no latent of this version
 * yet, neither from before the run ({@code alreadyPresent}, read from the committed latents topic) nor earlier in the
 * run (keyed state, checkpointed with the shards it guards). That is what makes a second backfill of the same range
 * add nothing, and an image replayed twice in one range land once.
 */
final class SkipAlreadyBackfilled extends KeyedProcessFunction<String, EncodedLatent, EncodedLatent> {

    private static final long serialVersionUID = 1L;

    private final Set<String> alreadyPresent;
    private transient ValueState<Boolean> written;
    private transient Counter skipped;

    SkipAlreadyBackfilled(Set<String> alreadyPresent) {
        this.alreadyPresent = alreadyPresent;
    }

    @Override
    public void open(OpenContext openContext) {
        written = getRuntimeContext().getState(new ValueStateDescriptor<>("backfilled", Types.BOOLEAN));
        skipped = getRuntimeContext().getMetricGroup().counter("backfillSkipped");
    }

    @Override
    public void processElement(EncodedLatent latent, Context context, Collector<EncodedLatent> out) throws Exception {
        if (alreadyPresent.contains(latent.image.imageId) || written.value() != null) {
            skipped.inc();
            return;
        }
        written.update(true);
        out.collect(latent);
    }
}

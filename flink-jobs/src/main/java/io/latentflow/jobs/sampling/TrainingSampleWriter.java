package io.latentflow.jobs.sampling;

import io.latentflow.connections.S3Settings;
import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.registry.samples.TrainingSampleLayout;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.shards.SampleKeys;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a source's window: leaves out the images sampled in earlier windows (their content hashes are remembered per
 * source), keeps the ones of lowest priority up to the window's share of the budget (at most {@code perSource}, and
 * what the source's event-time hour has left of {@code perSourcePerHour}), and writes them as one
 * {@link TrainingSampleShard}; then deletes the oldest shards while the samples exceed the storage cap. Emits how many
 * it wrote.
 *
 * <p>Exactly once without staging: the window's draw is a function of its images and of the hashes remembered before
 * it (checkpointed keyed state), so a window that fires again after a restore writes the same bytes to the same key.
 * An object that appears before the checkpoint that covers it completes is the one the restored job writes again.
 */
final class TrainingSampleWriter extends ProcessWindowFunction<List<SampledImage>, Integer, String, TimeWindow> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainingSampleWriter.class);
    private static final long HOUR_MILLIS = 3_600_000L;

    private final SamplingSettings settings;
    private final S3Settings s3;

    private transient MinioClient storage;
    private transient MapStateDescriptor<String, Long> sampledDescriptor;
    private transient MapStateDescriptor<Long, Integer> perHourDescriptor;
    private transient TrainingSampleStore store;
    private transient Counter samplesWritten;

    TrainingSampleWriter(SamplingSettings settings, S3Settings s3) {
        this.settings = settings;
        this.s3 = s3;
    }

    @Override
    public void open(OpenContext openContext) {
        storage = s3.newClient();
        sampledDescriptor = new MapStateDescriptor<>("sampled-content-hashes", Types.STRING, Types.LONG);
        sampledDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(settings.rememberFor()).build());
        perHourDescriptor = new MapStateDescriptor<>("sampled-per-hour", Types.LONG, Types.INT);
        store = new TrainingSampleStore(s3);
        samplesWritten = getRuntimeContext().getMetricGroup().counter("trainingSamplesWritten");
    }

    @Override
    public void process(String source, Context context, Iterable<List<SampledImage>> reservoirs,
                        Collector<Integer> out) throws Exception {
        MapState<String, Long> sampledBefore = context.globalState().getMapState(sampledDescriptor);
        MapState<Long, Integer> perHour = context.globalState().getMapState(perHourDescriptor);
        long hour = Math.floorDiv(context.window().getStart(), HOUR_MILLIS);
        Integer usedThisHour = perHour.get(hour);
        int allowance = Math.min(settings.perSource(),
                settings.perSourcePerHour() - (usedThisHour == null ? 0 : usedThisHour));
        List<SampledImage> kept = new ArrayList<>();
        for (List<SampledImage> reservoir : reservoirs) {
            for (SampledImage candidate : reservoir) { // lowest priority first
                if (kept.size() < allowance && !sampledBefore.contains(candidate.contentHash)) {
                    kept.add(candidate);
                }
            }
        }
        if (kept.isEmpty()) {
            return;
        }
        String key = TrainingSampleLayout.key(context.window().getStart(), sourceKey(source), kept.size());
        byte[] shard = TrainingSampleShard.tar(kept);
        storage.putObject(PutObjectArgs.builder().bucket(s3.bucket()).object(key)
                .stream(new ByteArrayInputStream(shard), shard.length, -1).contentType("application/x-tar").build());
        for (SampledImage sample : kept) {
            sampledBefore.put(sample.contentHash, context.window().getEnd());
        }
        List<Long> earlierHours = new ArrayList<>();
        for (Long counted : perHour.keys()) {
            if (counted < hour) {
                earlierHours.add(counted);
            }
        }
        for (Long earlier : earlierHours) {
            perHour.remove(earlier);
        }
        perHour.put(hour, (usedThisHour == null ? 0 : usedThisHour) + kept.size());
        store.pruneTo(settings.maxStoredBytes(), key);
        samplesWritten.inc(kept.size());
        LOG.info("Sampled {} images of source {} in window [{}, {}) for fine-tuning: {}", kept.size(), source,
                context.window().getStart(), context.window().getEnd(), s3.uri(key));
        out.collect(kept.size());
    }

    private static String sourceKey(String source) {
        try {
            return SampleKeys.of(source);
        } catch (ImageRejectedException e) {
            throw new IllegalArgumentException("source " + source + " cannot name a shard: " + e.getMessage(), e);
        }
    }
}

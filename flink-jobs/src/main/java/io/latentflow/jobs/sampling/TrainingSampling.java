package io.latentflow.jobs.sampling;

import io.latentflow.connections.S3Settings;
import io.latentflow.jobs.encode.PreparedImage;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

import java.util.List;

/**
 * Samples the encode job's prepared images for fine-tuning, beside the encoder:
 *
 * <pre>
 *   prepared images -> keyBy(source) -> event-time tumbling window -> LowestPriorities (bottom-k by content hash)
 *                   -> TrainingSampleWriter (hourly budget per source, storage cap)
 *                   -> training-samples/dt=.../part-<window>-<source>-n<count>.tar
 * </pre>
 */
public final class TrainingSampling {

    /** A source-less image is sampled under this source. */
    public static final String NO_SOURCE = "unknown";

    private final SamplingSettings settings;
    private final S3Settings s3;

    public TrainingSampling(SamplingSettings settings, S3Settings s3) {
        this.settings = settings;
        this.s3 = s3;
    }

    /** @param written receives, per written shard, how many images it holds (a discarding sink is fine) */
    public void attach(DataStream<PreparedImage> prepared, Sink<Integer> written) {
        TypeInformation<List<SampledImage>> reservoir = Types.LIST(Types.POJO(SampledImage.class));
        prepared
                .keyBy(image -> image.source == null || image.source.isBlank() ? NO_SOURCE : image.source, Types.STRING)
                .window(TumblingEventTimeWindows.of(settings.window()))
                // more than the keep: room for leaving out what earlier windows sampled
                .aggregate(new LowestPriorities(settings.reservoirCapacity()), new TrainingSampleWriter(settings, s3),
                        reservoir, reservoir, Types.INT)
                .name("TrainingSampler").uid("training-sampler")
                .sinkTo(written).name("training-samples").uid("training-samples-sink");
    }
}

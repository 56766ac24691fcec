package io.latentflow.jobs.training;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.jobs.encode.AvroSerialization;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The continuous-training job, beside the encode job:
 *
 * <pre>
 *   training-requests ----------------------------------------+
 *   drift-alerts -> keyBy(model version) -> DriftTriggeredRequests (with --auto-finetune)
 *                                              |              +-> FineTuneFunction (async, one at a time)
 *                                              v              |      -> training-progress (outcomes)
 *   training-progress -> keyBy(episode) -> RefusedDriftRequests --+ (asked again) and -> training-progress (waiting)
 *   latent-stats + all requests above -> NewSampleRequests ---------+ (enough new samples since the last request)
 * </pre>
 *
 * Requests are taken one at a time, in order; each fine-tunes the serving version ({@link FineTuneRun}) and ends with a
 * PROMOTED or REJECTED version in the registry, which the encode job swaps to (or not) without a restart.
 */
public final class ContinuousTrainingJob {

    public static final String JOB_NAME = "latentflow-continuous-training";
    public static final String CONSUMER_GROUP = "latentflow-training";
    /** A fine-tune that runs longer than this is given up (FAILED). */
    static final Duration RUN_LIMIT = Duration.ofHours(6);

    private final KafkaSettings kafka;
    private final S3Settings s3;
    private final FineTuneSettings settings;
    private final AutoFinetune auto;

    /**
     * When the job asks for fine-tunes by itself: from drift alerts {@code trigger} takes, at most once per episode and
     * {@code cooldown}; a request refused for too few samples is asked again as {@code retry} allows; and, unless
     * {@code newSamples} is null, when enough new training samples have been taken.
     */
    public record AutoFinetune(FineTuneTrigger trigger, Duration cooldown, DriftRetryPolicy retry,
                               NewSamplesPolicy newSamples) implements java.io.Serializable {

        /** Drift alerts only. */
        public AutoFinetune(FineTuneTrigger trigger, Duration cooldown) {
            this(trigger, cooldown, DriftRetryPolicy.DEFAULT);
        }

        /** Drift alerts only. */
        public AutoFinetune(FineTuneTrigger trigger, Duration cooldown, DriftRetryPolicy retry) {
            this(trigger, cooldown, retry, null);
        }
    }

    /** @param auto null: only explicit requests; else drift alerts ask too */
    public ContinuousTrainingJob(KafkaSettings kafka, S3Settings s3, FineTuneSettings settings, AutoFinetune auto) {
        this.kafka = kafka;
        this.s3 = s3;
        this.settings = settings;
        this.auto = auto;
    }

    public JobClient start(StreamExecutionEnvironment environment) throws Exception {
        build(environment);
        return environment.executeAsync(JOB_NAME);
    }

    public void build(StreamExecutionEnvironment environment) {
        environment.setParallelism(1);
        environment.enableCheckpointing(Duration.ofSeconds(10).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        DataStream<TrainingRequest> requests = environment.fromSource(source(Topics.TRAINING_REQUESTS,
                        TrainingRequest.class), WatermarkStrategy.noWatermarks(), "training-requests")
                .uid("training-requests-source");
        DataStream<TrainingProgress> waiting = null;
        if (auto != null) {
            DataStream<TrainingRequest> drift = environment.fromSource(source(Topics.DRIFT_ALERTS, DriftAlert.class),
                            WatermarkStrategy.noWatermarks(), "drift-alerts").uid("drift-alerts-source")
                    .keyBy(alert -> alert.getModelVersion(), Types.STRING)
                    .process(new DriftTriggeredRequests(auto.trigger(), auto.cooldown(), null),
                            new AvroTypeInfo<>(TrainingRequest.class))
                    .name("DriftTriggeredRequests").uid("drift-triggered-requests");
            // outcomes come back through Kafka, since the graph cannot loop from the fine-tune to its own input; from
            // the earliest on a first start, so none is missed: those of requests this job never kept are dropped
            DataStream<TrainingProgress> outcomes = environment.fromSource(source(Topics.TRAINING_PROGRESS,
                            TrainingProgress.class), WatermarkStrategy.noWatermarks(),
                            "training-outcomes").uid("training-outcomes-source")
                    .filter(RefusedDriftRequests::isDriftOutcome).name("DriftOutcomes").uid("drift-outcomes");
            SingleOutputStreamOperator<TrainingRequest> retries = drift
                    .keyBy(TrainingRequest::getRequestId, Types.STRING)
                    .connect(outcomes.keyBy(p -> RefusedDriftRequests.episodeOf(p.getRequestId()).orElseThrow(),
                            Types.STRING))
                    .process(new RefusedDriftRequests(kafka, s3, auto.retry()),
                            new AvroTypeInfo<>(TrainingRequest.class))
                    .name("RefusedDriftRequests").uid("refused-drift-requests");
            requests = requests.union(drift, retries);
            waiting = retries.getSideOutput(RefusedDriftRequests.WAITING);
            if (auto.newSamples() != null) {
                DataStream<LatentStatsWindow> windows = environment.fromSource(source(Topics.LATENT_STATS,
                                LatentStatsWindow.class), WatermarkStrategy.noWatermarks(), "latent-stats")
                        .uid("latent-stats-source");
                DataStream<TrainingRequest> fromSamples = windows.keyBy(w -> NewSampleRequests.KEY, Types.STRING)
                        .connect(requests.keyBy(r -> NewSampleRequests.KEY, Types.STRING))
                        .process(new NewSampleRequests(kafka, s3, auto.newSamples()),
                                new AvroTypeInfo<>(TrainingRequest.class))
                        .name("NewSampleRequests").uid("new-sample-requests");
                requests = requests.union(fromSamples);
            }
        }
        DataStream<TrainingProgress> progress = AsyncDataStream.orderedWait(requests,
                        new FineTuneFunction(kafka, s3, settings), RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS, 1)
                .returns(new AvroTypeInfo<>(TrainingProgress.class))
                .name("FineTune").uid("fine-tune");
        (waiting == null ? progress : progress.union(waiting))
                .sinkTo(progressSink()).name("training-progress").uid("training-progress-sink");
    }

    private <T extends org.apache.avro.specific.SpecificRecordBase> KafkaSource<T> source(String topic, Class<T> type) {
        return KafkaSource.<T>builder()
                .setProperties(kafka.clientProperties())
                .setTopics(topic)
                .setGroupId(CONSUMER_GROUP + "-" + topic)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new AvroRecordDeserializer<>(type))
                .build();
    }

    private KafkaSink<TrainingProgress> progressSink() {
        return KafkaSink.<TrainingProgress>builder()
                .setKafkaProducerConfig(kafka.clientProperties())
                .setRecordSerializer(KafkaRecordSerializationSchema.<TrainingProgress>builder()
                        .setTopic(Topics.TRAINING_PROGRESS)
                        .setKeySerializationSchema(p -> p.getRequestId().getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new AvroSerialization<>(TrainingProgress.class))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}

package io.latentflow.jobs.encode;

import io.latentflow.jobs.drift.DriftMonitor;
import io.latentflow.shards.StoredLatents;
import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.jobs.sampling.TrainingSampling;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;

/**
 * The encode spine: images from Kafka are decoded and validated, batched, encoded by the model and
 * written as latent shards to S3 exactly once, with one {@link LatentRecord} per latent (the latent inline) on the
 * latents topic, one {@link ShardCommitted} per committed shard on the shards topic and one {@link DeadLetter} per
 * refused input on the dead-letter topic.
 *
 * <pre>
 *   images -> DecodeAndValidate -> DropDuplicateImages -> MicroBatcher -> LatentEncoder -> LatentShardWriter -> latents
 *                  |                  \                                        |       \           +-> committed shards -> shards
 *                  |                   +-> TrainingSampling                    |        +-> DriftMonitor -> latent-stats, drift-alerts
 *                  |                       -> training-samples/ (S3)           |
 *                  +------------- dead letters --------------------------------+-----------------------------> images-dlq
 * </pre>
 *
 * The training sampler is there when the settings ask for it ({@link EncodeJobSettings#trainingSampling()}).
 *
 * The drift monitor is there when the settings ask for it ({@link EncodeJobSettings#monitoring()}); then the
 * images source assigns event time ({@code ImageRecord.eventTime}, one watermark per Kafka partition).
 *
 * The source and the sinks are constructor arguments, so tests and tools can run the very same
 * graph on other ones; {@link #onKafka} wires the production ones.
 */
public final class EncodeJob {

    public static final String JOB_NAME = "latentflow-encode";

    /** Side output of every operator that refuses an input. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /**
     * Barriers start aligned; only when alignment takes longer than this (the encoder back-pressures
     * the stream) do they overtake the queued images and the images go into the checkpoint.
     */
    static final Duration ALIGNED_CHECKPOINT_TIMEOUT = Duration.ofSeconds(1);

    private final Source<RawImage, ?, ?> images;
    private final Sink<LatentRecord> latents;
    private final Sink<ShardCommitted> shards;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<LatentStatsWindow> latentStats;
    private final Sink<DriftAlert> driftAlerts;
    private final EncodeJobSettings settings;

    public EncodeJob(Source<RawImage, ?, ?> images, Sink<LatentRecord> latents, Sink<ShardCommitted> shards,
                     Sink<DeadLetter> deadLetters, EncodeJobSettings settings) {
        this(images, latents, shards, deadLetters, null, null, settings);
    }

    /** With the drift monitor's sinks, which settings with a monitor need. */
    public EncodeJob(Source<RawImage, ?, ?> images, Sink<LatentRecord> latents, Sink<ShardCommitted> shards,
                     Sink<DeadLetter> deadLetters, Sink<LatentStatsWindow> latentStats, Sink<DriftAlert> driftAlerts,
                     EncodeJobSettings settings) {
        if (settings.monitoring().isPresent() && (latentStats == null || driftAlerts == null)) {
            throw new IllegalArgumentException("The encode job's settings ask for the drift monitor: give it the"
                    + " latent-stats and drift-alerts sinks too");
        }
        this.images = images;
        this.latents = latents;
        this.shards = shards;
        this.deadLetters = deadLetters;
        this.latentStats = latentStats;
        this.driftAlerts = driftAlerts;
        this.settings = settings;
    }

    /**
     * Entry point of the job jar: {@code flink run latentflow-flink-jobs-VERSION-job.jar --kafka HOST:PORT
     * --s3-endpoint URL ...} ({@link EncodeJobArguments} lists the arguments). Runs until cancelled, or with
     * {@code --bounded} until the images present at the start are encoded.
     */
    public static void main(String[] args) throws Exception {
        EncodeJob job = onKafka(EncodeJobArguments.parse(args, System.getenv()));
        StreamExecutionEnvironment environment = StreamExecutionEnvironment.getExecutionEnvironment();
        job.build(environment);
        environment.execute(JOB_NAME);
    }

    /** The job on the images, latents and images-dlq (and latent-stats, drift-alerts) topics of {@code settings.kafka()}. */
    public static EncodeJob onKafka(EncodeJobSettings settings) {
        boolean monitored = settings.monitoring().isPresent();
        return new EncodeJob(imagesSource(settings), latentsSink(settings), shardsSink(settings),
                deadLetterSink(settings),
                monitored ? latentStatsSink(settings) : null, monitored ? driftAlertsSink(settings) : null, settings);
    }

    /**
     * Runs the job to its end on {@code environment} and returns the result, which
     * {@link EncodeSummary#of} summarises. Needs bounded settings: the images present when the job
     * starts are read, then the final checkpoint commits the last shards and transactions.
     */
    public JobExecutionResult runToCompletion(StreamExecutionEnvironment environment) throws Exception {
        if (!settings.bounded()) {
            throw new IllegalStateException("runToCompletion needs bounded settings (EncodeJobSettings.bounded(true)):"
                    + " an unbounded job never completes; use start(environment) to run it in the background");
        }
        build(environment);
        return environment.execute(JOB_NAME);
    }

    /** Starts the job and returns at once; cancel it through the returned client. */
    public JobClient start(StreamExecutionEnvironment environment) throws Exception {
        build(environment);
        return environment.executeAsync(JOB_NAME);
    }

    /** Configures {@code environment} (checkpointing, restarts, parallelism) and adds the job's graph to it. */
    public void build(StreamExecutionEnvironment environment) {
        configure(environment);
        int downsampling = settings.model().config().downsamplingFactor();
        OperatorFaults faults = settings.faults();

        WatermarkStrategy<RawImage> eventTime = settings.monitoring().map(DriftMonitorSettings::watermarks)
                .orElse(settings.trainingSampling().isPresent() ? DriftMonitorSettings.defaultWatermarks()
                        : WatermarkStrategy.noWatermarks());
        DataStream<RawImage> raw = environment
                .fromSource(images, eventTime, "images").uid("images-source");

        SingleOutputStreamOperator<PreparedImage> prepared = raw
                .process(new DecodeAndValidate(settings.imageLimits(), settings.resolution(), downsampling,
                        settings.s3(), faults))
                .name("DecodeAndValidate").uid("decode-and-validate");

        // one latent per image id: a duplicate never reaches the encoder, the sampler or the drift statistics
        DataStream<PreparedImage> firsts = prepared
                .keyBy(image -> image.imageId, Types.STRING)
                .process(new DropDuplicateImages(settings.dedupHorizon()))
                .name("DropDuplicateImages").uid("drop-duplicate-images");

        SingleOutputStreamOperator<EncodedLatent> encoded = firsts
                .transform("MicroBatcher", Types.LIST(TypeInformation.of(PreparedImage.class)),
                        new MicroBatcher<PreparedImage>(settings.batchSize(), settings.batchTimeout()))
                .uid("micro-batcher")
                .process(new LatentEncoderFunction(settings.model(), settings.resolution(), settings.latents(),
                        faults, settings.followRegistry() ? settings.kafka() : null,
                        settings.followRegistry() ? settings.s3() : null, settings.trustedKeys(),
                        settings.monitoring().map(DriftMonitorSettings::sampling).orElse(ReconstructionSampling.NONE)))
                .name("LatentEncoder").uid("latent-encoder")
                // The model gets a thread of its own and full batches: the next batch is decoded and assembled
                // while the current one encodes. Batching on the model's side of the edge starved it, because the
                // network buffers between threads hold only one or two images of this size.
                .startNewChain();

        SingleOutputStreamOperator<LatentRecord> written = encoded
                .transform("LatentShardWriter", new AvroTypeInfo<>(LatentRecord.class),
                        new LatentShardWriter(settings.s3(), settings.maxShardBytes(), settings.maxShardAge(),
                                settings.inlineLatentMaxBytes(), FinalShardAnnouncer.toKafka(settings.kafka()),
                                faults))
                .uid("latent-shard-writer");
        written.sinkTo(latents).name("latents").uid("latents-sink");
        written.getSideOutput(LatentShardWriter.COMMITTED_SHARDS)
                .sinkTo(shards).name("shards").uid("shards-sink");

        settings.trainingSampling().ifPresent(sampling ->
                new TrainingSampling(sampling, settings.s3()).attach(firsts, new DiscardingSink<>()));

        // the monitor compares served latents with the model's profile; moments are turned back into them first
        DataStream<EncodedLatent> served = settings.latents() == StoredLatents.MOMENTS
                ? encoded.map(EncodedLatent::served, TypeInformation.of(EncodedLatent.class))
                        .name("ServedMeans").uid("served-means")
                : encoded;
        settings.monitoring().ifPresent(monitor ->
                new DriftMonitor(monitor, settings.followRegistry() ? settings.s3() : null)
                        .attach(served, latentStats, driftAlerts));

        prepared.getSideOutput(DEAD_LETTERS)
                .union(encoded.getSideOutput(DEAD_LETTERS))
                .sinkTo(deadLetters).name("images-dlq").uid("dead-letters-sink");
    }

    /**
     * Exactly-once checkpoints every {@code checkpointInterval}: they commit shards and Kafka
     * transactions. Unaligned checkpoints (after {@link #ALIGNED_CHECKPOINT_TIMEOUT} of alignment)
     * rather than buffer debloating, because the records queued in front of the encoder are whole
     * images: debloating shrinks buffers, but cannot shrink a queue of 200 KB records below a few
     * records per channel, while an unaligned barrier overtakes them at once and the checkpoint
     * completes however slowly the model runs.
     */
    private void configure(StreamExecutionEnvironment environment) {
        environment.setParallelism(settings.parallelism());
        environment.enableCheckpointing(settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = environment.getCheckpointConfig();
        checkpoints.enableUnalignedCheckpoints();
        checkpoints.setAlignedCheckpointTimeout(ALIGNED_CHECKPOINT_TIMEOUT);
        // a held-up checkpoint fails the job before the broker can abort a pre-committed transaction (no silent loss)
        checkpoints.setCheckpointTimeout(settings.checkpointTimeout().toMillis());
        checkpoints.setTolerableCheckpointFailureNumber(0);
        Configuration restart = new Configuration();
        settings.restartPolicy().applyTo(restart);
        environment.configure(restart);
    }

    static KafkaSource<RawImage> imagesSource(EncodeJobSettings settings) {
        KafkaSourceBuilder<RawImage> builder = KafkaSource.<RawImage>builder()
                .setProperties(settings.kafka().clientProperties())
                .setTopics(Topics.IMAGES)
                .setGroupId(settings.consumerGroup())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawImageDeserializer());
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    static KafkaSink<LatentRecord> latentsSink(EncodeJobSettings settings) {
        return exactlyOnceSink(settings, Topics.LATENTS, LatentRecord.class, LatentRecord::getImageId, "latents");
    }

    static KafkaSink<ShardCommitted> shardsSink(EncodeJobSettings settings) {
        // keyed by model version, so each version's shards are announced in commit order on one partition
        return exactlyOnceSink(settings, Topics.SHARDS, ShardCommitted.class, ShardCommitted::getModelVersion,
                Topics.SHARDS);
    }

    static KafkaSink<LatentStatsWindow> latentStatsSink(EncodeJobSettings settings) {
        // keyed by model version, so each version's records stay in order on one partition
        return exactlyOnceSink(settings, Topics.LATENT_STATS, LatentStatsWindow.class,
                LatentStatsWindow::getModelVersion, Topics.LATENT_STATS);
    }

    static KafkaSink<DriftAlert> driftAlertsSink(EncodeJobSettings settings) {
        return exactlyOnceSink(settings, Topics.DRIFT_ALERTS, DriftAlert.class, DriftAlert::getModelVersion,
                Topics.DRIFT_ALERTS);
    }

    static KafkaSink<DeadLetter> deadLetterSink(EncodeJobSettings settings) {
        return exactlyOnceSink(settings, Topics.DEAD_LETTERS, DeadLetter.class, null, "dlq");
    }

    /** @param idSuffix makes the sink's transactional ids unique within the job (part of its restored state) */
    private static <T extends SpecificRecord> KafkaSink<T> exactlyOnceSink(EncodeJobSettings settings, String topic,
            Class<T> type, SerializableFunction<T, String> key, String idSuffix) {
        return ExactlyOnceKafkaSink.of(settings.kafka(), topic, type, key,
                settings.transactionalIdPrefix() + "-" + idSuffix, settings.transactionTimeout());
    }
}

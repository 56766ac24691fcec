package io.latentflow.jobs.replay;

import io.latentflow.jobs.drift.ImageEventTime;
import io.latentflow.jobs.drift.DriftScorers;
import io.latentflow.jobs.drift.LatentStatisticsAggregate;
import io.latentflow.jobs.drift.ReferenceProfileLookup;
import io.latentflow.jobs.drift.LatentStatsWindowFunction;
import io.latentflow.jobs.drift.WindowAccumulatorTypeInfo;
import io.latentflow.jobs.encode.DecodeAndValidate;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.ExactlyOnceKafkaSink;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.encode.FinalShardAnnouncer;
import io.latentflow.jobs.encode.LatentShardWriter;
import io.latentflow.jobs.encode.MicroBatcher;
import io.latentflow.jobs.encode.OperatorFaults;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.jobs.encode.RawImage;
import io.latentflow.jobs.encode.RawImageDeserializer;
import io.latentflow.model.drift.DriftThresholds;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.ShardCommitted;
import io.latentflow.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.common.TopicPartition;

/**
 * A BOUNDED replay of a range of the images topic through one or two model versions, for evaluation, and optionally a
 * backfill of the last model's latents:
 *
 * <pre>
 *   images[range] -> DecodeAndValidate -> MicroBatcher -> CompareModels -> comparisons, worst images (collected)
 *                        |                                 |  \
 *                        +-> rejected (collected)          |   +-> latents of each model -> event-time window
 *                                                          |         -> LatentStatistics vs its reference (collected)
 *                                                          +-> (backfill) latents of B -> SkipAlreadyBackfilled
 *                                                                -> LatentShardWriter -> latents
 * </pre>
 *
 * Isolated from the live service: its consumer group is its own and commits nothing, and without a backfill it writes
 * to no topic and no bucket (rejected images are reported, not dead-lettered). Decoding and resizing are the encode
 * job's own operators, so a replayed image is the model input the encode job had.
 */
public final class ReplayJob {

    public static final String JOB_NAME = "latentflow-replay";

    /**
     * Event time may run backwards this far between records of a partition before an image misses its window; a
     * window updated later still is emitted again (allowed lateness), so a replay of history counts every image.
     */
    static final Duration OUT_OF_ORDERNESS = Duration.ofMinutes(1);
    static final Duration ALLOWED_LATENESS = Duration.ofDays(365);

    private static final AvroCodec<LatentStatsWindow> WINDOWS = AvroCodec.of(LatentStatsWindow.class);
    private static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.of(DeadLetter.class);

    private final Source<RawImage, ?, ?> images;
    private final Sink<LatentRecord> backfillLatents;
    private final Sink<ShardCommitted> backfillShards;
    private final ReplaySettings settings;

    /**
     * @param backfillLatents where backfilled LatentRecords go; null without a backfill
     * @param backfillShards  where the backfill's committed shards are announced; null without a backfill
     */
    public ReplayJob(Source<RawImage, ?, ?> images, Sink<LatentRecord> backfillLatents,
                     Sink<ShardCommitted> backfillShards, ReplaySettings settings) {
        if (settings.backfilling().isPresent() && (backfillLatents == null || backfillShards == null)) {
            throw new IllegalArgumentException("a backfill needs the latents and shards sinks");
        }
        this.images = images;
        this.backfillLatents = backfillLatents;
        this.backfillShards = backfillShards;
        this.settings = settings;
    }

    /** The replay on the images (and, backfilling, latents) topics of {@code settings.kafka()}. */
    public static ReplayJob onKafka(ReplaySettings settings) {
        Sink<LatentRecord> latents = settings.backfilling().map(backfill -> ExactlyOnceKafkaSink.of(
                settings.kafka(), Topics.LATENTS, LatentRecord.class, LatentRecord::getImageId,
                backfill.transactionalIdPrefix() + "-latents", backfill.transactionTimeout())).orElse(null);
        Sink<ShardCommitted> shards = settings.backfilling().map(backfill -> ExactlyOnceKafkaSink.of(
                settings.kafka(), Topics.SHARDS, ShardCommitted.class,
                ShardCommitted::getModelVersion, backfill.transactionalIdPrefix() + "-shards",
                backfill.transactionTimeout())).orElse(null);
        return new ReplayJob(imagesSource(settings), latents, shards, settings);
    }

    /**
     * Runs the job to its end and returns what it collected.
     *
     * @param progress told of every record done (compared or rejected)
     */
    public ReplayOutcome run(StreamExecutionEnvironment environment, Consumer<Long> progress) throws Exception {
        List<String> versions = settings.references().stream().map(ReferenceProfile::modelVersion).toList();
        CloseableIterator<ReplayRecord> collected = build(environment).collectAsync();
        JobClient client = environment.executeAsync(JOB_NAME);
        List<ImageComparison> comparisons = new ArrayList<>();
        List<WorstImage> worst = new ArrayList<>();
        List<List<LatentStatsWindow>> windows = new ArrayList<>();
        versions.forEach(version -> windows.add(new ArrayList<>()));
        List<DeadLetter> rejected = new ArrayList<>();
        long done = 0;
        try (collected) {
            while (collected.hasNext()) {
                ReplayRecord record = collected.next();
                if (record.comparison != null) {
                    comparisons.add(record.comparison);
                    progress.accept(++done);
                } else if (record.worst != null) {
                    worst.add(record.worst);
                } else if (record.window != null) {
                    windows.get(record.model).add(WINDOWS.decode(record.window));
                } else if (record.rejected != null) {
                    rejected.add(DEAD_LETTERS.decode(record.rejected));
                    progress.accept(++done);
                }
            }
        }
        JobExecutionResult result = client.getJobExecutionResult().get();
        return new ReplayOutcome(versions, comparisons, worst, windows, rejected,
                result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0, ReplayTimes.of(result));
    }

    /** The job's graph, with everything the client collects in one stream. */
    DataStream<ReplayRecord> build(StreamExecutionEnvironment environment) {
        configure(environment);
        WatermarkStrategy<RawImage> eventTime = WatermarkStrategy.<RawImage>forBoundedOutOfOrderness(OUT_OF_ORDERNESS)
                .withTimestampAssigner(new ImageEventTime());
        DataStream<RawImage> raw = environment.fromSource(images, eventTime, "images").uid("replay-images-source");

        SingleOutputStreamOperator<PreparedImage> prepared = raw
                .process(new DecodeAndValidate(settings.imageLimits(), settings.resolution(), downsampling(),
                        settings.s3(), OperatorFaults.NONE))
                .name("DecodeAndValidate").uid("decode-and-validate");

        DataStream<PreparedImage> selected = prepared;
        if (settings.source() != null) {
            String source = settings.source();
            selected = prepared.filter(image -> source.equals(image.source)).name("OfSource").uid("of-source");
        }
        SingleOutputStreamOperator<ImageComparison> compared = selected
                .transform("MicroBatcher", Types.LIST(TypeInformation.of(PreparedImage.class)),
                        new MicroBatcher<PreparedImage>(settings.batchSize(), ReplaySettings.BATCH_TIMEOUT))
                .uid("micro-batcher")
                .transform("CompareModels", TypeInformation.of(ImageComparison.class),
                        new CompareModels(settings.models(), settings.resolution(), settings.worstKept(),
                                settings.backfilling().map(ReplaySettings.Backfill::latents).orElse(null)))
                .uid("compare-models")
                // the models get a thread of their own, as in the encode job: decoding overlaps the models' work
                .startNewChain();

        TypeInformation<ReplayRecord> records = TypeInformation.of(ReplayRecord.class);
        DataStream<ReplayRecord> collected = compared.map(ReplayRecord::of, records).name("Comparisons")
                .union(compared.getSideOutput(CompareModels.WORST).map(ReplayRecord::of, records).name("Worst"),
                        prepared.getSideOutput(EncodeJob.DEAD_LETTERS)
                                .map(letter -> ReplayRecord.rejected(DEAD_LETTERS.encode(letter)), records)
                                .name("Rejected"));
        for (int m = 0; m < settings.models().size(); m++) {
            ReferenceProfileLookup reference = new ReferenceProfileLookup(settings.references().get(m), null);
            DriftScorers scorer = new DriftScorers(reference, DriftThresholds.DEFAULTS);
            int model = m;
            collected = collected.union(compared.getSideOutput(CompareModels.latentsOf(m))
                    .keyBy(latent -> latent.modelVersion, Types.STRING)
                    .window(TumblingEventTimeWindows.of(settings.window()))
                    .allowedLateness(ALLOWED_LATENESS)
                    .aggregate(new LatentStatisticsAggregate(reference),
                            new LatentStatsWindowFunction(scorer), WindowAccumulatorTypeInfo.INSTANCE,
                            WindowAccumulatorTypeInfo.INSTANCE, new AvroTypeInfo<>(LatentStatsWindow.class))
                    .name("LatentStatistics-" + label(m)).uid("latent-statistics-" + m)
                    .map(window -> ReplayRecord.window(model, WINDOWS.encode(window)), records)
                    .name("Windows-" + label(m)));
        }

        settings.backfilling().ifPresent(backfill -> {
            SingleOutputStreamOperator<LatentRecord> written = compared
                    .getSideOutput(CompareModels.BACKFILL)
                    .keyBy(latent -> latent.image.imageId, Types.STRING)
                    .process(new SkipAlreadyBackfilled(backfill.alreadyPresent()),
                            TypeInformation.of(EncodedLatent.class))
                    .name("SkipAlreadyBackfilled").uid("skip-already-backfilled")
                    .transform("LatentShardWriter", new AvroTypeInfo<>(LatentRecord.class),
                            new LatentShardWriter(settings.s3(), backfill.maxShardBytes(), Duration.ZERO,
                                    EncodeJobSettings.DEFAULT_INLINE_LATENT_MAX_BYTES,
                                    FinalShardAnnouncer.toKafka(settings.kafka()), OperatorFaults.NONE))
                    .uid("latent-shard-writer");
            written.sinkTo(backfillLatents).name("latents").uid("latents-sink");
            written.getSideOutput(LatentShardWriter.COMMITTED_SHARDS)
                    .sinkTo(backfillShards).name("shards").uid("shards-sink");
        });

        return collected;
    }

    /** "A" or "B". */
    public static String label(int model) {
        return String.valueOf((char) ('A' + model));
    }

    /**
     * No restarts: a replay is run again rather than resumed (it keeps the worst images in memory), and a backfill run
     * again adds only what the failed one had not committed. Checkpoints only for a backfill: they commit its shards
     * and Kafka transactions.
     */
    private void configure(StreamExecutionEnvironment environment) {
        environment.setParallelism(settings.parallelism());
        Configuration restart = new Configuration();
        restart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        environment.configure(restart);
        settings.backfilling().ifPresent(backfill -> {
            environment.enableCheckpointing(backfill.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
            // as the encode job: a held-up checkpoint fails the job rather than outlive its Kafka transactions
            environment.getCheckpointConfig().setCheckpointTimeout(ExactlyOnceKafkaSink.checkpointTimeout(
                    backfill.checkpointInterval(), backfill.transactionTimeout()).toMillis());
        });
    }

    /** The image side must suit every model: a multiple of each one's downsampling factor. */
    private int downsampling() {
        int factor = 1;
        for (ModelLocation model : settings.models()) {
            int f = model.config().downsamplingFactor();
            factor = factor * f / gcd(factor, f);
        }
        return factor;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Reads exactly the range: starting and stopping offsets per partition, a consumer group of its own that commits
     * nothing, so the live encode job's offsets and lag never move.
     */
    static KafkaSource<RawImage> imagesSource(ReplaySettings settings) {
        ReplayRange range = settings.range();
        Map<TopicPartition, Long> from = new HashMap<>();
        Map<TopicPartition, Long> to = new HashMap<>();
        range.from().forEach((partition, offset) -> from.put(new TopicPartition(range.topic(), partition), offset));
        range.to().forEach((partition, offset) -> to.put(new TopicPartition(range.topic(), partition), offset));
        return KafkaSource.<RawImage>builder()
                .setProperties(settings.kafka().clientProperties())
                .setPartitions(new java.util.HashSet<>(from.keySet()))
                .setGroupId("latentflow-replay-" + UUID.randomUUID())
                .setProperty("commit.offsets.on.checkpoint", "false")
                .setProperty("enable.auto.commit", "false")
                .setStartingOffsets(OffsetsInitializer.offsets(from))
                .setBounded(OffsetsInitializer.offsets(to))
                .setDeserializer(new RawImageDeserializer())
                .build();
    }
}

package io.latentflow.jobs.encode;

import io.latentflow.infra.EmbeddedFlink;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.NetworkLink;
import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DeadLetterReason;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encode job on a real Kafka broker, a real S3 server and a Flink MiniCluster, fed real photos
 * and every kind of bad record: each good image ends up as exactly one LatentRecord and exactly one
 * member of a committed shard, each bad one as exactly one dead letter with its reason, with and
 * without a failure forcing a restore from a checkpoint, and through the faults of the servers around it: S3 cut off,
 * the broker restarted, a checkpoint held up past the Kafka transaction timeout.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EncodeJobTest {

    private static final String BUCKET = "latentflow";
    private static final int GOOD_IMAGES = 40;

    @TempDir
    static Path clusterState;
    private static EmbeddedFlink flink;

    @TempDir
    Path state;

    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;
    /** The job reaches S3 through it, so that a test can cut S3 off or make it hang; the checks read past it. */
    private NetworkLink s3Link;
    private MinioClient client;
    private KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<ImageRecord> images = AvroCodec.of(ImageRecord.class);

    @BeforeAll
    static void startFlink() {
        flink = EmbeddedFlink.start(clusterState, 2);
    }

    @AfterAll
    static void stopFlink() {
        if (flink != null) {
            flink.close();
        }
    }

    @BeforeEach
    void startStack() {
        kafka = EmbeddedKafka.start(state);
        s3 = EmbeddedS3.start(null, BUCKET);
        s3Link = s3.link();
        client = s3.settings().newClient();
        Properties config = kafka.settings().clientProperties();
        config.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stopStack() {
        if (producer != null) {
            producer.close();
        }
        if (s3Link != null) {
            s3Link.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Two partitions and two parallel instances: two models, two shard writers, each committing its own shards. */
    @Test
    void aBoundedRunEncodesEveryGoodImageOnceAndDeadLettersEveryBadOne() throws Exception {
        kafka.createTopics(2, Topics.IMAGES, Topics.LATENTS, Topics.SHARDS, Topics.DEAD_LETTERS);
        List<Sent> sent = new ArrayList<>(sendGoodImages(0, GOOD_IMAGES));
        sent.addAll(sendBadRecords());
        EncodeJobSettings settings = settings().bounded(true).parallelism(2).restartPolicy(RestartPolicy.none()).build();

        JobExecutionResult result = EncodeJob.onKafka(settings).runToCompletion(environment());

        assertExactlyOnce(sent);
        EncodeSummary summary = EncodeSummary.of(result);
        assertThat(summary.imagesIn()).isEqualTo(sent.size());
        assertThat(summary.latentsWritten()).isEqualTo(GOOD_IMAGES);
        assertThat(summary.deadLettered()).isEqualTo(sent.size() - GOOD_IMAGES);
        assertThat(summary.shardsCommitted()).isPositive();
        assertThat(summary.deadLettersByReason()).containsEntry("MALFORMED_RECORD", 3L);
    }

    /** The decode stage runs in the source's task, the shard writer in the encoder's: both kinds of task fail here. */
    @ParameterizedTest
    @EnumSource(value = OperatorFaults.Stage.class, names = {"DECODE", "SHARD_WRITE"})
    void aFailureMidStreamRestoresFromTheCheckpointWithoutLossOrDuplicates(OperatorFaults.Stage stage)
            throws Exception {
        kafka.createTopics(1, Topics.IMAGES, Topics.LATENTS, Topics.SHARDS, Topics.DEAD_LETTERS);
        FailOnce failure = FailOnce.once(stage, 25);
        EncodeJobSettings settings = settings().bounded(false)
                .restartPolicy(RestartPolicy.fixedDelay(3, Duration.ofMillis(200)))
                .faults(failure).build();
        JobClient job = EncodeJob.onKafka(settings).start(environment());
        try {
            List<Sent> sent = new ArrayList<>(sendGoodImages(0, GOOD_IMAGES / 2));
            // the failure comes after shards have been committed, so the restore starts from a real checkpoint
            await("a first shard committed", () -> !latentShardKeys().isEmpty());
            sent.addAll(sendGoodImages(GOOD_IMAGES / 2, GOOD_IMAGES));
            sent.addAll(sendBadRecords());
            long bad = sent.stream().filter(s -> s.reason != null).count();

            await("every image accounted for", () -> committedLatents().size() >= GOOD_IMAGES
                    && committedDeadLetters().size() >= bad && shardMembers().size() >= 2 * GOOD_IMAGES);
            Thread.sleep(3 * settings.checkpointInterval().toMillis()); // late duplicates would show by now

            assertThat(failure.hasFired()).as("the injected failure fired").isTrue();
            assertExactlyOnce(sent);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** S3 unreachable for a few checkpoints mid-stream: uploads and commits fail, the job fails over until it is back. */
    @Test
    void anS3OutageMidStreamLosesAndDoublesNothingOnceS3IsBack() throws Exception {
        whileRunning(() -> {
            s3Link.cut();
            Thread.sleep(6 * settings().build().checkpointInterval().toMillis());
            s3Link.mend();
        });
    }

    /** The broker stopped and started on the same port and log while the job reads, writes and commits. */
    @Test
    void aBrokerRestartUnderTheRunningJobLosesAndDoublesNothing() throws Exception {
        whileRunning(() -> kafka = kafka.restart());
    }

    /**
     * A checkpoint held up far longer than the Kafka transaction timeout: S3 hangs while the shard writer uploads the
     * shard of a checkpoint whose records the sink has just pre-committed. The broker aborts that transaction once it
     * is older than the timeout (it looks every 10 s); committed late, its records would be gone with only a warning
     * in the log. The checkpoint timeout the job derives from the transaction timeout declares the checkpoint failed
     * first, the job fails over, and the records are written again.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS) // 25 s of hanging S3 and 3 s checkpoints on a loaded machine
    void aCheckpointHeldUpPastTheTransactionTimeoutFailsTheJobOverInsteadOfLosingItsRecords() throws Exception {
        Duration transactionTimeout = Duration.ofSeconds(10);
        EncodeJobSettings.Builder settings = settings().checkpointInterval(Duration.ofSeconds(3))
                .transactionTimeout(transactionTimeout);
        whileRunning(settings, () -> {
            // the records are in the open transaction (and the open shard): the next barrier pre-commits them, and
            // its upload hangs
            awaitUncommittedLatents(GOOD_IMAGES * 3 / 4);
            s3Link.hold();
            Thread.sleep(transactionTimeout.plusSeconds(15).toMillis());
            s3Link.mend();
        }, true);
    }

    /** Waits until {@code count} latent records are in the topic, committed or not (read_uncommitted). */
    private void awaitUncommittedLatents(int count) throws Exception {
        Properties config = kafka.settings().clientProperties();
        config.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.LATENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int[] seen = {0};
            await(count + " latents written", () -> {
                seen[0] += consumer.poll(Duration.ofMillis(100)).count();
                return seen[0] >= count;
            });
        }
    }

    private void whileRunning(ThrowingAction fault) throws Exception {
        whileRunning(settings(), fault, false);
    }

    /** Runs the job, sends half the images, injects {@code fault} once a shard is committed, sends the rest, checks. */
    /**
     * @param lateUploadsMayRemain whether an upload of a failed attempt may land after the restart's sweep of staged
     *                             objects (S3 held while it was in flight): it stays under {@code _staging/}, never
     *                             committed, for {@code status} to count and a lifecycle rule to expire
     */
    private void whileRunning(EncodeJobSettings.Builder builder, ThrowingAction fault, boolean lateUploadsMayRemain)
            throws Exception {
        kafka.createTopics(1, Topics.IMAGES, Topics.LATENTS, Topics.SHARDS, Topics.DEAD_LETTERS);
        EncodeJobSettings settings = builder.bounded(false)
                .restartPolicy(RestartPolicy.fixedDelay(30, Duration.ofMillis(500))).build();
        JobClient job = EncodeJob.onKafka(settings).start(environment());
        try {
            List<Sent> sent = new ArrayList<>(sendGoodImages(0, GOOD_IMAGES / 2));
            await("a first shard committed", () -> !latentShardKeys().isEmpty());
            sent.addAll(sendGoodImages(GOOD_IMAGES / 2, GOOD_IMAGES * 3 / 4));
            fault.run();
            sent.addAll(sendGoodImages(GOOD_IMAGES * 3 / 4, GOOD_IMAGES));

            await("every image accounted for", () -> committedLatents().size() >= GOOD_IMAGES
                    && shardMembers().size() >= 2 * GOOD_IMAGES);
            Thread.sleep(3 * settings.checkpointInterval().toMillis()); // late duplicates would show by now
            assertExactlyOnce(sent, lateUploadsMayRemain);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private interface ThrowingAction {
        void run() throws Exception;
    }

    private EncodeJobSettings.Builder settings() {
        return EncodeJobSettings.builder(kafka.settings(), s3.settingsThrough(s3Link))
                .model(ModelLocation.DEFAULT)
                .resolution(64)
                .batchSize(8)
                .batchTimeout(Duration.ofMillis(100))
                .checkpointInterval(Duration.ofMillis(500))
                .parallelism(1)
                // a shard per checkpoint, so that the failure test can wait for committed shards mid-stream (shards
                // that span checkpoints are LatentShardWriterTest's and the failover test's)
                .maxShardAge(Duration.ZERO)
                .transactionalIdPrefix("encode-test-" + System.nanoTime());
    }

    /** Jobs reach the embedded cluster through its REST endpoint, as the demo's do. */
    private static StreamExecutionEnvironment environment() {
        return flink.environment();
    }

    // ---------------------------------------------------------------- what goes in

    /** An input record and what must become of it: a latent (reason null) or a dead letter with that reason. */
    private record Sent(int partition, long offset, String imageId, DeadLetterReason reason) {
    }

    private List<Sent> sendGoodImages(int from, int to) throws Exception {
        List<Path> photos = photos();
        List<Sent> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Path photo = photos.get(i);
            String id = "photos/" + photo.getFileName();
            byte[] bytes = Files.readAllBytes(photo);
            ImageRecord.Builder record = image(id);
            if (i == 1) { // one image passed by reference
                String key = "incoming/" + photo.getFileName();
                client.putObject(PutObjectArgs.builder().bucket(BUCKET).object(key)
                        .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
                record.setObjectUri(s3.settings().uri(key));
            } else {
                record.setInlineBytes(ByteBuffer.wrap(bytes));
            }
            sent.add(sent(send(images.encode(record.build())), id, null));
        }
        return sent;
    }

    private List<Sent> sendBadRecords() throws Exception {
        byte[] jpeg = Files.readAllBytes(photos().get(GOOD_IMAGES));
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        byte[] text = Files.readAllBytes(Path.of(System.getProperty("latentflow.home"), "samples", "README.md"));
        List<Sent> sent = new ArrayList<>();
        sent.add(sent(send(garbage), null, DeadLetterReason.MALFORMED_RECORD));
        sent.add(sent(send("{\"id\":\"json\"}".getBytes(StandardCharsets.UTF_8)), null, DeadLetterReason.MALFORMED_RECORD));
        sent.add(sent(send(null), null, DeadLetterReason.MALFORMED_RECORD));
        sent.add(bad(image("bad/no-payload"), DeadLetterReason.MISSING_PAYLOAD));
        sent.add(bad(image("bad/empty-bytes").setInlineBytes(ByteBuffer.allocate(0)), DeadLetterReason.MISSING_PAYLOAD));
        sent.add(bad(image("bad/both").setInlineBytes(ByteBuffer.wrap(jpeg)).setObjectUri(s3.settings().uri("x.jpg")),
                DeadLetterReason.AMBIGUOUS_PAYLOAD));
        sent.add(bad(image("bad/text.jpg").setInlineBytes(ByteBuffer.wrap(text)), DeadLetterReason.UNSUPPORTED_FORMAT));
        sent.add(bad(image("bad/truncated.jpg").setInlineBytes(ByteBuffer.wrap(java.util.Arrays.copyOf(jpeg, jpeg.length / 2))),
                DeadLetterReason.CORRUPT_IMAGE));
        sent.add(bad(image("bad/missing-object").setObjectUri(s3.settings().uri("incoming/nothing-here.jpg")),
                DeadLetterReason.OBJECT_NOT_FOUND));
        return sent;
    }

    private Sent bad(ImageRecord.Builder record, DeadLetterReason reason) throws Exception {
        return sent(send(images.encode(record.build())), record.getId(), reason);
    }

    private static ImageRecord.Builder image(String id) {
        return ImageRecord.newBuilder().setId(id).setSource("samples/photos").setEventTime(Instant.now())
                .setContentType("image/jpeg").setAttributes(Map.of("test", "encode-job"));
    }

    /** @return partition and offset the record was written at */
    private long[] send(byte[] value) throws Exception {
        var written = producer.send(new ProducerRecord<>(Topics.IMAGES, value)).get();
        return new long[] {written.partition(), written.offset()};
    }

    private static Sent sent(long[] position, String imageId, DeadLetterReason reason) {
        return new Sent((int) position[0], position[1], imageId, reason);
    }

    private static List<Path> photos() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("latentflow.home"), "samples", "photos"))) {
            List<Path> all = files.sorted().toList();
            return java.util.stream.IntStream.range(0, all.size()).filter(i -> i % 5 == 0).mapToObj(all::get).toList();
        }
    }

    // ---------------------------------------------------------------- what comes out

    private void assertExactlyOnce(List<Sent> sent) throws Exception {
        assertExactlyOnce(sent, false);
    }

    private void assertExactlyOnce(List<Sent> sent, boolean lateUploadsMayRemain) throws Exception {
        List<String> goodIds = sent.stream().filter(s -> s.reason == null).map(Sent::imageId).toList();

        List<LatentRecord> latents = committedLatents();
        assertThat(latents).extracting(LatentRecord::getImageId).containsExactlyInAnyOrderElementsOf(goodIds);

        Map<String, Map<String, byte[]>> shards = new HashMap<>();
        for (String key : latentShardKeys()) {
            shards.put(s3.settings().uri(key), ShardContents.read(client, BUCKET, key));
        }
        List<String> members = shards.values().stream().flatMap(m -> m.keySet().stream()).toList();
        assertThat(members).doesNotHaveDuplicates().hasSize(2 * goodIds.size());
        for (LatentRecord latent : latents) {
            Map<String, byte[]> shard = shards.get(latent.getShardUri());
            assertThat(shard).as("shard %s of %s", latent.getShardUri(), latent.getImageId()).isNotNull();
            assertThat(shard).containsKey(latent.getMember());
            assertThat(shard).containsKey(latent.getMember().replace(".latent.npy", ".json"));
            assertThat(latent.getShape()).containsExactly(8, 8, 8);
            assertThat(new String(shard.get(latent.getMember()), 1, 5, StandardCharsets.ISO_8859_1)).isEqualTo("NUMPY");
        }
        List<String> staged = new StagedShardStore(client, BUCKET).list(ShardKeys.STAGING_ROOT);
        if (lateUploadsMayRemain) {
            // at most the one shard whose upload was in flight when S3 was held
            assertThat(staged).as("staged leftovers").hasSizeLessThanOrEqualTo(1);
        } else {
            assertThat(staged).as("staged leftovers").isEmpty();
        }

        Map<String, List<DeadLetter>> lettersByPosition = committedDeadLetters().stream()
                .collect(Collectors.groupingBy(letter -> letter.getPartition() + "@" + letter.getOffset()));
        for (Sent bad : sent.stream().filter(s -> s.reason != null).toList()) {
            assertThat(lettersByPosition.get(bad.partition + "@" + bad.offset))
                    .as("dead letters of %d@%d (%s)", bad.partition, bad.offset, bad.imageId)
                    .singleElement()
                    .satisfies(letter -> {
                        assertThat(letter.getReason()).isEqualTo(bad.reason);
                        assertThat(letter.getImageId()).isEqualTo(bad.imageId);
                        assertThat(letter.getTopic()).isEqualTo(Topics.IMAGES);
                        assertThat(letter.getMessage()).isNotBlank();
                    });
        }
        assertThat(lettersByPosition).hasSize((int) sent.stream().filter(s -> s.reason != null).count());
    }

    private List<LatentRecord> committedLatents() {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
            return reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class));
        }
    }

    private List<DeadLetter> committedDeadLetters() {
        try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers())) {
            return reader.readFrom(Topics.DEAD_LETTERS, Map.of(), AvroCodec.of(DeadLetter.class));
        }
    }

    private List<String> latentShardKeys() throws Exception {
        return new StagedShardStore(client, BUCKET).list(ShardKeys.LATENTS_ROOT);
    }

    private List<String> shardMembers() throws Exception {
        List<String> members = new ArrayList<>();
        for (String key : latentShardKeys()) {
            members.addAll(ShardContents.read(client, BUCKET, key).keySet());
        }
        return members;
    }

    /**
     * Polls until the condition holds. A probe that throws counts as "not yet": S3Proxy's filesystem backend answers
     * a listing with HTTP 400 ("user.content-md5 is not set") when it meets an object still being uploaded, which
     * is what the job is doing while this polls. The last such error is the cause if time runs out.
     */
    private static void await(String what, ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Exception lastError = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (java.io.IOException e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what, lastError);
            }
            Thread.sleep(200);
        }
    }

    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }
}

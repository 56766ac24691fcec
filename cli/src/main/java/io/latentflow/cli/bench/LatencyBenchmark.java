package io.latentflow.cli.bench;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.EncoderRate;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow bench latency}: the live service's produce-to-visible latency. Measures what the encoder sustains
 * first, then streams real photos at half that rate into the unbounded encode job and times each image from its send
 * to its LatentRecord being visible on {@code latents} to a read_committed consumer.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "p50/p95/p99 of produce -> LatentRecord visible (read_committed) at a fixed rate, half of what"
                + " the encoder sustains unless --rate is given.")
final class LatencyBenchmark implements Callable<Integer> {

    private static final AvroCodec<ImageRecord> IMAGES = AvroCodec.of(ImageRecord.class);
    private static final AvroCodec<LatentRecord> LATENTS = AvroCodec.of(LatentRecord.class);

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    BenchImages images;

    @Option(names = "--rate", description = "Images per second (default: half of what the encoder sustains).")
    Double rate;

    @Option(names = "--seconds", defaultValue = "60", description = "How long to stream (default ${DEFAULT-VALUE}).")
    int seconds;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        List<Path> files = ImageFolders.files(images.folder());
        double sustained = EncoderRate.sustained(files, job.encode);
        double sendRate = rate != null ? rate : sustained / 2;
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        try (PipelineStack pipeline = PipelineStack.open(job.stack)) {
            EncodeJobSettings settings = job.encode.settings(pipeline, false);
            JobClient job = EncodeJob.onKafka(settings).start(pipeline.newEnvironment());
            try (KafkaProducer<String, byte[]> producer = producer(pipeline);
                 KafkaConsumer<byte[], byte[]> consumer = consumer(pipeline)) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.LATENTS).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // fixed now: latents from before the run are not timed
                // One image through first: the job is deployed and the model loaded before the clock starts.
                send(producer, files.get(0), "warm-up", sentAt);
                await(consumer, sentAt, new ArrayList<>(), 1, Duration.ofMinutes(3));
                sentAt.clear();
                long periodNanos = (long) (1e9 / sendRate);
                long start = System.nanoTime();
                int count = (int) (seconds * sendRate);
                for (int i = 0; i < count; i++) {
                    long due = start + i * periodNanos;
                    while (System.nanoTime() < due) {
                        drain(consumer, sentAt, latencies);
                    }
                    send(producer, files.get(i % files.size()), "image-" + i, sentAt);
                }
                await(consumer, sentAt, latencies, count, Duration.ofMinutes(2));
            } finally {
                job.cancel().get();
            }
            print(sustained, sendRate, settings.checkpointInterval(), latencies);
        }
        return 0;
    }

    private static void send(KafkaProducer<String, byte[]> producer, Path file, String id, Map<String, Long> sentAt) {
        ImageRecord record = ImageRecord.newBuilder().setId(id).setSource("latency").setEventTime(Instant.now())
                .setInlineBytes(ByteBuffer.wrap(ImageFolders.read(file))).build();
        sentAt.put(id, System.nanoTime());
        producer.send(new ProducerRecord<>(Topics.IMAGES, id, IMAGES.encode(record)));
    }

    private static void drain(KafkaConsumer<byte[], byte[]> consumer, Map<String, Long> sentAt, List<Long> latencies) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(5))) {
            long now = System.nanoTime();
            Long sent;
            try {
                sent = sentAt.remove(LATENTS.decode(record.value()).getImageId());
            } catch (io.latentflow.schemas.MalformedRecordException e) {
                throw new IllegalStateException("a record on " + Topics.LATENTS + " is not a LatentRecord", e);
            }
            if (sent != null) {
                latencies.add((now - sent) / 1_000_000);
            }
        }
    }

    private static void await(KafkaConsumer<byte[], byte[]> consumer, Map<String, Long> sentAt, List<Long> latencies,
                              int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (latencies.size() < expected && !sentAt.isEmpty() && System.nanoTime() < deadline) {
            drain(consumer, sentAt, latencies);
        }
        if (!sentAt.isEmpty()) {
            throw new IllegalStateException(sentAt.size() + " image(s) got no latent within " + timeout);
        }
    }

    private void print(double sustained, double sendRate, Duration checkpointInterval, List<Long> latencies)
            throws Exception {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("encoderImagesPerSecond", Math.round(sustained * 10) / 10.0);
        figures.put("rate", Math.round(sendRate * 10) / 10.0);
        figures.put("images", sorted.size());
        figures.put("checkpointIntervalMs", checkpointInterval.toMillis());
        figures.put("p50Ms", percentile(sorted, 0.50));
        figures.put("p95Ms", percentile(sorted, 0.95));
        figures.put("p99Ms", percentile(sorted, 0.99));
        figures.put("maxMs", sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
        if (output.json()) {
            output.print(spec, figures);
            return;
        }
        spec.commandLine().getOut().println(String.format(Locale.ROOT, "encoder sustains %.1f img/s; streamed %d"
                        + " images at %.1f img/s with checkpoints every %d ms:%n  produce -> latent visible: p50 %d ms,"
                        + " p95 %d ms, p99 %d ms, max %d ms", sustained, sorted.size(), sendRate,
                checkpointInterval.toMillis(), figures.get("p50Ms"), figures.get("p95Ms"), figures.get("p99Ms"),
                figures.get("maxMs")));
        spec.commandLine().getOut().flush();
    }

    private static long percentile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    private static KafkaProducer<String, byte[]> producer(PipelineStack pipeline) {
        Properties props = pipeline.kafka().clientProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(PipelineStack pipeline) {
        Properties props = pipeline.kafka().clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}

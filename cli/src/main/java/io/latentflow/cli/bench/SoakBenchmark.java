package io.latentflow.cli.bench;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.EncoderRate;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.common.MonitorOptions;
import io.latentflow.cli.common.SamplingOptions;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.cli.stack.ServiceEncodeSettings;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.jobs.encode.EncodeJob;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.model.bench.ResidentMemory;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow bench soak}: the live service (the unbounded encode job with its drift monitor, training sampling
 * and registry follower, on the embedded stack in this JVM, as {@code run} has it) fed real photos at half the rate the
 * encoder sustains for {@code --minutes}, sampling this process every {@code --every-seconds}: live heap (after a full
 * collection), resident memory (PyTorch's tensors live outside the heap), open files and threads. A service runs for
 * weeks: what grows here grows there.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Stream photos at half load through the live service for --minutes and sample heap, resident"
                + " memory, open files and threads; report their drift after the warm-up.")
final class SoakBenchmark implements Callable<Integer> {

    private static final AvroCodec<ImageRecord> IMAGES = AvroCodec.of(ImageRecord.class);

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    MonitorOptions monitor;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    BenchImages images;

    @Option(names = "--minutes", defaultValue = "30", description = "How long to stream (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--every-seconds", defaultValue = "60", description = "Sampling period (default ${DEFAULT-VALUE}).")
    int everySeconds;

    @Option(names = "--warm-up-samples", defaultValue = "3",
            description = "Samples before the flatness is judged (default ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--rate", description = "Images per second (default: half of what the encoder sustains).")
    Double rate;

    @Mixin
    JsonOptions output;

    /** One look at this process. */
    record Sample(double minute, long imagesSent, long heapMiB, long residentMiB, long openFiles, int threads) {
    }

    @Override
    public Integer call() throws Exception {
        List<Path> files = ImageFolders.files(images.folder());
        double sustained = EncoderRate.sustained(files, job.encode);
        double sendRate = rate != null ? rate : sustained / 2;
        List<Sample> samples = new ArrayList<>();
        try (PipelineStack pipeline = PipelineStack.open(job.stack)) {
            EncodeJobSettings settings = ServiceEncodeSettings.of(pipeline, job.encode, monitor, sampling, true);
            JobClient job = EncodeJob.onKafka(settings).start(pipeline.newEnvironment());
            try (KafkaProducer<String, byte[]> producer = producer(pipeline)) {
                long periodNanos = (long) (1e9 / sendRate);
                long start = System.nanoTime();
                long end = start + (long) (minutes * 60e9);
                long nextSample = start;
                long sent = 0;
                while (System.nanoTime() < end) {
                    if (System.nanoTime() >= nextSample) {
                        samples.add(sample((System.nanoTime() - start) / 60e9, sent));
                        progress(samples.get(samples.size() - 1));
                        nextSample += everySeconds * 1_000_000_000L;
                    }
                    long due = start + sent * periodNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    send(producer, files.get((int) (sent % files.size())), "soak-" + sent);
                    sent++;
                }
                samples.add(sample((System.nanoTime() - start) / 60e9, sent));
            } finally {
                job.cancel().get();
            }
        }
        print(sustained, sendRate, samples);
        return 0;
    }

    private static Sample sample(double minute, long sent) throws IOException {
        ResidentMemory memory = ResidentMemory.afterGc();
        long openFiles;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            openFiles = fds.count();
        }
        return new Sample(Math.round(minute * 10) / 10.0, sent, memory.heapMiB(), memory.residentMiB(), openFiles,
                ManagementFactory.getThreadMXBean().getThreadCount());
    }

    private void progress(Sample sample) {
        spec.commandLine().getErr().printf(Locale.ROOT, "soak %5.1f min: %d images, heap %d MiB, resident %d MiB,"
                        + " %d open files, %d threads%n", sample.minute(), sample.imagesSent(), sample.heapMiB(),
                sample.residentMiB(), sample.openFiles(), sample.threads());
        spec.commandLine().getErr().flush();
    }

    private static void send(KafkaProducer<String, byte[]> producer, Path file, String id) {
        ImageRecord record = ImageRecord.newBuilder().setId(id).setSource("soak").setEventTime(Instant.now())
                .setInlineBytes(ByteBuffer.wrap(ImageFolders.read(file))).build();
        producer.send(new ProducerRecord<>(Topics.IMAGES, id, IMAGES.encode(record)));
    }

    /** Growth of each figure from the end of the warm-up to the end, relative to its value then. */
    private void print(double sustained, double sendRate, List<Sample> samples) throws Exception {
        List<Sample> judged = samples.subList(Math.min(warmUp, samples.size() - 1), samples.size());
        Sample first = judged.get(0);
        Sample last = judged.get(judged.size() - 1);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("encoderImagesPerSecond", Math.round(sustained * 10) / 10.0);
        figures.put("rate", Math.round(sendRate * 10) / 10.0);
        figures.put("minutes", minutes);
        figures.put("imagesSent", last.imagesSent());
        figures.put("heapGrowth", growth(judged, Sample::heapMiB));
        figures.put("residentGrowth", growth(judged, Sample::residentMiB));
        figures.put("openFilesGrowth", growth(judged, Sample::openFiles));
        figures.put("threadsGrowth", growth(judged, s -> (long) s.threads()));
        figures.put("afterWarmUp", first);
        figures.put("samples", samples);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, figures);
        } else {
            out.printf(Locale.ROOT, "soak: %d images at %.1f img/s (encoder sustains %.1f) over %.1f min%n",
                    last.imagesSent(), sendRate, sustained, minutes);
            out.printf("%8s %10s %9s %13s %11s %8s%n", "minute", "images", "heap MiB", "resident MiB", "open files",
                    "threads");
            for (Sample s : samples) {
                out.printf(Locale.ROOT, "%8.1f %10d %9d %13d %11d %8d%n", s.minute(), s.imagesSent(), s.heapMiB(),
                        s.residentMiB(), s.openFiles(), s.threads());
            }
            out.printf("growth after the warm-up (max - first, relative to first): heap %s, resident %s, open files"
                    + " %s, threads %s (target: within 10 %%)%n", figures.get("heapGrowth"),
                    figures.get("residentGrowth"), figures.get("openFilesGrowth"), figures.get("threadsGrowth"));
        }
        out.flush();
    }

    private static String growth(List<Sample> samples, java.util.function.ToLongFunction<Sample> figure) {
        long first = figure.applyAsLong(samples.get(0));
        long max = samples.stream().mapToLong(figure).max().orElse(first);
        return String.format(Locale.ROOT, "%+.1f %%", first == 0 ? 0 : 100.0 * (max - first) / first);
    }

    private static KafkaProducer<String, byte[]> producer(PipelineStack pipeline) {
        Properties props = pipeline.kafka().clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}

package io.latentflow.cli.bench;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.FolderCopies;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.common.MonitorOptions;
import io.latentflow.cli.stack.EncodeRun;
import io.latentflow.cli.stack.PipelineStack;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.jobs.drift.LatentStatsRecords;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.DriftAssessment;
import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import io.latentflow.model.drift.WindowStatistics;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentStatsWindow;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What the latent-drift monitor costs the encode pipeline, measured two ways in one run on the same model, images and
 * batch size: the pipeline's steady images/s without and with the monitor, in alternating rounds so that a
 * background load hits both alike; and the monitor's own CPU time per image (statistics, scoring, the record) against
 * the encoder's, timed directly on the same latents.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Encode pipeline images/s with and without the latent-drift monitor, and the monitor's CPU time"
                + " per image against the encoder's.")
final class MonitorBenchmark implements Callable<Integer> {

    /** One window's worth of images per minute of event time, as in the demo. */
    private static final Duration EVENT_STEP = Duration.ofMillis(1875);
    private static final int WINDOW_IMAGES = 32;

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    MonitorOptions monitor;

    @Mixin
    BenchImages images;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Measured pipeline runs without and with the monitor, alternating, after one warm-up run of"
                    + " each (default ${DEFAULT-VALUE} each).")
    int rounds;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Path folder = images.folder();
        List<Double> plain = new ArrayList<>();
        List<Double> monitored = new ArrayList<>();
        ReferenceProfile reference;
        long windows = 0;
        try (FolderCopies copies = images.copies();
             PipelineStack pipeline = PipelineStack.open(job.stack)) {
            List<Path> stream = copies.folders();
            EncodeJobSettings without = job.encode.settings(pipeline);
            EncodeJobSettings with = monitor.applyTo(without);
            reference = with.monitoring().orElseThrow(() -> new IllegalArgumentException(
                    "bench monitor compares runs with and without the monitor: drop --no-monitor")).reference();
            Instant eventTime = Instant.now().minus(Duration.ofDays(1));
            for (int round = 0; round <= rounds; round++) {
                for (EncodeJobSettings settings : List.of(without, with)) {
                    EncodeRun.Outcome outcome = new EncodeRun(pipeline, settings).run(stream, eventTime, EVENT_STEP);
                    eventTime = eventTime.plus(EVENT_STEP.multipliedBy(outcome.imagesIn() + WINDOW_IMAGES));
                    if (round > 0) { // round 0 warms the JIT and the caches up
                        (settings == with ? monitored : plain).add(outcome.steadyImagesPerSecond());
                        windows += outcome.windows().size();
                    }
                }
            }
        }
        CpuFigures cpu = measureCpu(folder, reference);
        double plainMedian = median(plain);
        double monitoredMedian = median(monitored);
        int imagesPerRun = images.repeat * ImageFolders.files(folder).size();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("model", reference.modelVersion());
        figures.put("resolution", job.encode.resolution);
        figures.put("batchSize", job.encode.batchSize);
        figures.put("rounds", rounds);
        figures.put("imagesPerRun", imagesPerRun);
        figures.put("pipelineImagesPerSecondWithout", plain.stream().map(MonitorBenchmark::round).toList());
        figures.put("pipelineImagesPerSecondWith", monitored.stream().map(MonitorBenchmark::round).toList());
        figures.put("pipelineCostPercentOfMedians", round(100 * (1 - monitoredMedian / plainMedian)));
        figures.put("windowsClosed", windows);
        figures.put("encodeMillisPerImage", round(cpu.encodeMillisPerImage));
        figures.put("monitorMillisPerImage", round4(cpu.monitorMillisPerImage));
        figures.put("monitorCpuPercentOfEncode", round(100 * cpu.monitorMillisPerImage / cpu.encodeMillisPerImage));
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, figures);
        } else {
            out.printf("%nmonitor benchmark, model %s, %d px, batch %d, %d round(s) of %d images after a warm-up%n",
                    reference.modelVersion(), job.encode.resolution, job.encode.batchSize, rounds,
                    imagesPerRun);
            out.printf("  pipeline without monitor, steady: %s images/s%n", plain.stream().map(MonitorBenchmark::round).toList());
            out.printf("  pipeline with monitor, steady:    %s images/s (%d windows closed)%n",
                    monitored.stream().map(MonitorBenchmark::round).toList(), windows);
            out.printf("  pipeline cost of the monitor:     %6.1f %% of the median (target <= 5 %%; noisy under a"
                    + " background load)%n", 100 * (1 - monitoredMedian / plainMedian));
            out.printf("  encoder CPU per image:            %8.3f ms%n", cpu.encodeMillisPerImage);
            out.printf("  monitor CPU per image:            %8.4f ms (%.2f %% of the encoder's)%n",
                    cpu.monitorMillisPerImage, 100 * cpu.monitorMillisPerImage / cpu.encodeMillisPerImage);
        }
        out.flush();
        return 0;
    }

    private record CpuFigures(double encodeMillisPerImage, double monitorMillisPerImage) {
    }

    /**
     * Encodes the folder once (timing the encoder, after a warm-up batch), then times what the monitor does per
     * window of 32 latents: accumulate, summarise, score, build and serialise the record. Repeated so the JIT has
     * compiled it, as it has in a running job.
     */
    private CpuFigures measureCpu(Path folder, ReferenceProfile reference) throws IOException {
        List<byte[]> pixels;
        List<float[]> latents = new ArrayList<>();
        double encodeSeconds;
        try (ServingModel model = io.latentflow.jobs.encode.ModelLocation.parse(job.encode.model).load();
             LatentEncoder encoder = model.newEncoder()) {
            ModelInputResizer resizer = new ModelInputResizer(job.encode.resolution,
                    model.config().downsamplingFactor());
            // a file that is not an image is dead-lettered by the pipeline: the encoder never sees it
            pixels = ImageFolders.prepare(ImageFolders.files(folder), new ImageDecoder(), resizer, (file, reason) -> { });
            int batch = job.encode.batchSize;
            encoder.encode(ModelInputBatch.toNchw(pixels.subList(0, Math.min(batch, pixels.size())),
                    job.encode.resolution), Math.min(batch, pixels.size()), job.encode.resolution,
                    job.encode.resolution);
            long started = System.nanoTime();
            for (int from = 0; from < pixels.size(); from += batch) {
                List<byte[]> chunk = pixels.subList(from, Math.min(pixels.size(), from + batch));
                float[] encoded = encoder.encode(ModelInputBatch.toNchw(chunk, job.encode.resolution), chunk.size(),
                        job.encode.resolution, job.encode.resolution);
                int perImage = encoded.length / chunk.size();
                for (int i = 0; i < chunk.size(); i++) {
                    latents.add(Arrays.copyOfRange(encoded, i * perImage, (i + 1) * perImage));
                }
            }
            encodeSeconds = (System.nanoTime() - started) / 1e9;
        }
        DriftScorer scorer = new DriftScorer(reference, io.latentflow.model.drift.DriftThresholds.DEFAULTS);
        AvroCodec<LatentStatsWindow> codec = AvroCodec.of(LatentStatsWindow.class);
        int passes = 5;
        long timed = 0;
        long images = 0;
        for (int pass = 0; pass < passes; pass++) {
            long started = System.nanoTime();
            for (int from = 0; from < latents.size(); from += WINDOW_IMAGES) {
                WindowAccumulator accumulator = new WindowAccumulator(reference);
                int to = Math.min(latents.size(), from + WINDOW_IMAGES);
                for (int i = from; i < to; i++) {
                    accumulator.add("image-" + i, "bench", i, latents.get(i), reference.novelty(latents.get(i)));
                }
                WindowStatistics statistics = accumulator.result();
                DriftAssessment assessment = scorer.assess(statistics);
                codec.encode(LatentStatsRecords.toRecord(reference.modelVersion(), 0, 60_000, statistics, reference,
                        assessment, scorer.thresholds()));
            }
            if (pass >= 2) { // the first passes warm the JIT up
                timed += System.nanoTime() - started;
                images += latents.size();
            }
        }
        return new CpuFigures(encodeSeconds * 1000 / latents.size(), timed / 1e6 / images);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return 0;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static double round4(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}

package io.latentflow.cli.bench;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.EncoderRate;
import io.latentflow.cli.bench.support.FolderCopies;
import io.latentflow.cli.bench.support.PeakOptions;
import io.latentflow.model.bench.ComputeRate;
import io.latentflow.model.bench.CpuModel;
import io.latentflow.model.bench.CpuPeak;
import io.latentflow.model.bench.ResidentMemory;
import io.latentflow.cli.common.EncodeJobOptions;
import io.latentflow.cli.common.SamplingOptions;
import io.latentflow.cli.stack.EncodeRun;
import io.latentflow.cli.stack.PipelineStack;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Raw encoder throughput (DJL forward alone on pre-decoded batches) against the whole pipeline's
 * (Kafka -> decode -> batch -> encode -> shards + Kafka, exactly once) on the same model, images and
 * batch size, in one run. The pipeline's figure is its steady state: from its first to its last batch.
 */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Raw encoder images/s vs end-to-end pipeline images/s, and their ratio.")
final class EncodeBenchmark implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(EncodeBenchmark.class);

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeJobOptions job;

    @Mixin
    BenchImages images;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--sampling", description = "Run the pipeline with training sampling (to measure its cost).")
    boolean withSampling;

    @Mixin
    PeakOptions peakOptions;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Path folder = images.folder();
        CpuPeak peak = peakOptions.peak();
        EncoderRate.Measured raw = EncoderRate.overFolder(job.encode, folder, images.repeat);
        // PyTorch's weights and activations live outside the heap: what a model costs at a batch and size is the
        // resident peak, read per phase (the pipeline's includes the embedded Kafka, object store and Flink).
        ResidentMemory afterRaw = ResidentMemory.now();
        boolean peakSeparated = ResidentMemory.resetPeak();
        EncodeRun.Outcome pipeline;
        try (FolderCopies copies = images.copies();
             PipelineStack stackInstance = PipelineStack.open(job.stack)) {
            pipeline = new EncodeRun(stackInstance, sampling.applyTo(job.encode.settings(stackInstance), withSampling))
                    .run(copies.folders(), Instant.now(), Duration.ofMillis(10));
        }
        ResidentMemory afterPipeline = ResidentMemory.now();
        double pipelinePerSecond = pipeline.steadyImagesPerSecond();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("model", raw.modelVersion());
        figures.put("resolution", job.encode.resolution);
        figures.put("batchSize", job.encode.batchSize);
        figures.put("sampling", withSampling ? sampling.settings().perSource() + " per source per "
                + sampling.window + ", " + sampling.perSourcePerHour + " per hour" : "off");
        figures.put("images", raw.images());
        figures.put("pipelineImages", pipeline.imagesIn());
        figures.put("rawEncoderImagesPerSecond", round(raw.imagesPerSecond()));
        figures.put("pipelineImagesPerSecond", round(pipelinePerSecond));
        figures.put("ratio", round(pipelinePerSecond / raw.imagesPerSecond()));
        // The encoder's FLOPs at the raw encoder's rate: how close the bare model runs to the CPU's peak.
        ComputeRate compute = ComputeRate.of(raw.flopsPerImage(), raw.imagesPerSecond(), peak);
        figures.put("gflopsPerImage", compute.gflopsPerImage());
        figures.put("achievedGflops", round(compute.achievedGflops()));
        figures.put("peakGflops", round(peak.gflops()));
        figures.put("peakFraction", Math.round(compute.peakFraction() * 1000) / 1000.0);
        figures.put("pipelineAchievedGflops", round(ComputeRate.of(raw.flopsPerImage(), pipelinePerSecond, peak)
                .achievedGflops()));
        figures.put("peakDerivation", peak.derivation());
        CpuModel cpu = CpuModel.detect();
        figures.put("cpu", cpu.describe());
        figures.put("cpuFlags", cpu.kernelFlags());
        figures.put("pipelineWallImagesPerSecond", round(pipeline.imagesIn() / pipeline.jobSeconds()));
        figures.put("pipelineJobSeconds", round(pipeline.jobSeconds()));
        figures.put("pipelineBatchSizes", pipeline.batchSizes());
        figures.put("rawEncoderPeakResidentMiB", afterRaw.peakResidentMiB());
        figures.put("pipelinePeakResidentMiB", peakSeparated ? afterPipeline.peakResidentMiB() : null);
        figures.put("latentsWritten", pipeline.latents().size());
        figures.put("deadLettered", pipeline.deadLetters().size());
        java.io.PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, figures);
        } else {
            out.printf("%nencode benchmark, model %s, %d px, batch %d, %d images (the pipeline streams them %d"
                    + " times), training sampling %s%n", raw.modelVersion(), job.encode.resolution,
                    job.encode.batchSize, raw.images(), images.repeat, figures.get("sampling"));
            out.printf("  raw encoder (DJL forward on pre-decoded batches): %8.1f images/s%n", raw.imagesPerSecond());
            out.printf("  pipeline, steady state (first to last batch):     %8.1f images/s%n", pipelinePerSecond);
            out.printf("  ratio pipeline / raw:                             %8.2f (target >= 0.90)%n",
                    pipelinePerSecond / raw.imagesPerSecond());
            out.printf("  pipeline wall time incl. start-up and final checkpoint: %.1f s (%.1f images/s)%n",
                    pipeline.jobSeconds(), pipeline.imagesIn() / pipeline.jobSeconds());
            out.printf("  batches the micro-batcher cut (size=count):       %s%n", pipeline.batchSizes());
            out.printf("  peak resident memory, raw encoder phase:          %8d MiB%n", afterRaw.peakResidentMiB());
            if (peakSeparated) {
                out.printf("  peak resident memory, pipeline phase (whole stack): %6d MiB%n",
                        afterPipeline.peakResidentMiB());
            }
            out.printf("  encoder FLOPs (from the architecture):            %8.3f GFLOP/image%n",
                    compute.gflopsPerImage());
            out.printf("  raw encoder achieves:                             %8.1f GFLOP/s, %.1f %% of FP32 peak%n",
                    compute.achievedGflops(), 100 * compute.peakFraction());
            out.printf("  pipeline achieves:                                %8.1f GFLOP/s%n",
                    figures.get("pipelineAchievedGflops"));
            out.printf("  FP32 peak: %s%n", peak.derivation());
            out.printf("  CPU: %s%n", cpu.describe());
        }
        out.flush();
        return 0;
    }

    /** Two decimals, or three significant digits below 1: a full-size VAE encodes 0.05 images/s on a busy CPU. */
    private static double round(double value) {
        if (!Double.isFinite(value) || value == 0 || Math.abs(value) >= 1) {
            return Math.round(value * 100) / 100.0;
        }
        return new BigDecimal(value).round(new MathContext(3)).doubleValue();
    }
}

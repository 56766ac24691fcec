package io.latentflow.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.cli.bench.support.EagerEncoderBenchmark;
import io.latentflow.cli.bench.support.PeakOptions;
import io.latentflow.cli.common.Home;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.JsonPrinter;
import io.latentflow.model.Precision;
import io.latentflow.model.ServingModel;
import io.latentflow.model.bench.CpuModel;
import io.latentflow.model.bench.Iterations;
import io.latentflow.model.bench.ModelBenchmark;
import io.latentflow.model.bench.ModelBenchmarkReport;
import io.latentflow.model.bench.PrecisionComparison;
import io.latentflow.model.train.MicroBatching;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow bench model}: encode/decode throughput of a model (and the training-step time of the shipped
 * default model), optionally against PyTorch eager on the same imported VAE.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Encode/decode images/s of a model at each size, same batch; for the shipped default model also"
                + " the train-step time (the trainer's own step, its recipe). Each with its FLOPs per image (counted"
                + " from the architecture), achieved GFLOP/s and fraction of the CPU's FP32 peak.")
final class ModelBenchmarkCommand implements Callable<Integer> {

    private static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "64,128,256", paramLabel = "PX",
            description = "Image sides (and training crop sides), multiples of the model's f"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--batch", defaultValue = "16", description = "Images per step and per call (default: 16).")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default: 2, as training).")
    int threads;

    @Option(names = "--train-warmup", defaultValue = "2", description = "Unmeasured training steps per size.")
    int trainWarmup;

    @Option(names = "--train-steps", defaultValue = "3", description = "Measured training steps per size.")
    int trainSteps;

    @Option(names = "--warmup", defaultValue = "2", description = "Unmeasured encode and decode calls per size.")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10", description = "Measured encode and decode calls per size.")
    int iterations;

    @Option(names = "--micro-batch", defaultValue = "auto", paramLabel = "N|auto",
            description = "The training step is timed whole and, beside it in the same run, in micro-batches of N"
                    + " images (auto: as many as keep the largest activation under the serving split's budget, one"
                    + " image at 256 px), wherever that splits the batch; prints both step ratios of the largest"
                    + " to the smallest size (default: ${DEFAULT-VALUE}).")
    String microBatch;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Images the training step crops (default: the shipped sample photos).")
    Path images;

    @Option(names = "--model", paramLabel = "DIR|default", defaultValue = "default",
            description = "A model version directory (e.g. an imported VAE), or the shipped default (default).")
    String model;

    @Option(names = "--eager-python", paramLabel = "PYTHON",
            description = "With an imported VAE: also time its encoder in PyTorch eager with this Python (e.g."
                    + " /usr/bin/python3 with Debian's python3-torch), same sizes, batch and threads, and print"
                    + " latentflow / eager.")
    Path eagerPython;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16|auto",
            description = "What the convolutions compute in (default: fp32). bf16 also times the default model's"
                    + " encoder in fp32 and bf16 side by side at the largest size, with the PSNR each reaches on the"
                    + " held-out photos (samples/unseen-photos).")
    String precision;

    @Mixin
    PeakOptions peak;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        ModelBenchmarkReport report;
        Precision.Choice choice;
        try {
            choice = Precision.parse(precision).resolve(ServingModel.defaultDevice());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            spec.commandLine().getErr().println("bench model: " + e.getMessage());
            return USAGE;
        }
        spec.commandLine().getErr().println("bench model: precision " + choice.line());
        try {
            report = ModelBenchmark.run(new ModelBenchmark.Options(sizes, batch, threads,
                    images != null ? images : Home.samples().resolve("photos"),
                    new Iterations(trainWarmup, trainSteps), new Iterations(warmup, iterations),
                    "default".equals(model) ? null : Path.of(model), MicroBatching.parse(microBatch)), peak.peak());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench model: " + e.getMessage());
            return USAGE;
        }
        List<EagerEncoderBenchmark.Result> eager = new ArrayList<>();
        if (eagerPython != null) {
            if ("default".equals(model)) {
                spec.commandLine().getErr().println("bench model: --eager-python needs --model DIR of an imported VAE");
                return USAGE;
            }
            for (ModelBenchmarkReport.Row row : report.rows()) {
                eager.add(EagerEncoderBenchmark.run(eagerPython, Path.of(model), row.size(), batch, threads,
                        new Iterations(warmup, iterations), row.encodeImagesPerSecond()));
            }
        }
        PrecisionComparison.Result sideBySide = choice.used() == Precision.BF16
                ? PrecisionComparison.compare(Home.samples().resolve("unseen-photos"),
                        sizes.stream().mapToInt(Integer::intValue).max().orElseThrow(), batch, threads,
                        new Iterations(warmup, iterations), 2)
                : null;
        CpuModel cpu = CpuModel.detect();
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            ObjectNode root = (ObjectNode) (eager.isEmpty() ? JsonPrinter.parse(report.toJson())
                    : EagerEncoderBenchmark.json(report, eager));
            root.put("precision", choice.used().optionValue()).put("precisionReason", choice.reason());
            root.put("cpu", cpu.describe());
            cpu.kernelFlags().forEach(root.putArray("cpuFlags")::add);
            if (sideBySide != null) {
                root.putObject("bf16OverFp32").put("size", sideBySide.size())
                        .put("fp32EncodeImagesPerSecond", sideBySide.fp32().imagesPerSecond())
                        .put("bf16EncodeImagesPerSecond", sideBySide.bf16().imagesPerSecond())
                        .put("speedUp", sideBySide.speedUp()).put("heldOutImages", sideBySide.fp32().images())
                        .put("fp32Psnr", sideBySide.fp32().psnr()).put("bf16Psnr", sideBySide.bf16().psnr())
                        .put("psnrLossDb", sideBySide.psnrLossDb());
            }
            output.print(out, root);
        } else {
            out.print(report.toTable());
            out.println("CPU: " + cpu.describe());
            eager.forEach(result -> out.println(result.line()));
            if (sideBySide != null) {
                out.println(sideBySide.line());
            }
        }
        out.flush();
        return 0;
    }
}

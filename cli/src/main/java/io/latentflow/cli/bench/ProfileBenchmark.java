package io.latentflow.cli.bench;

import io.latentflow.cli.bench.support.PeakOptions;
import io.latentflow.cli.common.JsonOptions;
import io.latentflow.model.bench.ComputeRate;
import io.latentflow.model.bench.CpuModel;
import io.latentflow.model.bench.CpuPeak;
import io.latentflow.model.bench.EncoderProfile;
import io.latentflow.model.bench.Iterations;
import io.latentflow.model.bench.OneDnnLog;
import java.io.PrintWriter;
import java.util.ArrayList;
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
 * {@code latentflow bench profile}: where the encoder's time goes, for each batch size and intra-op thread count asked
 * for, each in a child JVM with oneDNN's verbose log and the PyTorch profiler on: the time by kind of work, and each
 * convolution shape's GFLOP/s against its channel count.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Profile the encoder: its time by kind (convolution, reorder, group norm, SiLU, adds, ...) from"
                + " oneDNN's verbose log and the PyTorch profiler, and GFLOP/s per convolution shape; per batch size"
                + " and thread count, each in a process of its own with the environment given.")
final class ProfileBenchmark implements Callable<Integer> {

    private static final int SHAPES_SHOWN = 10;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|default", defaultValue = "default",
            description = "A model version directory, or the shipped default (default).")
    String model;

    @Option(names = "--resolution", defaultValue = "256", description = "Image side in pixels (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--batches", defaultValue = "16", split = ",",
            description = "Images per encoder call, one profile each (default ${DEFAULT-VALUE}; e.g. 1,4,8,16).")
    List<Integer> batches;

    @Option(names = "--threads", defaultValue = "2", split = ",",
            description = "Intra-op threads, one profile each (default ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--warmup", defaultValue = "2", description = "Unmeasured calls first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "4",
            description = "Timed calls, then as many profiled ones (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--env", paramLabel = "NAME=VALUE",
            description = "An environment variable of the profiled process (oneDNN's ONEDNN_*, glibc's MALLOC_*,"
                    + " OMP_*); repeatable.")
    List<String> environment = new ArrayList<>();

    @Option(names = "--jvm-option", paramLabel = "OPTION",
            description = "A JVM option of the profiled process, e.g. -Dlatentflow.model.maxActivationMb=0 (no"
                    + " sub-batches); repeatable.")
    List<String> jvmOptions = new ArrayList<>();

    @Mixin
    PeakOptions peakOptions;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() {
        CpuPeak peak = peakOptions.peak();
        CpuModel cpu = CpuModel.detect();
        Map<String, String> env = EncoderProfile.pairs(environment);
        List<EncoderProfile.Result> results = new ArrayList<>();
        for (int threadCount : threads) {
            for (int batch : batches) {
                spec.commandLine().getErr().printf("bench profile: %d px, batch %d, %d thread(s) ...%n", resolution,
                        batch, threadCount);
                spec.commandLine().getErr().flush();
                results.add(EncoderProfile.run(new EncoderProfile.Setup(model, resolution, batch, threadCount,
                        new Iterations(warmup, iterations), env, jvmOptions), peak));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("model", model);
            figures.put("resolution", resolution);
            figures.put("environment", env);
            figures.put("jvmOptions", jvmOptions);
            figures.put("cpu", cpu.describe());
            figures.put("cpuFlags", cpu.kernelFlags());
            figures.put("peakGflops", round(peak.gflops()));
            figures.put("peakDerivation", peak.derivation());
            figures.put("profiles", results.stream().map(ProfileBenchmark::json).toList());
            output.print(out, figures);
        } else {
            out.printf("%nencoder profile, model %s, %d px; CPU %s; FP32 peak %s%n", model, resolution,
                    cpu.describe(), peak.derivation());
            if (!env.isEmpty() || !jvmOptions.isEmpty()) {
                out.printf("environment %s, JVM options %s%n", env, jvmOptions);
            }
            results.forEach(result -> print(out, result));
        }
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, EncoderProfile.Result result) {
        ComputeRate rate = result.compute();
        double wall = result.millisPerCall();
        out.printf("%nbatch %d, %d thread(s): %.2f images/s, %.1f ms a call, %.1f GFLOP/s = %.1f %% of the FP32 peak"
                        + " (load %.1f -> %.1f)%n", result.setup().batch(), result.setup().threads(),
                result.imagesPerSecond(), wall, rate.achievedGflops(), 100 * rate.peakFraction(), result.loadBefore(),
                result.loadAfter());
        out.printf("  oneDNN (verbose log), ms a call and share of the call:%n");
        result.oneDnn().millisByKind().forEach((kind, millis) ->
                out.printf("    %-40s %8.1f ms %6.1f %%%n", kind, millis, 100 * millis / wall));
        double outside = wall - result.oneDnn().totalMillis();
        out.printf("    %-40s %8.1f ms %6.1f %%%n", "outside oneDNN", outside, 100 * outside / wall);
        // the profiler's own overhead makes its calls slower than the timed ones: shares of its own total
        double profiled = result.opKinds().values().stream().mapToDouble(Double::doubleValue).sum();
        out.printf("  PyTorch profiler, operators' self time by kind (share of the profiled call, %.1f ms):%n", profiled);
        result.opKinds().forEach((kind, millis) -> {
            if (millis >= 0.005 * profiled) {
                out.printf("    %-40s %8.1f ms %6.1f %%%n", kind, millis, 100 * millis / profiled);
            }
        });
        out.printf("  convolutions by shape (slowest first): in -> out channels, output side, kernel/stride, oneDNN's"
                + " kernel, runs a call, ms a call, GFLOP/s%n");
        for (OneDnnLog.ConvolutionShape shape : result.oneDnn().convolutions().stream().limit(SHAPES_SHOWN).toList()) {
            out.printf("    %4d -> %-4d %4d px %dx%d/%d %-22s %3d x %8.2f ms %7.1f GFLOP/s%n", shape.inputChannels(),
                    shape.outputChannels(), shape.outputSide(), shape.kernel(), shape.kernel(), shape.stride(),
                    shape.implementation(), shape.executions(), shape.millis(), shape.achievedGflops());
        }
    }

    private static Map<String, Object> json(EncoderProfile.Result result) {
        ComputeRate rate = result.compute();
        double wall = result.millisPerCall();
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("batch", result.setup().batch());
        profile.put("threads", result.setup().threads());
        profile.put("imagesPerSecond", round(result.imagesPerSecond()));
        profile.put("millisPerCall", round(wall));
        profile.put("gflopsPerImage", rate.gflopsPerImage());
        profile.put("achievedGflops", round(rate.achievedGflops()));
        profile.put("peakFraction", Math.round(rate.peakFraction() * 1000) / 1000.0);
        Map<String, Object> oneDnn = new LinkedHashMap<>();
        result.oneDnn().millisByKind().forEach((kind, millis) -> oneDnn.put(kind, round(millis)));
        oneDnn.put("outside oneDNN", round(wall - result.oneDnn().totalMillis()));
        profile.put("oneDnnMillisPerCall", oneDnn);
        Map<String, Object> kinds = new LinkedHashMap<>();
        result.opKinds().forEach((kind, millis) -> kinds.put(kind, round(millis)));
        profile.put("operatorKindsSelfMillisPerCall", kinds);
        profile.put("convolutions", result.oneDnn().convolutions().stream().map(ProfileBenchmark::json).toList());
        profile.put("loadAverageBefore", round(result.loadBefore()));
        profile.put("loadAverageAfter", round(result.loadAfter()));
        return profile;
    }

    private static Map<String, Object> json(OneDnnLog.ConvolutionShape shape) {
        Map<String, Object> convolution = new LinkedHashMap<>();
        convolution.put("shape", shape.shape());
        convolution.put("implementation", shape.implementation());
        convolution.put("inputChannels", shape.inputChannels());
        convolution.put("outputChannels", shape.outputChannels());
        convolution.put("outputSide", shape.outputSide());
        convolution.put("kernel", shape.kernel());
        convolution.put("stride", shape.stride());
        convolution.put("executionsPerCall", shape.executions());
        convolution.put("millisPerCall", round(shape.millis()));
        convolution.put("achievedGflops", round(shape.achievedGflops()));
        return convolution;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}

package io.latentflow.model.bench;

import io.latentflow.model.store.ModelDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where an encoder's time goes: {@link EncoderProfileRun} in a child JVM with oneDNN's verbose log on (its
 * environment also holds what is tried: oneDNN and allocator settings, which a process reads once), then the time of
 * each oneDNN primitive summed by kind, each convolution shape's GFLOP/s, and the PyTorch profiler's self time of the
 * operators oneDNN does not run (the norms, the activations, the adds), sorted into kinds.
 */
public final class EncoderProfile {

    /** What is profiled: the model ("default" or a directory), size, batch, intra-op threads, the child's extras. */
    public record Setup(String model, int size, int batch, int threads, Iterations iterations,
                        Map<String, String> environment, List<String> jvmOptions) {
    }

    /**
     * @param opKinds      the PyTorch profiler's self times per call, by kind ({@link #kindOf})
     * @param ops          the same by operator, largest first
     */
    public record Result(Setup setup, double imagesPerSecond, long flopsPerImage, CpuPeak peak, OneDnnLog oneDnn,
                         Map<String, Double> opKinds, Map<String, Double> ops, double loadBefore, double loadAfter) {

        public double millisPerCall() {
            return setup.batch() * 1000 / imagesPerSecond;
        }

        public ComputeRate compute() {
            return ComputeRate.of(flopsPerImage, imagesPerSecond, peak);
        }
    }

    private EncoderProfile() {
    }

    public static Result run(Setup setup, CpuPeak peak) {
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        try {
            Path work = Files.createTempDirectory("encoder-profile");
            try {
                Path log = work.resolve("child.log");
                Path trace = work.resolve("trace.json");
                List<String> command = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx3g",
                        "-Dai.djl.offline=true"));
                command.addAll(setup.jvmOptions());
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), EncoderProfileRun.class.getName(),
                        setup.model(), Integer.toString(setup.size()), Integer.toString(setup.batch()),
                        Integer.toString(setup.threads()), Integer.toString(setup.iterations().warmup()),
                        Integer.toString(setup.iterations().measured()), trace.toString()));
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                builder.environment().putAll(setup.environment());
                builder.environment().put("ONEDNN_VERBOSE", "1");
                Process child = builder.start();
                if (!child.waitFor(30, TimeUnit.MINUTES)) {
                    child.destroyForcibly();
                    throw new IllegalStateException("the profiled encoder did not finish in 30 minutes");
                }
                List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                String[] result = lines.stream().filter(line -> line.startsWith("result ")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("the profiled encoder exited "
                                + child.exitValue() + " without a result; its last lines: "
                                + lines.subList(Math.max(0, lines.size() - 5), lines.size())))
                        .split(" ");
                int calls = Integer.parseInt(result[2]);
                OpTrace ops = OpTrace.read(trace, setup.iterations().measured());
                Map<String, Double> kinds = new LinkedHashMap<>();
                ops.selfMillisByOp().forEach((op, millis) -> kinds.merge(kindOf(op), millis, Double::sum));
                return new Result(setup, Double.parseDouble(result[1]), Long.parseLong(result[3]), peak,
                        OneDnnLog.parse(lines, calls), kinds, ops.selfMillisByOp(), loadBefore,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            } finally {
                ModelDirectory.deleteRecursively(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot profile the encoder", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the encoder was profiled", e);
        }
    }

    /**
     * The kind of work a PyTorch operator is in this network: the convolutions (oneDNN's, with their reorders), the
     * group norms (a layer norm over each group, then a per-channel scale and shift), SiLU (a sigmoid and a multiply),
     * attention's products and softmax, the adds (norm shifts, residuals), copies and allocation, and the rest.
     */
    static String kindOf(String op) {
        String name = op.startsWith("aten::") ? op.substring(6) : op;
        if (name.contains("conv")) {
            return "convolution (oneDNN, reorders included)";
        }
        if (name.contains("layer_norm") || name.contains("group_norm")) {
            return "group norm (layer norm kernel)";
        }
        if (name.startsWith("sigmoid") || name.startsWith("silu") || name.startsWith("mul")) {
            return "SiLU and norm scale (sigmoid, mul)";
        }
        if (name.startsWith("add") || name.startsWith("sub")) {
            return "adds (norm shift, residuals)";
        }
        if (name.contains("bmm") || name.contains("matmul") || name.contains("softmax") || name.equals("mm")
                || name.contains("linear") || name.contains("addmm")) {
            return "attention and linear";
        }
        if (name.contains("copy") || name.contains("contiguous") || name.contains("clone") || name.startsWith("empty")
                || name.startsWith("to") || name.startsWith("_to") || name.contains("cat") || name.contains("zeros")
                || name.contains("ones") || name.contains("fill")) {
            return "copies and allocation";
        }
        return "other (" + name + ")";
    }

    /** {@code key=value} pairs, as the command line gives them. */
    public static Map<String, String> pairs(List<String> assignments) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("'" + assignment + "' is not NAME=VALUE");
            }
            pairs.put(assignment.substring(0, equals), assignment.substring(equals + 1));
        }
        return pairs;
    }
}

package io.latentflow.cli.bench.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.bench.Iterations;
import io.latentflow.model.bench.ModelBenchmarkReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The same imported VAE's encoder in PyTorch eager, timed by the reference generator's {@code bench-encoder} (the
 * network written from diffusers' source, on the version's own float32 encoder weights), right after latentflow's
 * own measurement: the same machine, threads, size and batch, so the ratio is the comparison.
 */
public final class EagerEncoderBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = "model/src/test/python/make_diffusers_fixtures.py";

    /** @param ratio latentflow's encoder images/s over eager's */
    public record Result(int size, String torch, double eagerImagesPerSecond, double latentflowImagesPerSecond,
                  double ratio) {
        public String line() {
            return String.format(Locale.ROOT, "encoder at %d px: latentflow %.3f images/s, PyTorch %s eager %.3f"
                    + " images/s: %.2fx", size, latentflowImagesPerSecond, torch, eagerImagesPerSecond, ratio);
        }
    }

    private EagerEncoderBenchmark() {
    }

    public static Result run(Path python, Path versionDir, int size, int batch, int threads, Iterations iterations,
                      double latentflowImagesPerSecond) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("latentflow.home", ".")).resolve(SCRIPT).toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no " + script + ": run ./latentflow from the project folder");
        }
        Process process = new ProcessBuilder(python.toString(), script.toString(), "bench-encoder",
                versionDir.toAbsolutePath().toString(), String.valueOf(size), String.valueOf(batch),
                String.valueOf(threads), String.valueOf(iterations.warmup()), String.valueOf(iterations.measured()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0 || output.isEmpty()) {
            throw new IllegalStateException(python + " " + script + " bench-encoder failed (exit "
                    + process.exitValue() + "): is PyTorch installed for it (Debian: python3-torch)?");
        }
        JsonNode eager = JSON.readTree(output.substring(output.lastIndexOf('\n') + 1));
        double eagerRate = eager.get("imagesPerSecond").asDouble();
        return new Result(size, eager.get("torch").asText(), eagerRate, latentflowImagesPerSecond,
                latentflowImagesPerSecond / eagerRate);
    }

    /** The report's JSON with {@code eager}: per size, eager images/s and latentflow's ratio to it. */
    public static ObjectNode json(ModelBenchmarkReport report, List<Result> results) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(report.toJson());
        ArrayNode eager = root.putArray("eager");
        for (Result result : results) {
            eager.addObject().put("size", result.size()).put("torch", result.torch())
                    .put("eagerEncodeImagesPerSecond", result.eagerImagesPerSecond())
                    .put("latentflowOverEager", result.ratio());
        }
        return root;
    }
}

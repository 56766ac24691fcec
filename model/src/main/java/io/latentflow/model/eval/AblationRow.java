package io.latentflow.model.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of an ablation as its trainer recorded it in the model directory's metrics.json: the validation figures
 * (the evaluator's report) and the settings that make the budget comparable (steps, crop, batch, seed), with the
 * budget it was given: steps, or minutes (then {@code steps} is what it did in them).
 *
 * @param budgetSteps   the step budget; for a run written before budgets were recorded, the steps it did
 * @param budgetMinutes the time budget, or null for none
 * @param clock         what the time budget counted: {@code wall}, or {@code thread-cpu} (the training thread's CPU
 *                      time); {@code wall} for a run written before clocks were recorded
 * @param curve         the evaluations along the budget, the last at its end; empty for a run trained without a curve
 */
public record AblationRow(
        String name,
        String label,
        EvaluationReport validation,
        List<String> validationSources,
        long steps,
        int cropSize,
        int batchSize,
        long seed,
        int trainImages,
        double minutes,
        double secondsPerStep,
        String command,
        Long budgetSteps,
        Double budgetMinutes,
        String clock,
        List<CurvePoint> curve) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public AblationRow {
        validationSources = List.copyOf(validationSources);
        curve = List.copyOf(curve);
    }

    /** Reads {@code modelDir/metrics.json}; throws naming the run when it has no validation figures. */
    public static AblationRow read(String name, String label, Path modelDir) throws IOException {
        Path file = modelDir.resolve(ModelDirectory.METRICS);
        JsonNode metrics = JSON.readTree(Files.readString(file));
        if (!metrics.hasNonNull("psnr")) {
            throw new IllegalArgumentException("run " + name + ": " + file + " has no validation figures (trained on"
                    + " a single source photo?); train it on a folder with several source photos");
        }
        JsonNode training = metrics.path("training");
        if (!training.hasNonNull("steps")) {
            throw new IllegalArgumentException("run " + name + ": " + file + " does not say how it was trained (no"
                    + " training.steps); it was not written by latentflow train");
        }
        Long budgetSteps;
        if (!training.has("budgetSteps")) {
            budgetSteps = training.get("steps").asLong();
        } else {
            budgetSteps = training.get("budgetSteps").isNull() ? null : training.get("budgetSteps").asLong();
        }
        Double budgetMinutes = training.hasNonNull("budgetMinutes") ? training.get("budgetMinutes").asDouble() : null;
        List<CurvePoint> curve = new ArrayList<>();
        training.path("curve").forEach(point -> curve.add(CurvePoint.fromJson(point)));
        List<String> sources = new ArrayList<>();
        metrics.path("validationSources").forEach(source -> sources.add(source.asText()));
        return new AblationRow(name, label, EvaluationReport.fromJson(metrics.toString()), sources,
                training.get("steps").asLong(), training.path("cropSize").asInt(), training.path("batchSize").asInt(),
                training.path("seed").asLong(), training.path("trainImages").asInt(), training.path("minutes")
                .asDouble(), training.path("secondsPerStep").asDouble(), training.path("command").asText(), budgetSteps,
                budgetMinutes, training.path("clock").asText("wall"), curve);
    }

    /** The curve's point at the end of the budget, or null without a curve. */
    public CurvePoint end() {
        return curve.isEmpty() ? null : curve.get(curve.size() - 1);
    }

    public double minChannelStd() {
        return validation.channelStd().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public double maxChannelStd() {
        return validation.channelStd().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}

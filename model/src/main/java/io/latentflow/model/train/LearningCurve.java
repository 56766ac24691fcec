package io.latentflow.model.train;

import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.EvaluationReport;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the weight average on the validation images at fractions of the budget and at its end, off the budget, so
 * that a comparison at equal compute shows the curve (did the ranking still move between the last two points?) and
 * not one point of it. Each point keeps every image's PSNR and SSIM, in the validation images' order, for paired
 * comparisons between runs; the end point also decodes noisy latents after the optimal linear denoiser (a diffusion
 * sampler's last step), beside the raw noise the exported validation measures. Recorded as {@code training.curve} in
 * metrics.json, and as it grows in a file beside the checkpoints, so that a resumed run keeps the points it had
 * measured up to its checkpoint.
 */
final class LearningCurve implements TrainingCallback {

    private static final Logger LOG = LoggerFactory.getLogger(LearningCurve.class);
    static final String REPORT_KEY = "curve";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Double> fractions;
    private final List<ImageBatch> validation;
    private final Path store;
    private final List<Map<String, Object>> points = new ArrayList<>();
    private int next;

    /**
     * @param fractions of the budget, ascending, each in (0, 1); the end of the budget is always a point
     * @param store     where the points measured so far are kept for a resume (beside the checkpoint directory)
     */
    LearningCurve(List<Double> fractions, List<ImageBatch> validation, Path store) {
        this.fractions = fractions.stream().sorted().toList();
        this.validation = validation;
        this.store = store;
    }

    /** The file beside a run's checkpoint directory that keeps its curve until the model directory has it. */
    static Path storeFor(Path checkpointDir) {
        Path dir = checkpointDir.toAbsolutePath();
        return dir.resolveSibling(dir.getFileName() + ".curve.json");
    }

    @Override
    public void onTrainStart(TrainingContext context) throws IOException {
        if (context.firstStep() > 0 && Files.isRegularFile(store)) {
            // the points up to the checkpoint's step; one measured after it belongs to steps about to be redone
            for (JsonNode point : JSON.readTree(Files.readString(store))) {
                if (point.path("step").asLong() <= context.firstStep()) {
                    points.add(JSON.convertValue(point, new TypeReference<Map<String, Object>>() { }));
                }
            }
        }
        next = points.size();
        // fractions passed before a resume without a point (a curve file lost) are not measured late
        double progress = context.budget().progress(context.step(), context.elapsed());
        while (next < fractions.size() && fractions.get(next) <= progress && context.firstStep() > 0) {
            next++;
        }
    }

    @Override
    public void onStepEnd(TrainingContext context) throws IOException {
        if (validation.isEmpty() || next >= fractions.size() || context.isLastStep()
                || context.budget().progress(context.step(), context.elapsed()) < fractions.get(next)) {
            return;
        }
        recordReached(context, measure(context, EvaluationOptions.reconstructionOnly()));
    }

    @Override
    public void onTrainEnd(TrainingContext context) throws IOException {
        if (validation.isEmpty()) {
            return;
        }
        Map<String, Object> end = measure(context, EvaluationOptions.defaults().withoutScaleEquivariance()
                .withDenoised(true));
        // a fraction the last step jumped past is the end's measurement (a very short budget), so that every run
        // has a point at every fraction and runs can be compared point by point
        next = recordAt(fractions.size(), end);
        points.add(labelled(end, 1.0));
        context.report(REPORT_KEY, points);
        Files.deleteIfExists(store);
    }

    /** One measurement stands for every fraction the budget has reached (several, when a step is long). */
    private void recordReached(TrainingContext context, Map<String, Object> point) throws IOException {
        double progress = context.budget().progress(context.step(), context.elapsed());
        int reached = next;
        while (reached < fractions.size() && fractions.get(reached) <= progress) {
            reached++;
        }
        next = recordAt(Math.max(reached, next + 1), point);
        Files.createDirectories(store.getParent());
        Files.writeString(store, JSON.writeValueAsString(points));
    }

    private int recordAt(int upTo, Map<String, Object> point) {
        for (; next < upTo; next++) {
            points.add(labelled(point, fractions.get(next)));
        }
        return next;
    }

    private static Map<String, Object> labelled(Map<String, Object> point, double fraction) {
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("fraction", fraction);
        copy.putAll(point);
        return copy;
    }

    private Map<String, Object> measure(TrainingContext context, EvaluationOptions options) throws IOException {
        Duration budgetTime = context.elapsed();
        List<Double> psnr = new ArrayList<>();
        List<Double> ssim = new ArrayList<>();
        EvaluationReport report = context.offBudget(() -> ThroughServingPath.use(context.model().averaged(),
                "latentflow-curve-", (dir, model) -> Evaluator.evaluateEachImage(model, validation, options,
                        (imagePsnr, imageSsim) -> {
                            psnr.add(imagePsnr);
                            ssim.add(imageSsim);
                        })));
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("step", context.step());
        point.put("minutes", budgetTime.toMillis() / 60000.0);
        point.put("psnr", report.psnr());
        point.put("ssim", report.ssim());
        point.put("fractionOutsideUnit", report.fractionOutsideUnit());
        point.put("latentHighFrequency", report.spectrum() == null ? null : report.spectrum().latentHighFrequency());
        if (!report.robustnessPsnr().isEmpty()) {
            point.put("robustnessPsnrDenoised", report.robustnessPsnr());
        }
        point.put("imagePsnr", psnr);
        point.put("imageSsim", ssim);
        LOG.info("Step {} ({} % of the budget): validation PSNR {} dB, SSIM {}", context.step(),
                Math.round(100 * context.budget().progress(context.step(), budgetTime)),
                String.format("%.3f", report.psnr()), String.format("%.4f", report.ssim()));
        return point;
    }
}

package io.latentflow.model.train;

import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.PairedBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Validates the weight average every so many steps (each image's PSNR through the serving path), keeps the weights
 * the {@link EarlyStopping} rule keeps, stops the run when the rule says so, and at the end puts back the weights it
 * kept, the ones the model directory then holds.
 */
final class EarlyStopper implements TrainingCallback {

    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopper.class);

    private final EarlyStopping rule;
    private final EarlyStopping.Tracker tracker;
    private final List<ImageBatch> validation;
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<Map<String, Object>> validations = new ArrayList<>();
    private float[][] keptAveraged;

    EarlyStopper(EarlyStopping rule, List<ImageBatch> validation) {
        this.rule = rule;
        this.tracker = new EarlyStopping.Tracker(rule);
        this.validation = validation;
    }

    @Override
    public void onStepEnd(TrainingContext context) throws IOException {
        long step = context.step();
        if (step % rule.everySteps() != 0 && !context.isLastStep()) {
            return;
        }
        List<Double> psnrs = new ArrayList<>();
        ThroughServingPath.use(context.model().averaged(), "latentflow-early-stopping-",
                (dir, model) -> Evaluator.evaluate(model, validation, EvaluationOptions.reconstructionOnly(),
                        psnrs::add));
        double[] imagePsnrs = psnrs.stream().mapToDouble(Double::doubleValue).toArray();
        EarlyStopping.Verdict verdict = tracker.validated(step, imagePsnrs);
        if (verdict != EarlyStopping.Verdict.WORSE) {
            keptAveraged = context.model().averagedParameters().values();
        }
        record(step, imagePsnrs, verdict);
        if (!context.isLastStep() && tracker.shouldStop()) {
            LOG.info("Stopping early at step {}: {} validations in a row worse than step {} beyond their 95 %"
                    + " interval, keeping step {}", step, rule.patience(), tracker.bestStep(), tracker.keptStep());
            report.put("stoppedAtStep", step);
            context.stop("validation worse");
        }
    }

    private void record(long step, double[] imagePsnrs, EarlyStopping.Verdict verdict) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("psnr", Arrays.stream(imagePsnrs).average().orElse(Double.NaN));
        PairedBootstrap.Interval change = tracker.lastChange();
        if (change != null) {
            row.put("change", change.mean());
            row.put("changeLow", change.low());
            row.put("changeHigh", change.high());
        }
        row.put("verdict", verdict.name().toLowerCase(Locale.ROOT));
        validations.add(row);
        LOG.info("Step {}: validation PSNR {} dB on {} images, {}{} (best step {}, kept step {})", step,
                String.format(Locale.ROOT, "%.3f", (double) row.get("psnr")), imagePsnrs.length, row.get("verdict"),
                change == null ? "" : String.format(Locale.ROOT, " %+.3f dB [%+.3f, %+.3f]", change.mean(),
                        change.low(), change.high()), tracker.bestStep(), tracker.keptStep());
    }

    @Override
    public void onTrainEnd(TrainingContext context) {
        if (keptAveraged != null) {
            context.model().averagedParameters().setValues(keptAveraged);
            report.put("keptStep", tracker.keptStep());
            report.put("keptValidationPsnr", tracker.keptPsnr());
            report.put("bestStep", tracker.bestStep());
            report.put("bestValidationPsnr", tracker.bestPsnr());
            report.put("everySteps", rule.everySteps());
            report.put("patience", rule.patience());
            report.put("validations", validations);
        }
        if (!report.isEmpty()) {
            context.report("earlyStopping", report);
        }
    }
}

package io.latentflow.model.train;

import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates the weight average every so many steps (mean PSNR through the serving path), stops the run when it no
 * longer improves, and at the end puts back the best average, the one the model directory then holds.
 */
final class EarlyStopper implements TrainingCallback {

    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopper.class);

    private final EarlyStopping rule;
    private final EarlyStopping.Tracker tracker;
    private final List<ImageBatch> validation;
    private final Map<String, Object> report = new LinkedHashMap<>();
    private float[][] bestAveraged;

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
        double psnr = ThroughServingPath.use(context.model().averaged(), "latentflow-early-stopping-",
                (dir, model) -> Evaluator.evaluate(model, validation,
                        EvaluationOptions.reconstructionOnly()).psnr());
        if (tracker.validated(step, psnr)) {
            bestAveraged = context.model().averagedParameters().values();
        }
        LOG.info("Step {}: validation PSNR {} dB (best {} dB at step {})", step, String.format("%.3f", psnr),
                String.format("%.3f", tracker.best()), tracker.bestStep());
        if (!context.isLastStep() && tracker.shouldStop()) {
            LOG.info("Stopping early at step {}: no gain above {} dB in {} validations", step, rule.minGainDb(),
                    rule.patience());
            report.put("stoppedAtStep", step);
            context.stop("no validation gain");
        }
    }

    @Override
    public void onTrainEnd(TrainingContext context) {
        if (bestAveraged != null) {
            context.model().averagedParameters().setValues(bestAveraged);
            report.put("bestStep", tracker.bestStep());
            report.put("bestValidationPsnr", tracker.best());
            report.put("everySteps", rule.everySteps());
            report.put("patience", rule.patience());
        }
        if (!report.isEmpty()) {
            context.report("earlyStopping", report);
        }
    }
}

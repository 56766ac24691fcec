package io.latentflow.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.data.TrainingImage;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.EvaluationImages;
import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.EvaluationReport;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.recipe.RecipeFile;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end of a run: the weight average validated through the serving path, named after its weights' sha256, profiled
 * for the drift monitor, and written as an immutable model directory with {@code recipe.json}, the reference profile
 * and {@code metrics.json} (the evaluator's report plus how the model was made).
 */
final class ModelExport {

    private static final Logger LOG = LoggerFactory.getLogger(ModelExport.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainerConfig config;
    private final TrainingData data;
    private final TrainingStep model;
    private final AutoencoderConfig architecture;
    private final RecipeConfig recipe;

    ModelExport(TrainerConfig config, TrainingData data, TrainingStep model) {
        this.config = config;
        this.data = data;
        this.model = model;
        this.architecture = config.architecture();
        this.recipe = config.recipe();
    }

    TrainingResult write(TrainingContext context) throws IOException {
        Validated validated = validate();
        String metrics = metricsJson(validated, context);
        Manifest manifest = ModelDirectory.save(model.averaged(), config.output(), validated.version(), metrics,
                Map.of(RecipeFile.NAME, recipe.toJson(), ReferenceProfile.FILE_NAME, validated.profile().toJson()));
        EvaluationReport validation = validated.report() == null ? null : EvaluationReport.fromJson(metrics);
        LOG.info("Wrote model {} to {} after {} steps ({})", manifest.version(), config.output(), context.step(),
                ProgressLine.format(context.elapsed()));
        return new TrainingResult(config.output(), manifest.version(), context.step(), context.firstStep(),
                context.elapsed(), List.copyOf(context.history()), validation, context.nonFiniteSkips(),
                List.copyOf(context.nonFiniteCauses()), context.secondsPerStepAtEnd());
    }

    /**
     * Evaluates the EMA weights on the validation images through the serving path. Also names the version after the
     * weights' sha256, so that the report can carry the version the directory will have, and profiles the latents of
     * the training folder for the drift monitor (the same images a job would pick from that folder), so the profile
     * ships with the model.
     */
    private Validated validate() throws IOException {
        List<ImageBatch> batches = ValidationImages.batches(data.validationImages(),
                architecture.downsamplingFactor());
        return ThroughServingPath.use(model.averaged(), "latentflow-validation-", (dir, served) -> {
            String version = architecture.shortName() + "-" + HexFormat.of().formatHex(sha256(
                    ModelDirectory.sha256(dir.resolve(ModelDirectory.ENCODER_PARAMS)) + " "
                            + ModelDirectory.sha256(dir.resolve(ModelDirectory.DECODER_PARAMS)))).substring(0, 12);
            ReferenceProfile profile = referenceProfile(served, version);
            if (batches.isEmpty()) {
                if (config.trainingFiles() == null) {
                    LOG.warn("No validation images (one source only, or images smaller than f): metrics.json has"
                            + " no validation figures");
                }
                return new Validated(version, null, profile, null);
            }
            List<Double> perImage = new ArrayList<>();
            EvaluationReport report = Evaluator.evaluate(served, batches,
                    EvaluationOptions.defaults().withBlackHoleReference(profile), perImage::add);
            return new Validated(version, report, profile,
                    ValidationPsnr.of(report.imageHeight(), perImage.stream().mapToDouble(Double::doubleValue).toArray()));
        });
    }

    /** The latents of (a spread of) the training images, what the drift monitor compares live latents with. */
    private ReferenceProfile referenceProfile(ServingModel served, String version) {
        int f = architecture.downsamplingFactor();
        List<Path> referenceFiles = data.referenceFiles();
        String source = referenceFiles.size() + " images of " + folderNames(referenceFiles) + " (written by the trainer"
                + (config.profileSize() > 0 ? ", prepared as the encode job prepares its input)" : ")");
        if (config.profileSize() > 0) {
            List<ImageBatch> batches = EvaluationImages.load(referenceFiles, config.profileSize(), f);
            // NOVELTY's typical distance is measured between sources; a skipped file would misalign the names
            List<String> sources = EvaluationImages.count(batches) == referenceFiles.size()
                    ? referenceFiles.stream().map(file -> SourceSplit.sourceOf(file.getFileName().toString())).toList()
                    : null;
            return ReferenceProfile.compute(served, version, batches, sources, Optional.of(recipe), source);
        }
        List<TrainingImage> reference = TrainingImages.load(referenceFiles);
        return ReferenceProfile.compute(served, version, ValidationImages.batches(reference, f),
                reference.stream().map(TrainingImage::source).toList(), Optional.of(recipe), source);
    }

    private String metricsJson(Validated validated, TrainingContext context) throws IOException {
        // The evaluator's report at the top level (the shape of `latentflow eval --json`), plus how it was made.
        ObjectNode metrics = validated.report() != null ? (ObjectNode) JSON.readTree(validated.report().toJson())
                : JSON.createObjectNode();
        metrics.put("modelVersion", validated.version());
        if (validated.psnr() != null) {
            metrics.putPOJO(ValidationPsnr.METRICS_FIELD, validated.psnr().toJson());
        }
        metrics.putPOJO("validationSources", data.validationSources().stream().sorted().toList());
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("command", config.command());
        training.put("recipe", recipe.kind().id());
        training.put("steps", context.step());
        training.put("minutes", context.elapsed().toMillis() / 60000.0);
        // what "minutes" counted: wall-clock time, or the training thread's CPU time (equal compute under load)
        training.put("clock", config.budget().clock().id());
        training.put("wallMinutes", context.wallTime().toMillis() / 60000.0);
        // the budget asked for beside what was done: a run on a time budget did the steps it could
        training.put("budgetSteps", config.budget().steps() > 0 ? config.budget().steps() : null);
        training.put("budgetMinutes", config.budget().time() != null
                ? config.budget().time().toMillis() / 60000.0 : null);
        training.put("seed", config.seed());
        training.put("cropSize", config.cropSize());
        training.put("batchSize", config.batchSize());
        training.put("threads", config.threads());
        training.put("secondsPerStep", context.secondsPerStepAtEnd());
        training.put("trainImages", data.trainImageCount());
        training.put("parameters", model.liveParameters().count());
        training.put("nonFiniteSkips", context.nonFiniteSkips());
        training.put("nonFiniteCauses", context.nonFiniteCauses());
        training.put("resumedFromStep", context.firstStep());
        training.put("finalLosses", meanOfLast(context.history(), 50));
        training.put("frozenEncoder", config.frozenEncoder());
        training.put("validationImages", data.validationImages().size());
        training.putAll(context.report());
        AdversarialTraining adversarial = model.adversarial();
        if (adversarial != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("widths", recipe.adversarial().widths());
            d.put("discriminatorFromStep", recipe.adversarial().discriminatorStartStep());
            d.put("generatorLossFromStep", recipe.adversarial().startStep());
            d.put("discriminatorUpdates", adversarial.adam().updates());
            training.put("discriminator", d);
        }
        metrics.putPOJO("training", training);
        if (!config.provenance().isEmpty()) {
            metrics.putPOJO("provenance", config.provenance());
        }
        return JSON.writeValueAsString(metrics);
    }

    private static Map<String, Double> meanOfLast(List<Map<String, Float>> history, int count) {
        Map<String, Double> sums = new LinkedHashMap<>();
        List<Map<String, Float>> tail = history.subList(Math.max(0, history.size() - count), history.size());
        int finite = 0;
        for (Map<String, Float> losses : tail) {
            if (!losses.values().stream().allMatch(Float::isFinite)) {
                continue;
            }
            finite++;
            losses.forEach((name, value) -> sums.merge(name, (double) value, Double::sum));
        }
        int n = finite;
        sums.replaceAll((name, sum) -> sum / n);
        return sums;
    }

    /** The folders the files come from, by name, e.g. {@code illustrations + photos}. */
    private static String folderNames(List<Path> files) {
        return String.join(" + ", files.stream().map(f -> String.valueOf(f.toAbsolutePath().getParent()
                .getFileName())).distinct().toList());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** @param psnr the validation images' PSNR distribution, what the drift monitor's QUALITY compares with; null without */
    private record Validated(String version, EvaluationReport report, ReferenceProfile profile, ValidationPsnr psnr) {
    }
}

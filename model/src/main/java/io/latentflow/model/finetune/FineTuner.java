package io.latentflow.model.finetune;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.data.HeldOutSplit;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.recipe.RecipeFile;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainerConfig;
import io.latentflow.model.train.TrainingResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Fine-tunes FROM a serving version: the same architecture and recipe (its {@code config.json} and
 * {@code recipe.json}), its weights as the starting point and as the start of the weight average, the recent images
 * plus a replay share of older ones as the training set. The trainer writes the new version directory: weights,
 * manifest, the drift reference profile of the training images (recent and replayed, prepared as the encode job
 * prepares its input, at its resolution), and metrics.json with the provenance (parent version,
 * images, the identifiers given) beside the steps and time it took. Knows nothing of Flink or of the registry.
 */
public final class FineTuner {

    /** Share of the recent training images that validate for early stopping. */
    static final double VALIDATION_FRACTION = 0.1;
    /** Below this an early-stopping PSNR is too noisy to stop on: all recent images train and the budget runs out. */
    static final int MIN_VALIDATION_IMAGES = 4;

    private FineTuner() {
    }

    public static FineTuneResult run(FineTuneOptions options) throws IOException {
        Path serving = options.servingModel();
        Manifest manifest = ModelDirectory.verify(serving);
        Optional<DiffusersVaeConfig> imported = ImportedVae.savedConfig(serving.resolve(ModelDirectory.CONFIG));
        if (imported.isPresent()) {
            if (options.scaleEquivariance() != null && options.scaleEquivariance() > 0) {
                throw new IllegalArgumentException("model " + manifest.version() + " is an imported VAE, whose"
                        + " decoder fine-tune has no recipe to add the scale-equivariance term to: leave out"
                        + " --scale-equivariance");
            }
            return importedDecoder(options, manifest, imported.get());
        }
        AutoencoderConfig architecture = AutoencoderConfig.read(serving.resolve(ModelDirectory.CONFIG));
        RecipeConfig recipe = RecipeFile.read(serving).orElseThrow(() -> new IllegalArgumentException("model "
                + manifest.version() + " at " + serving + " has no " + RecipeFile.NAME + ": a fine-tune keeps the"
                + " recipe the version was trained with, so it needs one; train that version again with"
                + " 'latentflow train'"));
        // a validation split of the recent images for early stopping, unless there are too few to measure anything
        HeldOutSplit validation = HeldOutSplit.ofRemainder(options.recentFiles(), VALIDATION_FRACTION);
        boolean validates = validation.heldOut().size() >= MIN_VALIDATION_IMAGES && !validation.training().isEmpty();
        Training training = Training.of(options, validates ? validation.training() : options.recentFiles());
        recipe = recipe.withLearningRate(training.learningRate());
        if (options.scaleEquivariance() != null) {
            recipe = recipe.withScaleEquivariance(options.scaleEquivariance());
        }
        options.progress().printf(Locale.ROOT, "fine-tuning (%s) on %d recent + %d replayed images: %s, learning rate"
                        + " %.2g%s%n", options.scope().id(), training.recent().size(), training.rehearsed().size(),
                training.budgetDescription(options), training.learningRate(),
                validates ? ", early stopping on " + validation.heldOut().size() + " validation images" : "");

        TrainerConfig config = TrainerConfig.builder(options.recentFiles().get(0).getParent(),
                        options.output())
                .architecture(architecture)
                .recipe(recipe)
                .budget(training.budget())
                .cropSize(options.cropSize())
                .batchSize(options.batchSize())
                .seed(options.seed())
                .threads(options.threads())
                .startFrom(serving)
                .trainingFiles(training.all())
                .validationFiles(validates ? validation.heldOut() : null)
                .earlyStopping(validates ? training.plan().earlyStopping() : null)
                .frozenEncoder(options.scope() == FineTuneScope.DECODER)
                .provenance(provenance(manifest.version(), options, training))
                .listener(options.listener())
                .progress(options.progress())
                .command(options.command())
                .profileSize(options.resolution())
                .build();
        try (Trainer trainer = new Trainer(config)) {
            TrainingResult result = trainer.run();
            return new FineTuneResult(manifest.version(), training.recent().size(), training.rehearsed().size(),
                    result);
        }
    }

    /** An imported VAE: its decoder only, by {@link ImportedDecoderFineTune}; its encoder is not this project's. */
    private static FineTuneResult importedDecoder(FineTuneOptions options, Manifest manifest,
                                                  DiffusersVaeConfig config) throws IOException {
        if (options.scope() != FineTuneScope.DECODER) {
            throw new IllegalArgumentException("model " + manifest.version() + " is an imported "
                    + ImportedVae.IMPORTED_FROM + ": only its decoder can be fine-tuned, which keeps the latent space"
                    + " its diffusion model was trained in; use the scope 'decoder'");
        }
        Training training = Training.of(options, options.recentFiles());
        options.progress().printf(Locale.ROOT, "fine-tuning the decoder of imported %s on %d recent + %d replayed"
                        + " images: %s, learning rate %.2g%n", manifest.version(), training.recent().size(),
                training.rehearsed().size(), training.budgetDescription(options), training.learningRate());
        TrainingResult result = ImportedDecoderFineTune.run(options.servingModel(), config, training.all(),
                training.budget(), training.learningRate(), options, provenance(manifest.version(), options,
                        training));
        return new FineTuneResult(manifest.version(), training.recent().size(), training.rehearsed().size(),
                result);
    }

    private static Map<String, Object> provenance(String parentVersion, FineTuneOptions options, Training training) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("kind", "fine-tune");
        provenance.put("parentVersion", parentVersion);
        provenance.put("scope", options.scope().id());
        provenance.put("stepBudget", training.budget().steps());
        provenance.put("learningRate", training.learningRate());
        provenance.put("recentImages", training.recent().size());
        provenance.put("validationImages", options.recentFiles().size() - training.recent().size());
        provenance.put("recentSources", sources(training.recent()));
        provenance.put("replayShare", options.replayShare());
        provenance.put("replayImages", training.rehearsed().size());
        provenance.put("replaySources", sources(training.rehearsed()));
        provenance.putAll(options.provenance());
        return provenance;
    }

    private static List<String> sources(List<Path> files) {
        TreeSet<String> sources = new TreeSet<>();
        files.forEach(f -> sources.add(SourceSplit.sourceOf(f.getFileName().toString())));
        return List.copyOf(sources);
    }

    /**
     * What a fine-tune trains on and how long: the recent images, the older ones rehearsed beside them, the plan for
     * that much data, and the rate and budget given or planned.
     */
    private record Training(List<Path> recent, List<Path> rehearsed, FineTunePlan plan, double learningRate,
                            TrainingBudget budget) {

        static Training of(FineTuneOptions options, List<Path> recent) {
            List<Path> rehearsed = RehearsalSample.of(options.olderFiles(), recent.size(), options.replayShare());
            FineTunePlan plan = FineTunePlan.of(recent.size(), rehearsed.size(), options.cropSize(),
                    options.batchSize());
            return new Training(recent, rehearsed, plan,
                    options.learningRate() != null ? options.learningRate() : plan.learningRate(),
                    options.budget() != null ? options.budget() : TrainingBudget.steps(plan.steps()));
        }

        List<Path> all() {
            List<Path> all = new ArrayList<>(recent);
            all.addAll(rehearsed);
            return all;
        }

        String budgetDescription(FineTuneOptions options) {
            return options.budget() != null ? "the budget given" : plan.steps() + " steps planned";
        }
    }
}

package io.latentflow.model.finetune;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.train.RecipeFile;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingOptions;
import io.latentflow.model.train.TrainingResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private FineTuner() {
    }

    public static FineTuneResult run(FineTuneOptions options) throws IOException {
        Path serving = options.servingModel();
        Manifest manifest = ModelDirectory.verify(serving);
        if (ImportedVae.savedConfig(serving.resolve(ModelDirectory.CONFIG)).isPresent()) {
            throw new IllegalArgumentException("model " + manifest.version() + " at " + serving + " is an imported "
                    + ImportedVae.IMPORTED_FROM + ": fine-tuning imported VAEs is not supported yet; serve it as"
                    + " imported");
        }
        AutoencoderConfig architecture = AutoencoderConfig.read(serving.resolve(ModelDirectory.CONFIG));
        RecipeConfig recipe = RecipeFile.read(serving).orElseThrow(() -> new IllegalArgumentException("model "
                + manifest.version() + " at " + serving + " has no " + RecipeFile.NAME + ": a fine-tune keeps the"
                + " recipe the version was trained with, so it needs one; train that version again with"
                + " 'latentflow train'"));
        if (options.learningRate() != null) {
            recipe = recipe.withLearningRate(options.learningRate());
        }
        List<Path> replay = ReplaySample.of(options.olderFiles(), options.recentFiles().size(),
                options.replayShare());
        List<Path> training = new ArrayList<>(options.recentFiles());
        training.addAll(replay);

        TrainingOptions trainingOptions = TrainingOptions.builder(options.recentFiles().get(0).getParent(),
                        options.output())
                .architecture(architecture)
                .recipe(recipe)
                .budget(options.budget())
                .cropSize(options.cropSize())
                .batchSize(options.batchSize())
                .seed(options.seed())
                .threads(options.threads())
                .startFrom(serving)
                .trainingFiles(training)
                .provenance(provenance(manifest.version(), options, replay))
                .listener(options.listener())
                .progress(options.progress())
                .command(options.command())
                .profileSize(options.resolution())
                .build();
        try (Trainer trainer = new Trainer(trainingOptions)) {
            TrainingResult result = trainer.run();
            return new FineTuneResult(manifest.version(), options.recentFiles().size(), replay.size(), result);
        }
    }

    private static Map<String, Object> provenance(String parentVersion, FineTuneOptions options, List<Path> replay) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("kind", "fine-tune");
        provenance.put("parentVersion", parentVersion);
        provenance.put("recentImages", options.recentFiles().size());
        provenance.put("recentSources", sources(options.recentFiles()));
        provenance.put("replayShare", options.replayShare());
        provenance.put("replayImages", replay.size());
        provenance.put("replaySources", sources(replay));
        provenance.putAll(options.provenance());
        return provenance;
    }

    private static List<String> sources(List<Path> files) {
        TreeSet<String> sources = new TreeSet<>();
        files.forEach(f -> sources.add(SourceSplit.sourceOf(f.getFileName().toString())));
        return List.copyOf(sources);
    }
}

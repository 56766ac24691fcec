package io.latentflow.model.finetune;

import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainingListener;
import io.latentflow.model.train.TrainingRunBuilder;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One fine-tuning run FROM a serving version. Build with {@link #builder}; unset values take the defaults below.
 *
 * @param servingModel the verified model version directory training starts from (its config.json and recipe.json
 *                     fix the architecture and the recipe)
 * @param recentFiles  images of the new data, all of which train (hold out evaluation images before)
 * @param olderFiles   images of the data the serving version was made for, to replay so that it is not forgotten
 * @param replayShare  fraction of the training images taken from {@code olderFiles}, 0 to below 1 (default 0.3)
 * @param budget       steps and/or time, or null for the {@link FineTunePlan} of the data (with early stopping)
 * @param output       the new model version directory (must not exist or be empty)
 * @param cropSize     side of the training crops (default {@link FineTunePlan#CROP_SIZE})
 * @param batchSize    crops per step (default {@link FineTunePlan#BATCH_SIZE})
 * @param seed         seeds every random draw (default 1)
 * @param threads      intra-op threads (default 2)
 * @param provenance   identifiers of the data it saw (topic offsets, sample shards, folders ...), into metrics.json
 * @param listener     told after every step
 * @param progress     where progress lines go (default stderr)
 * @param command      the command that started it, recorded in metrics.json
 * @param resolution   the encode job's image side: the new version's drift reference profile is made at it (default
 *                     256)
 * @param learningRate Adam's learning rate, or null for the {@link FineTunePlan}'s; the new version's recipe.json
 *                     records the rate it was trained with
 * @param scope        what it may change: the decoder only (the default, keeps the latent space) or everything
 * @param scaleEquivariance weight of the recipe's scale-equivariance term for this run, or null for the serving
 *                     version's own; the new version's recipe.json records the weight it was trained with
 */
public record FineTuneOptions(Path servingModel, List<Path> recentFiles, List<Path> olderFiles, double replayShare,
                              TrainingBudget budget, Path output, int cropSize, int batchSize, long seed,
                              int threads, Map<String, Object> provenance, TrainingListener listener,
                              PrintStream progress, String command, int resolution, Double learningRate,
                              FineTuneScope scope, Double scaleEquivariance) {

    public static final double DEFAULT_REPLAY_SHARE = 0.3;

    public FineTuneOptions {
        Objects.requireNonNull(servingModel, "servingModel");
        Objects.requireNonNull(output, "output");
        if (recentFiles == null || recentFiles.isEmpty()) {
            throw new IllegalArgumentException("no recent images to fine-tune on: give at least one");
        }
        recentFiles = List.copyOf(recentFiles);
        olderFiles = olderFiles == null ? List.of() : List.copyOf(olderFiles);
        if (!(replayShare >= 0 && replayShare < 1)) {
            throw new IllegalArgumentException("replay share is " + replayShare + ": use 0 (no replay) to below 1");
        }
        if (replayShare > 0 && olderFiles.isEmpty()) {
            throw new IllegalArgumentException("a replay share of " + replayShare + " needs older images: give"
                    + " some, or a replay share of 0 (the model may then forget what it served before)");
        }
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        listener = listener == null ? TrainingListener.NONE : listener;
        progress = progress == null ? System.err : progress;
        scope = scope == null ? FineTuneScope.DEFAULT : scope;
        command = command == null ? "" : command;
        if (learningRate != null && !(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learning rate is " + learningRate + ": use a positive rate below 1,"
                    + " e.g. 3e-4");
        }
        if (scaleEquivariance != null && !(scaleEquivariance >= 0 && scaleEquivariance < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("scale-equivariance weight is " + scaleEquivariance + ": use 0 (off)"
                    + " or a positive weight, e.g. 0.25");
        }
    }

    public static Builder builder(Path servingModel, List<Path> recentFiles, List<Path> olderFiles, Path output) {
        return new Builder(servingModel, recentFiles, olderFiles, output);
    }

    /**
     * Defaults: replay share 0.3, steps and rate planned from the data, 128 px crops, batch 4, seed 1, 2 threads,
     * profile at 256 px, decoder only.
     */
    public static final class Builder extends TrainingRunBuilder<Builder> {
        private final Path servingModel;
        private final List<Path> recentFiles;
        private final List<Path> olderFiles;
        private final Path output;
        private double replayShare = DEFAULT_REPLAY_SHARE;
        private int resolution = 256;
        private Double learningRate;
        private FineTuneScope scope;
        private Double scaleEquivariance;

        private Builder(Path servingModel, List<Path> recentFiles, List<Path> olderFiles, Path output) {
            this.servingModel = servingModel;
            this.recentFiles = recentFiles;
            this.olderFiles = olderFiles;
            this.output = output;
            cropSize(FineTunePlan.CROP_SIZE);
            batchSize(FineTunePlan.BATCH_SIZE);
        }

        public Builder replayShare(double value) {
            this.replayShare = value;
            return this;
        }

        public Builder resolution(int value) {
            this.resolution = value;
            return this;
        }

        public Builder learningRate(Double value) {
            this.learningRate = value;
            return this;
        }

        public Builder scope(FineTuneScope value) {
            this.scope = value;
            return this;
        }

        public Builder scaleEquivariance(Double value) {
            this.scaleEquivariance = value;
            return this;
        }

        public FineTuneOptions build() {
            return new FineTuneOptions(servingModel, recentFiles, olderFiles, replayShare, budget, output, cropSize,
                    batchSize, seed, threads, provenance, listener, progress, command, resolution, learningRate,
                    scope, scaleEquivariance);
        }
    }
}

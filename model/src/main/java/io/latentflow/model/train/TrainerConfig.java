package io.latentflow.model.train;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.recipe.RecipeConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one training run needs. Build with {@link #builder(Path, Path)}; unset values take the defaults below.
 *
 * @param images             folder of training images (split by source into training and validation)
 * @param output             the model directory to create at the end (must not exist or be empty)
 * @param architecture       the autoencoder config; its latent kind must match the recipe
 * @param recipe             losses, perturbations, discriminator, optimiser, EMA
 * @param budget             steps and/or time
 * @param cropSize           side of the random training crops, a multiple of f (default 64)
 * @param batchSize          crops per step (default 16)
 * @param seed               seeds the weights and every random draw; same seed, same steps (default 1)
 * @param threads            intra-op threads of the engine (default 2)
 * @param validationFraction fraction of sources held out (default 1/6)
 * @param checkpointDir      where periodic checkpoints go (default: {@code <output>-checkpoint} beside the output)
 * @param checkpointEvery    time between checkpoints (default 5 minutes)
 * @param resumeFrom         a checkpoint directory to continue from, or null
 * @param progressEvery      time between progress lines (default 5 s)
 * @param progress           where progress lines go (default stderr)
 * @param command            the command line that started the run, recorded in metrics.json
 * @param startFrom          a model version directory whose weights training starts from (fine-tuning), or null for
 *                           random weights; its config must equal {@code architecture}
 * @param trainingFiles      the images to train on, or null for every image of {@code images} split by source; when
 *                           given, all of them train and nothing is held out (the caller evaluates on its own)
 * @param provenance         where the run comes from (parent version, data sources, ...), recorded in metrics.json
 *                           under {@code provenance}; empty for none
 * @param listener           told after every step (step, losses, ETA); {@link TrainingListener#NONE} by default
 * @param profileSize        side of the images the drift reference profile is made of, prepared as the encode job
 *                           prepares its input (the job uses a stored profile only at its own resolution); 0 for
 *                           the training images centre-cropped to the smallest side among them
 * @param validationFiles    with {@code trainingFiles}: images to validate on (early stopping, metrics.json), or null
 *                           for none
 * @param earlyStopping      validates every so many steps and stops when it no longer improves, keeping the best
 *                           weights; null to train the whole budget. Needs {@code validationFiles}
 * @param frozenEncoder      keeps the encoder's weights bit for bit as they started (decoder-only fine-tuning, which
 *                           keeps the latent space); needs {@code startFrom}
 * @param callbacks          more callbacks, run after every step after the weight average and the non-finite guard
 *                           and before progress, early stopping and checkpoints; none by default
 * @param microBatching      how many of a step's images go through forward and backward at once, their gradients
 *                           added up before the update (the same step up to float rounding); {@link
 *                           MicroBatching#DEFAULT} by default
 * @param curveFractions     fractions of the budget, each in (0, 1), at which the weight average is evaluated on the
 *                           validation images besides the end ({@code training.curve} in metrics.json); empty for no
 *                           curve (the default)
 */
public record TrainerConfig(
        Path images,
        Path output,
        AutoencoderConfig architecture,
        RecipeConfig recipe,
        TrainingBudget budget,
        int cropSize,
        int batchSize,
        long seed,
        int threads,
        double validationFraction,
        Path checkpointDir,
        Duration checkpointEvery,
        Path resumeFrom,
        Duration progressEvery,
        PrintStream progress,
        String command,
        Path startFrom,
        List<Path> trainingFiles,
        Map<String, Object> provenance,
        TrainingListener listener,
        int profileSize,
        List<Path> validationFiles,
        EarlyStopping earlyStopping,
        boolean frozenEncoder,
        List<TrainingCallback> callbacks,
        MicroBatching microBatching,
        List<Double> curveFractions) {

    public TrainerConfig {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(budget, "budget");
        recipe.requireCompatible(architecture);
        int f = architecture.downsamplingFactor();
        if (cropSize < f || cropSize % f != 0) {
            throw new IllegalArgumentException("crop size " + cropSize + " is not a positive multiple of the"
                    + " downsampling factor " + f + ": use e.g. 64 or 128");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size is " + batchSize + ": use at least 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ": use at least 1");
        }
        if (checkpointDir == null) {
            checkpointDir = output.toAbsolutePath().resolveSibling(output.getFileName() + "-checkpoint");
        }
        checkpointEvery = checkpointEvery == null ? Duration.ofMinutes(5) : checkpointEvery;
        progressEvery = progressEvery == null ? Duration.ofSeconds(5) : progressEvery;
        progress = progress == null ? System.err : progress;
        command = command == null ? "" : command;
        if (trainingFiles != null && trainingFiles.isEmpty()) {
            throw new IllegalArgumentException("no training files given: pass at least one image");
        }
        trainingFiles = trainingFiles == null ? null : List.copyOf(trainingFiles);
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        listener = listener == null ? TrainingListener.NONE : listener;
        if (profileSize < 0 || profileSize % architecture.downsamplingFactor() != 0) {
            throw new IllegalArgumentException("profile size " + profileSize + " is not 0 or a positive multiple of"
                    + " the downsampling factor " + f + ": use the encode job's resolution, e.g. 256");
        }
        validationFiles = validationFiles == null ? null : List.copyOf(validationFiles);
        if (validationFiles != null && trainingFiles == null) {
            throw new IllegalArgumentException("validation files are given with training files only; without them"
                    + " the folder is split by source");
        }
        if (earlyStopping != null && (validationFiles == null || validationFiles.isEmpty())) {
            throw new IllegalArgumentException("early stopping needs validation images: give validation files");
        }
        if (frozenEncoder && startFrom == null) {
            throw new IllegalArgumentException("a frozen encoder keeps the weights training starts from: give the"
                    + " model version to start from");
        }
        callbacks = callbacks == null ? List.of() : List.copyOf(callbacks);
        microBatching = microBatching == null ? MicroBatching.DEFAULT : microBatching;
        curveFractions = curveFractions == null ? List.of() : List.copyOf(curveFractions);
        for (double fraction : curveFractions) {
            if (!(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("curve point " + fraction + " is not a fraction of the budget"
                        + " between 0 and 1 (the end is always evaluated): use e.g. 0.25,0.5,0.75");
            }
        }
    }

    /** This config with what a checkpoint fixes (architecture, recipe, seed, crops, batch, split) taken from it. */
    TrainerConfig resumedFrom(CheckpointState checkpoint) {
        return new TrainerConfig(images, output, checkpoint.architecture(), checkpoint.recipe(), budget,
                checkpoint.cropSize(), checkpoint.batchSize(), checkpoint.seed(), threads,
                checkpoint.validationFraction(), checkpointDir, checkpointEvery, resumeFrom, progressEvery, progress,
                command, startFrom, trainingFiles, provenance, listener, profileSize, validationFiles, earlyStopping,
                frozenEncoder, callbacks, microBatching, curveFractions);
    }

    public static Builder builder(Path images, Path output) {
        return new Builder(images, output);
    }

    /** Defaults: bounded-ae f8c8 small widths, 64 px crops, batch 16, seed 1, 2 threads. */
    public static final class Builder extends TrainingRunBuilder<Builder> {
        private final Path images;
        private final Path output;
        private AutoencoderConfig architecture = AutoencoderConfig.boundedF8C8();
        private RecipeConfig recipe = RecipeConfig.boundedAe();
        private double validationFraction = SourceSplit.DEFAULT_VALIDATION_FRACTION;
        private Path checkpointDir;
        private Duration checkpointEvery;
        private Path resumeFrom;
        private Duration progressEvery;
        private Path startFrom;
        private List<Path> trainingFiles;
        private List<Path> validationFiles;
        private EarlyStopping earlyStopping;
        private boolean frozenEncoder;
        private List<TrainingCallback> callbacks;
        private List<Double> curveFractions;
        private int profileSize;
        private MicroBatching microBatching;

        private Builder(Path images, Path output) {
            this.images = images;
            this.output = output;
        }

        public Builder architecture(AutoencoderConfig value) {
            this.architecture = value;
            return this;
        }

        public Builder recipe(RecipeConfig value) {
            this.recipe = value;
            return this;
        }

        public Builder validationFraction(double value) {
            this.validationFraction = value;
            return this;
        }

        public Builder checkpointDir(Path value) {
            this.checkpointDir = value;
            return this;
        }

        public Builder checkpointEvery(Duration value) {
            this.checkpointEvery = value;
            return this;
        }

        public Builder resumeFrom(Path value) {
            this.resumeFrom = value;
            return this;
        }

        public Builder progressEvery(Duration value) {
            this.progressEvery = value;
            return this;
        }

        public Builder startFrom(Path modelDir) {
            this.startFrom = modelDir;
            return this;
        }

        public Builder trainingFiles(List<Path> files) {
            this.trainingFiles = files;
            return this;
        }

        public Builder profileSize(int value) {
            this.profileSize = value;
            return this;
        }

        public Builder validationFiles(List<Path> files) {
            this.validationFiles = files;
            return this;
        }

        public Builder earlyStopping(EarlyStopping value) {
            this.earlyStopping = value;
            return this;
        }

        public Builder frozenEncoder(boolean value) {
            this.frozenEncoder = value;
            return this;
        }

        public Builder callbacks(List<TrainingCallback> value) {
            this.callbacks = value;
            return this;
        }

        public Builder microBatching(MicroBatching value) {
            this.microBatching = value;
            return this;
        }

        public Builder curveFractions(List<Double> value) {
            this.curveFractions = value;
            return this;
        }

        public TrainerConfig build() {
            return new TrainerConfig(images, output, architecture, recipe, budget, cropSize, batchSize, seed,
                    threads, validationFraction, checkpointDir, checkpointEvery, resumeFrom, progressEvery,
                    progress, command, startFrom, trainingFiles, provenance, listener, profileSize, validationFiles,
                    earlyStopping, frozenEncoder, callbacks, microBatching, curveFractions);
        }
    }
}

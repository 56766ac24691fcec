package io.latentflow.cli.train;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.recipe.RecipeKind;
import io.latentflow.model.train.Trainer;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.MicroBatching;
import io.latentflow.model.train.TrainerConfig;
import io.latentflow.model.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code latentflow train}: trains an autoencoder on a folder of images and writes a model directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an autoencoder (bounded-ae or kl-vae) on a folder of images; writes an immutable model"
                + " directory with config.json, recipe.json, metrics.json and a manifest.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--images", required = true, description = "Folder of training images (split by source photo).")
    Path images;

    @Option(names = "--recipe", defaultValue = "bounded-ae", converter = RecipeKindConverter.class,
            description = "bounded-ae (default) or kl-vae.")
    RecipeKind recipe;

    @Option(names = "--channels", description = "Latent channels: 4, 8 or 16 (default: 8 for bounded-ae, 4 for"
            + " kl-vae).")
    Integer channels;

    @Option(names = "--downsampling", defaultValue = "8", description = "Downsampling factor f: 8 or 16.")
    int downsampling;

    @Option(names = "--widths", split = ",", description = "Channel widths per level, e.g. 16,32,64,64"
            + " (log2(f) + 1 entries).")
    List<Integer> widths;

    @Option(names = "--size", defaultValue = "64", description = "Training crop size in pixels.")
    int size;

    @Option(names = "--batch", defaultValue = "16", description = "Crops per step.")
    int batch;

    @Option(names = "--micro-batch", paramLabel = "N|auto|off",
            description = "Runs each step's batch through forward and backward N crops at a time, the gradients added"
                    + " up before the one update (the same step up to float rounding, less memory per pass); auto:"
                    + " as many as keep the largest activation under 8 MB (a 64 px batch of 16 stays whole, a 256 px"
                    + " batch runs one crop at a time); off: the whole batch at once (default: auto;"
                    + " docs/benchmarks.md has the step times with and without).")
    String microBatch;

    @Option(names = "--minutes", description = "Training time budget (total, across resumes).")
    Double minutes;

    @Option(names = "--cpu-minutes", paramLabel = "M", description = "Training budget in CPU minutes of the training"
            + " thread (total, across resumes): equal compute on a shared machine, with --threads 1.")
    Double cpuMinutes;

    @Option(names = "--steps", description = "Step budget (total, across resumes).")
    Long steps;

    @Option(names = "--curve", split = ",", paramLabel = "FRACTION", description = "Also evaluate on the validation"
            + " images at these fractions of the budget, e.g. 0.25,0.5,0.75, and at its end, off the budget"
            + " (training.curve in metrics.json, with each image's PSNR and SSIM).")
    List<Double> curve;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds the weights and every random draw.")
    long seed;

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads.")
    int threads;

    @Option(names = "--no-perturbations", description = "Train the decoder on clean latents (ablation).")
    boolean noPerturbations;

    @Option(names = "--no-ema", description = "Save the trained weights themselves, not their moving average"
            + " (ablation: the average of a short run can mismatch an encoder and decoder whose latent scale moves).")
    boolean noEma;

    @Option(names = "--discriminator", description = "Add the adversarial loss (relativistic, R1 + R2) after its"
            + " warm-up.")
    boolean discriminator;

    @Option(names = "--discriminator-start", description = "With --discriminator: the step from which the autoencoder"
            + " sees the adversarial loss (default: the recipe's, 2000). Short runs need an earlier start or the"
            + " discriminator never acts.")
    Integer discriminatorStart;

    @Option(names = "--discriminator-lead", description = "With --discriminator: steps the discriminator trains alone"
            + " before that (default: the recipe's 500, at most the start step).")
    Integer discriminatorLead;

    @Option(names = "--scale-equivariance", paramLabel = "WEIGHT", description = "Weight of the scale-equivariance"
            + " term: the decoder must also draw the 2x- or 4x-downsampled image from the equally downsampled latent"
            + " (default 0: off; overrides --recipe-file's).")
    Double scaleEquivariance;

    @Option(names = "--recipe-file", description = "A recipe.json to use instead of the preset (overrides --recipe,"
            + " --no-perturbations, --no-ema, --discriminator).")
    Path recipeFile;

    @Option(names = "--resume", description = "Checkpoint directory to continue from.")
    Path resume;

    @Option(names = "--checkpoints", description = "Checkpoint directory (default: <out>-checkpoint).")
    Path checkpoints;

    @Option(names = "--checkpoint-minutes", defaultValue = "5", description = "Minutes between checkpoints.")
    double checkpointMinutes;

    @Option(names = "--out", required = true, description = "Model directory to create (must not exist).")
    Path out;

    @Mixin
    JsonOptions output;

    private static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try {
            return train();
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Bad input (folder, sizes, recipe, checkpoint) or a run that cannot go on: the message says what to do.
            spec.commandLine().getErr().println("train: " + e.getMessage());
            return USAGE;
        }
    }

    private int train() throws IOException {
        TrainingBudget budget = budget();
        RecipeConfig recipeConfig = recipeFile != null ? RecipeConfig.read(recipeFile) : RecipeConfig.preset(recipe);
        if (recipeFile == null && noPerturbations) {
            recipeConfig = recipeConfig.withoutPerturbations();
        }
        if (recipeFile == null && noEma) {
            recipeConfig = recipeConfig.withoutWeightAverage();
        }
        if (recipeFile == null && discriminator) {
            recipeConfig = recipeConfig.withDiscriminator();
        }
        if (scaleEquivariance != null) {
            recipeConfig = recipeConfig.withScaleEquivariance(scaleEquivariance);
        }
        if ((discriminatorStart != null || discriminatorLead != null) && !recipeConfig.adversarial().enabled()) {
            throw new IllegalArgumentException("--discriminator-start and --discriminator-lead need --discriminator");
        }
        if (discriminatorStart != null || discriminatorLead != null) {
            recipeConfig = recipeConfig.withAdversarialSchedule(
                    discriminatorStart != null ? discriminatorStart : recipeConfig.adversarial().startStep(),
                    discriminatorLead);
        }
        int c = channels != null ? channels : recipeConfig.kind() == RecipeKind.KL_VAE ? 4 : 8;
        AutoencoderConfig architecture = AutoencoderConfig.of(recipeConfig.kind().latentKind(), downsampling, c);
        if (widths != null) {
            architecture = new AutoencoderConfig(downsampling, c, widths, architecture.resBlocksPerLevel(),
                    architecture.normalization(), architecture.latentKind());
        }
        TrainerConfig options = TrainerConfig.builder(images, out)
                .architecture(architecture)
                .recipe(recipeConfig)
                .budget(budget)
                .cropSize(size)
                .batchSize(batch)
                .seed(seed)
                .threads(threads)
                .microBatching(microBatch == null ? null : MicroBatching.parse(microBatch))
                .checkpointDir(checkpoints)
                .checkpointEvery(java.time.Duration.ofMillis(Math.round(checkpointMinutes * 60_000)))
                .resumeFrom(resume)
                .curveFractions(curve)
                .command(commandLine())
                .build();
        try (Trainer trainer = new Trainer(options)) {
            TrainingResult result = trainer.run();
            if (output.json()) {
                output.print(spec, report(result));
                return 0;
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "model %s written to %s: %d steps in %.1f min%s%n", result.version(),
                    result.modelDir(), result.steps(), result.trainingTime().toMillis() / 60000.0,
                    result.validation() == null ? ", no validation sources"
                            : String.format(Locale.ROOT, ", validation PSNR %.2f dB, SSIM %.4f on %d images",
                            result.validation().psnr(), result.validation().ssim(), result.validation().images()));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private static Map<String, Object> report(TrainingResult result) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("version", result.version());
        report.put("modelDir", result.modelDir().toAbsolutePath().toString());
        report.put("steps", result.steps());
        report.put("minutes", result.trainingTime().toMillis() / 60000.0);
        if (result.validation() != null) {
            Map<String, Object> validation = new LinkedHashMap<>();
            validation.put("psnr", result.validation().psnr());
            validation.put("ssim", result.validation().ssim());
            validation.put("images", result.validation().images());
            report.put("validation", validation);
        } else {
            report.put("validation", null);
        }
        return report;
    }

    private TrainingBudget budget() {
        if (minutes != null && cpuMinutes != null) {
            throw new IllegalArgumentException("--minutes and --cpu-minutes are two clocks for one budget: give one");
        }
        if (minutes == null && cpuMinutes == null && steps == null) {
            throw new IllegalArgumentException("give a budget: --minutes N, --cpu-minutes N or --steps N (or a time"
                    + " and steps: whichever ends first)");
        }
        long stepBudget = steps == null ? 0 : steps;
        return minutes != null ? TrainingBudget.minutes(minutes).withSteps(stepBudget)
                : cpuMinutes != null ? TrainingBudget.cpuMinutes(cpuMinutes).withSteps(stepBudget)
                : TrainingBudget.steps(stepBudget);
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("latentflow train --images ").append(images)
                .append(" --recipe ").append(recipe.id());
        if (channels != null) {
            line.append(" --channels ").append(channels);
        }
        line.append(" --downsampling ").append(downsampling);
        if (widths != null) {
            line.append(" --widths ").append(String.join(",", widths.stream().map(String::valueOf).toList()));
        }
        line.append(" --size ").append(size).append(" --batch ").append(batch);
        if (minutes != null) {
            line.append(" --minutes ").append(minutes);
        }
        if (cpuMinutes != null) {
            line.append(" --cpu-minutes ").append(cpuMinutes);
        }
        if (steps != null) {
            line.append(" --steps ").append(steps);
        }
        if (curve != null && !curve.isEmpty()) {
            line.append(" --curve ").append(String.join(",", curve.stream().map(String::valueOf).toList()));
        }
        line.append(" --seed ").append(seed).append(" --threads ").append(threads);
        if (noPerturbations) {
            line.append(" --no-perturbations");
        }
        if (noEma) {
            line.append(" --no-ema");
        }
        if (discriminator) {
            line.append(" --discriminator");
        }
        if (discriminatorStart != null) {
            line.append(" --discriminator-start ").append(discriminatorStart);
        }
        if (discriminatorLead != null) {
            line.append(" --discriminator-lead ").append(discriminatorLead);
        }
        if (scaleEquivariance != null) {
            line.append(" --scale-equivariance ").append(scaleEquivariance);
        }
        if (recipeFile != null) {
            line.append(" --recipe-file ").append(recipeFile);
        }
        if (resume != null) {
            line.append(" --resume ").append(resume);
        }
        return line.append(" --out ").append(out).toString();
    }

    static final class RecipeKindConverter implements CommandLine.ITypeConverter<RecipeKind> {
        @Override
        public RecipeKind convert(String value) {
            return RecipeKind.fromId(value);
        }
    }

    /** Standalone entry point until the launcher registers the command; shows the trainer's INFO events. */
    public static void main(String[] args) {
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.INFO);
        System.exit(new CommandLine(new TrainCommand()).execute(args));
    }
}

package io.latentflow.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.ServingModel;
import io.latentflow.model.data.CropSampler;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.data.TrainingImage;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.EvaluationImages;
import io.latentflow.model.eval.EvaluationReport;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.loss.AutoencoderObjective;
import io.latentflow.model.loss.LossTerms;
import io.latentflow.model.nn.ActivationTrace;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.recipe.LatentPerturbations;
import io.latentflow.model.recipe.PerturbationPlan;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.recipe.RecipeFile;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Trains an autoencoder with a recipe on a folder of images, without Flink: random crops from the training sources,
 * one Adam step per batch, an EMA of the weights, a NaN/Inf guard, periodic checkpoints, and at the end validation on
 * the held-out sources and an immutable model directory holding the EMA weights.
 *
 * <p>Memory: every step runs inside an NDScope (DJL attaches results of ops on parameters to the model's manager and
 * would otherwise keep them forever); optimiser and EMA state are created once, outside any scope.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final String ENGINE = "PyTorch";
    private static final int WARMUP_STEPS = 100;
    private static final int SNAPSHOT_EVERY = 50;
    private static final int MAX_CONSECUTIVE_NON_FINITE = 20;
    private static final String WEIGHTS = "weights.bin";
    private static final String EMA_WEIGHTS = "ema.bin";
    private static final String ADAM_MEANS = "adam-means.bin";
    private static final String ADAM_VARIANCES = "adam-variances.bin";
    private static final String AUTOENCODER = "autoencoder";
    private static final String DISCRIMINATOR = "discriminator";
    private static final String D_WEIGHTS = "discriminator.bin";
    private static final String D_ADAM_MEANS = "discriminator-adam-means.bin";
    private static final String D_ADAM_VARIANCES = "discriminator-adam-variances.bin";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainerConfig options;
    private final AutoencoderConfig architecture;
    private final RecipeConfig recipe;
    private final long seed;
    private final int cropSize;
    private final int batchSize;
    private final double validationFraction;
    private final Engine engine;
    private final NDManager manager;
    private final Autoencoder live;
    private final Autoencoder averaged;
    private final NamedParameters liveParameters;
    private final NamedParameters averagedParameters;
    private final AdamOptimizer adam;
    private final WeightAverage ema;
    private final AdversarialTraining adversarial;
    private final ParameterStore parameterStore;
    private final AutoencoderObjective objective;
    private final LatentPerturbations perturbations;
    private final LearningRateSchedule schedule;
    private final CropSampler sampler;
    private final List<TrainingImage> validationImages;
    private final SourceSplit<Path> split;
    private final List<Path> referenceFiles;
    private final int trainImageCount;
    /** The encoder's starting weights, put back after every update when the encoder is frozen; else null. */
    private final float[][] frozenEncoderWeights;
    private final NamedParameters liveEncoder;
    private final NamedParameters averagedEncoder;
    private final Map<String, Object> earlyStoppingReport = new LinkedHashMap<>();

    private long step;
    private long trainingMillisBefore;
    private final long firstStep;
    private double learningRateScale = 1;
    private int nonFiniteSkips;
    private int consecutiveNonFinite;
    private Snapshot lastGood;
    private final ActivationTrace trace = new ActivationTrace();
    private String nonFiniteCause;
    private final List<String> nonFiniteCauses = new ArrayList<>();
    private long injectNaNAfterStep = -1;

    /** Loads the images and builds (or, with {@code resumeFrom}, restores) the model. */
    public Trainer(TrainerConfig options) throws IOException {
        this.options = options;
        requireFreshOutput(options.output());
        CheckpointState resumed = options.resumeFrom() != null ? Checkpoint.readState(options.resumeFrom()) : null;
        if (resumed != null) {
            warnIfOverridden(options, resumed);
        }
        this.architecture = resumed != null ? resumed.architecture() : options.architecture();
        this.recipe = resumed != null ? resumed.recipe() : options.recipe();
        this.seed = resumed != null ? resumed.seed() : options.seed();
        this.cropSize = resumed != null ? resumed.cropSize() : options.cropSize();
        this.batchSize = resumed != null ? resumed.batchSize() : options.batchSize();
        this.validationFraction = resumed != null ? resumed.validationFraction() : options.validationFraction();
        this.objective = new AutoencoderObjective(recipe, architecture);
        this.perturbations = new LatentPerturbations(recipe.perturbations());
        this.schedule = new LearningRateSchedule(recipe.learningRate(), WARMUP_STEPS);

        List<Path> files = options.trainingFiles() != null ? options.trainingFiles()
                : TrainingImages.list(options.images());
        this.split = SourceSplit.of(files, p -> SourceSplit.sourceOf(p.getFileName().toString()),
                options.trainingFiles() != null ? 0 : validationFraction);
        List<TrainingImage> training = TrainingImages.load(split.training());
        this.trainImageCount = training.size();
        this.sampler = new CropSampler(training, cropSize);
        this.validationImages = TrainingImages.load(options.validationFiles() != null ? options.validationFiles()
                : split.validation());
        // the drift reference is the training data: validation sources are what an unseen photo looks like
        this.referenceFiles = ReferenceProfile.spreadEvenly(split.training());

        this.engine = Engine.getEngine(ENGINE);
        JniUtils.setNumThreads(options.threads());
        if (options.threads() > 1 && System.getenv("OMP_WAIT_POLICY") == null) {
            // Measured here: with 2 threads on 2 busy cores, OpenMP's spinning workers made steps ~8x slower.
            LOG.warn("OMP_WAIT_POLICY is not set: with {} threads on a shared CPU a step can take several times"
                    + " longer; start the JVM with OMP_WAIT_POLICY=PASSIVE in its environment", options.threads());
        }
        // Grad mode is on only inside a GradientCollector; EMA, Adam and validation must not record graphs.
        JniUtils.setGradMode(false);
        this.manager = engine.newBaseManager(Device.cpu());
        try {
            this.live = Autoencoder.initialized(architecture, manager, seed);
            this.averaged = Autoencoder.initialized(architecture, manager, seed);
            if (options.startFrom() != null && resumed == null) {
                float[][] weights = weightsOf(options.startFrom());
                parametersOf(live).setValues(weights);
                parametersOf(averaged).setValues(weights);
            }
            averaged.encoder().freezeParameters(true);
            averaged.decoder().freezeParameters(true);
            live.encoder().traceInto(trace, "encoder/");
            live.decoder().traceInto(trace, "decoder/");
            this.liveParameters = parametersOf(live);
            this.averagedParameters = parametersOf(averaged);
            this.liveEncoder = NamedParameters.of(new Pair<String, Block>("encoder", live.encoder()));
            this.averagedEncoder = NamedParameters.of(new Pair<String, Block>("encoder", averaged.encoder()));
            this.frozenEncoderWeights = options.frozenEncoder() ? liveEncoder.values() : null;
            this.adam = new AdamOptimizer(liveParameters);
            this.ema = new WeightAverage(liveParameters, averagedParameters, recipe.emaDecay());
            this.parameterStore = new ParameterStore(manager, false);
            this.adversarial = recipe.adversarial().enabled()
                    ? new AdversarialTraining(recipe.adversarial(), engine, manager, seed) : null;
            if (resumed != null) {
                restore(options.resumeFrom(), resumed);
            }
            this.firstStep = step;
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        LOG.info("Training {} {} ({} parameters) on {} images from {} sources, validating on {} images from {}"
                        + " sources {}; crops {}px, batch {}, seed {}, {} threads{}", recipe.kind().id(),
                architecture.shortName(), liveParameters.count(), trainImageCount,
                countSources(training), validationImages.size(), split.validationSources().size(),
                split.validationSources(), cropSize, batchSize, seed, options.threads(),
                resumed != null ? ", resumed at step " + step
                        : options.startFrom() != null ? ", starting from the weights of " + options.startFrom() : "");
    }

    /** Trains until the budget is spent, then validates and writes the model directory. */
    public TrainingResult run() throws IOException {
        TrainingBudget budget = options.budget();
        ProgressLine progress = new ProgressLine(options.progress(), options.progressEvery(), batchSize);
        List<Map<String, Float>> history = new ArrayList<>();
        long started = System.nanoTime();
        long lastCheckpoint = started;
        TrainingListener listener = options.listener();
        lastGood = snapshot();
        EarlyStopping.Tracker stopping = options.earlyStopping() == null ? null
                : new EarlyStopping.Tracker(options.earlyStopping());
        float[][] bestAveraged = null;
        while (!budget.exhausted(step, elapsed(started))) {
            double learningRate = learningRateScale * schedule.at(step, budget.progress(step, elapsed(started)));
            Map<String, Float> losses = trainStep(step, learningRate);
            step++;
            history.add(losses);
            guard(losses);
            if (step == injectNaNAfterStep) {
                float[][] poisoned = liveParameters.values();
                poisoned[0][0] = Float.NaN;
                liveParameters.setValues(poisoned);
            }
            if (step % SNAPSHOT_EVERY == 0 && consecutiveNonFinite == 0 && liveParameters.allFinite()) {
                lastGood = snapshot();
            }
            boolean last = budget.exhausted(step, elapsed(started));
            progress.stepDone(step, budget, elapsed(started), losses, learningRate, nonFiniteSkips, last);
            double secondsPerStep = (System.nanoTime() - started) / 1e9 / (step - firstStep);
            listener.stepDone(new TrainingProgress(step, budget.steps(), budget.progress(step, elapsed(started)),
                    losses, elapsed(started), TrainingProgress.eta(budget, step, elapsed(started), secondsPerStep)));
            if (!last && System.nanoTime() - lastCheckpoint >= options.checkpointEvery().toNanos()) {
                writeCheckpoint(elapsed(started));
                lastCheckpoint = System.nanoTime();
            }
            if (stopping != null && (step % options.earlyStopping().everySteps() == 0 || last)) {
                double psnr = validationPsnr();
                if (stopping.validated(step, psnr)) {
                    bestAveraged = averagedParameters.values();
                }
                LOG.info("Step {}: validation PSNR {} dB (best {} dB at step {})", step,
                        String.format("%.3f", psnr), String.format("%.3f", stopping.best()), stopping.bestStep());
                if (!last && stopping.shouldStop()) {
                    LOG.info("Stopping early at step {}: no gain above {} dB in {} validations", step,
                            options.earlyStopping().minGainDb(), options.earlyStopping().patience());
                    earlyStoppingReport.put("stoppedAtStep", step);
                    break;
                }
            }
        }
        if (stopping != null && bestAveraged != null) {
            averagedParameters.setValues(bestAveraged);
            earlyStoppingReport.put("bestStep", stopping.bestStep());
            earlyStoppingReport.put("bestValidationPsnr", stopping.best());
            earlyStoppingReport.put("everySteps", options.earlyStopping().everySteps());
            earlyStoppingReport.put("patience", options.earlyStopping().patience());
        }
        Duration trainingTime = elapsed(started);
        double secondsPerStep = (System.nanoTime() - started) / 1e9 / Math.max(1, step - firstStep);
        writeCheckpoint(trainingTime);
        Validated validated = validate();
        String metrics = metricsJson(validated, trainingTime, secondsPerStep, history);
        Manifest manifest = ModelDirectory.save(averaged, options.output(), validated.version(), metrics,
                Map.of(RecipeFile.NAME, recipe.toJson(), ReferenceProfile.FILE_NAME, validated.profile().toJson()));
        EvaluationReport validation = validated.report() == null ? null : EvaluationReport.fromJson(metrics);
        LOG.info("Wrote model {} to {} after {} steps ({})", manifest.version(), options.output(), step,
                ProgressLine.format(trainingTime));
        return new TrainingResult(options.output(), manifest.version(), step, firstStep, trainingTime,
                List.copyOf(history), validation, nonFiniteSkips, List.copyOf(nonFiniteCauses), secondsPerStep);
    }

    /**
     * Evaluates the EMA weights on the validation images through the serving path: the model is saved to a temporary
     * directory and loaded back, exactly as a user would load it. Also names the version after the weights' sha256, so
     * that the report can carry the version the directory will have, and profiles the latents of the training folder
     * for the drift monitor (the same images a job would pick from that folder), so the profile ships with the model.
     */
    private Validated validate() throws IOException {
        List<ImageBatch> batches = ValidationImages.batches(validationImages, architecture.downsamplingFactor());
        Path temp = Files.createTempDirectory("latentflow-validation-");
        try {
            Path dir = temp.resolve("model");
            ModelDirectory.save(averaged, dir, "pending", "{}");
            String version = architecture.shortName() + "-" + HexFormat.of().formatHex(sha256(
                    ModelDirectory.sha256(dir.resolve(ModelDirectory.ENCODER_PARAMS)) + " "
                            + ModelDirectory.sha256(dir.resolve(ModelDirectory.DECODER_PARAMS)))).substring(0, 12);
            try (ServingModel model = ServingModel.load(dir)) {
                ReferenceProfile profile = referenceProfile(model, version);
                if (batches.isEmpty()) {
                    if (options.trainingFiles() == null) {
                        LOG.warn("No validation images (one source only, or images smaller than f): metrics.json has"
                                + " no validation figures");
                    }
                    return new Validated(version, null, profile);
                }
                return new Validated(version, Evaluator.evaluate(model, batches, EvaluationOptions.defaults()), profile);
            }
        } finally {
            ModelDirectory.deleteRecursively(temp);
        }
    }

    /** Mean PSNR of the EMA weights on the validation images, through the serving path, for early stopping. */
    private double validationPsnr() throws IOException {
        List<ImageBatch> batches = ValidationImages.batches(validationImages, architecture.downsamplingFactor());
        Path temp = Files.createTempDirectory("latentflow-early-stopping-");
        try {
            Path dir = temp.resolve("model");
            ModelDirectory.save(averaged, dir, "pending", "{}");
            try (ServingModel model = ServingModel.load(dir)) {
                return Evaluator.evaluate(model, batches, EvaluationOptions.defaults().withNoiseSigmas(List.of()))
                        .psnr();
            }
        } finally {
            ModelDirectory.deleteRecursively(temp);
        }
    }

    /** The latents of (a spread of) the training images, what the drift monitor compares live latents with. */
    private ReferenceProfile referenceProfile(ServingModel model, String version) {
        int f = architecture.downsamplingFactor();
        String source = referenceFiles.size() + " images of " + folderNames(referenceFiles) + " (written by the trainer"
                + (options.profileSize() > 0 ? ", prepared as the encode job prepares its input)" : ")");
        if (options.profileSize() > 0) {
            List<ImageBatch> batches = EvaluationImages.load(referenceFiles, options.profileSize(), f);
            // NOVELTY's typical distance is measured between sources; a skipped file would misalign the names
            List<String> sources = EvaluationImages.count(batches) == referenceFiles.size()
                    ? referenceFiles.stream().map(file -> SourceSplit.sourceOf(file.getFileName().toString())).toList()
                    : null;
            return ReferenceProfile.compute(model, version, batches, sources, Optional.of(recipe), source);
        }
        List<TrainingImage> reference = TrainingImages.load(referenceFiles);
        return ReferenceProfile.compute(model, version, ValidationImages.batches(reference, f),
                reference.stream().map(TrainingImage::source).toList(), Optional.of(recipe), source);
    }

    private record Validated(String version, EvaluationReport report, ReferenceProfile profile) {
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** Steps completed so far (including those before a resume). */
    public long step() {
        return step;
    }

    /**
     * Runs {@code count} of the training loop's own steps (sampling, forward, backward, Adam, EMA, and the
     * discriminator's update where the recipe has one) with no budget, guard, checkpoint or validation around them;
     * for benchmarks. Returns the last step's loss terms.
     */
    public Map<String, Float> runSteps(int count) {
        Map<String, Float> losses = Map.of();
        for (int i = 0; i < count; i++) {
            losses = trainStep(step, learningRateScale * schedule.at(step, 0));
            step++;
        }
        return losses;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** After step {@code afterStep}, puts a NaN into a weight, as a numerical blow-up would; for tests of the guard. */
    void injectNaNAfterStep(long afterStep) {
        this.injectNaNAfterStep = afterStep;
    }

    double learningRateScale() {
        return learningRateScale;
    }

    private Map<String, Float> trainStep(long stepIndex, double learningRate) {
        SplittableRandom random = StepRandom.forStep(seed, stepIndex);
        int f = architecture.downsamplingFactor();
        int c = architecture.latentChannels();
        int latentSide = cropSize / f;
        float[] pixels = sampler.sample(random, batchSize);
        PerturbationPlan plan = perturbations.any()
                ? perturbations.draw(random, batchSize, c, latentSide, latentSide)
                : PerturbationPlan.none(batchSize, c, latentSide, latentSide);
        float[] targetPixels = plan.rollImages(pixels, 3, cropSize, cropSize, f);
        float[] sampleNoise = architecture.latentKind() == LatentKind.KL
                ? gaussian(random, batchSize * c * latentSide * latentSide) : null;
        Shape imageShape = new Shape(batchSize, 3, cropSize, cropSize);
        nonFiniteCause = null;
        trace.clear();
        try (NDScope scope = new NDScope()) {
            NDArray images = manager.create(pixels, imageShape);
            NDArray targets = targetPixels == pixels ? images : manager.create(targetPixels, imageShape);
            NDArray noise = sampleNoise == null ? null
                    : manager.create(sampleNoise, new Shape(batchSize, c, latentSide, latentSide));
            boolean adversarialLoss = adversarial != null && adversarial.trainsGenerator(stepIndex);
            LossTerms terms;
            if (adversarialLoss) {
                adversarial.freeze(true);
            }
            try (GradientCollector collector = engine.newGradientCollector()) {
                terms = objective.compute(parameterStore, live, images, targets, plan, noise);
                if (adversarialLoss) {
                    adversarial.addGeneratorLoss(terms, targets);
                }
                collector.backward(terms.total());
            } finally {
                if (adversarialLoss) {
                    adversarial.freeze(false);
                }
            }
            Map<String, Float> values = terms.values();
            if (!allFinite(values) || !liveParameters.gradientsFinite()) {
                nonFiniteCause = NonFiniteLocator.locate(liveParameters, images, trace, values);
                adam.zeroGradients();
                return values;
            }
            adam.step(learningRate);
            ema.update(adam.updates());
            if (frozenEncoderWeights != null) {
                // Put back rather than leave out of the optimiser: the checkpoint format stays one, and a copy of the
                // starting values is bit-exact where skipping an update by arithmetic (lr 0, decay 1) need not be.
                liveEncoder.setValues(frozenEncoderWeights);
                averagedEncoder.setValues(frozenEncoderWeights);
            }
            if (adversarial != null && adversarial.trainsDiscriminator(stepIndex)) {
                values.putAll(adversarial.step(targets, terms.reconstruction().stopGradient(),
                        learningRateScale));
            }
            return values;
        } finally {
            trace.clear();
        }
    }

    /** Skips a non-finite step: back to the last good weights, with half the learning rate. */
    private void guard(Map<String, Float> losses) {
        if (nonFiniteCause == null) {
            consecutiveNonFinite = 0;
            return;
        }
        nonFiniteSkips++;
        nonFiniteCauses.add("step " + step + ": " + nonFiniteCause);
        consecutiveNonFinite++;
        if (consecutiveNonFinite > MAX_CONSECUTIVE_NON_FINITE) {
            throw new IllegalStateException("the loss was NaN or infinite " + consecutiveNonFinite + " steps in a"
                    + " row even after restoring the last good weights with a lower learning rate (now x"
                    + learningRateScale + "); lower the recipe's learningRate or check the images; first non-finite"
                    + " value this time: " + nonFiniteCause);
        }
        restore(lastGood);
        learningRateScale *= 0.5;
        LOG.warn("Step {}: not finite, first in {} (losses {}); skipped it, restored the weights of step {}, learning"
                + " rate now x{} ({} skips so far)", step, nonFiniteCause, losses, lastGood.step(), learningRateScale,
                nonFiniteSkips);
    }

    private Snapshot snapshot() {
        return new Snapshot(step, liveParameters.values(), averagedParameters.values(), adam.state(),
                adversarial == null ? null : adversarial.parameters().values(),
                adversarial == null ? null : adversarial.adam().state());
    }

    private void restore(Snapshot snapshot) {
        liveParameters.setValues(snapshot.weights());
        averagedParameters.setValues(snapshot.averaged());
        adam.restore(snapshot.adam());
        if (adversarial != null) {
            adversarial.parameters().setValues(snapshot.discriminator());
            adversarial.adam().restore(snapshot.discriminatorAdam());
        }
    }

    private void writeCheckpoint(Duration trainingTime) throws IOException {
        AdamOptimizer.State adamState = adam.state();
        Map<String, Long> updates = new LinkedHashMap<>();
        updates.put(AUTOENCODER, adamState.updates());
        List<Checkpoint.Part> parts = new ArrayList<>(List.of(
                new Checkpoint.Part(WEIGHTS, liveParameters, liveParameters.values()),
                new Checkpoint.Part(EMA_WEIGHTS, averagedParameters, averagedParameters.values()),
                new Checkpoint.Part(ADAM_MEANS, liveParameters, adamState.means()),
                new Checkpoint.Part(ADAM_VARIANCES, liveParameters, adamState.variances())));
        if (adversarial != null) {
            NamedParameters d = adversarial.parameters();
            AdamOptimizer.State dState = adversarial.adam().state();
            updates.put(DISCRIMINATOR, dState.updates());
            parts.add(new Checkpoint.Part(D_WEIGHTS, d, d.values()));
            parts.add(new Checkpoint.Part(D_ADAM_MEANS, d, dState.means()));
            parts.add(new Checkpoint.Part(D_ADAM_VARIANCES, d, dState.variances()));
        }
        CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, step, trainingTime.toMillis(),
                seed, cropSize, batchSize, validationFraction, learningRateScale, nonFiniteSkips, updates,
                architecture, recipe);
        Checkpoint.write(options.checkpointDir(), state, parts);
        LOG.info("Checkpoint at step {} written to {}", step, options.checkpointDir());
    }

    private void restore(Path dir, CheckpointState state) throws IOException {
        Map<String, NamedParameters> files = new LinkedHashMap<>();
        files.put(WEIGHTS, liveParameters);
        files.put(EMA_WEIGHTS, averagedParameters);
        files.put(ADAM_MEANS, liveParameters);
        files.put(ADAM_VARIANCES, liveParameters);
        if (adversarial != null) {
            files.put(D_WEIGHTS, adversarial.parameters());
            files.put(D_ADAM_MEANS, adversarial.parameters());
            files.put(D_ADAM_VARIANCES, adversarial.parameters());
        }
        Map<String, float[][]> values = Checkpoint.readParts(dir, files);
        liveParameters.setValues(values.get(WEIGHTS));
        averagedParameters.setValues(values.get(EMA_WEIGHTS));
        adam.restore(new AdamOptimizer.State(state.optimizerUpdates().getOrDefault(AUTOENCODER, state.step()),
                values.get(ADAM_MEANS), values.get(ADAM_VARIANCES)));
        if (adversarial != null) {
            adversarial.parameters().setValues(values.get(D_WEIGHTS));
            adversarial.adam().restore(new AdamOptimizer.State(state.optimizerUpdates().getOrDefault(DISCRIMINATOR,
                    0L), values.get(D_ADAM_MEANS), values.get(D_ADAM_VARIANCES)));
        }
        step = state.step();
        trainingMillisBefore = state.trainingMillis();
        learningRateScale = state.learningRateScale();
        nonFiniteSkips = state.nonFiniteSkips();
    }

    private Duration elapsed(long startedNanos) {
        return Duration.ofMillis(trainingMillisBefore + (System.nanoTime() - startedNanos) / 1_000_000);
    }

    private String metricsJson(Validated validated, Duration trainingTime, double secondsPerStep,
                               List<Map<String, Float>> history) throws IOException {
        // The evaluator's report at the top level (the shape of `latentflow eval --json`), plus how it was made.
        ObjectNode metrics = validated.report() != null ? (ObjectNode) JSON.readTree(validated.report().toJson())
                : JSON.createObjectNode();
        metrics.put("modelVersion", validated.version());
        metrics.putPOJO("validationSources", split.validationSources().stream().sorted().toList());
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("command", options.command());
        training.put("recipe", recipe.kind().id());
        training.put("steps", step);
        training.put("minutes", trainingTime.toMillis() / 60000.0);
        training.put("seed", seed);
        training.put("cropSize", cropSize);
        training.put("batchSize", batchSize);
        training.put("threads", options.threads());
        training.put("secondsPerStep", secondsPerStep);
        training.put("trainImages", trainImageCount);
        training.put("parameters", liveParameters.count());
        training.put("nonFiniteSkips", nonFiniteSkips);
        training.put("nonFiniteCauses", nonFiniteCauses);
        training.put("resumedFromStep", firstStep);
        training.put("finalLosses", meanOfLast(history, 50));
        training.put("frozenEncoder", frozenEncoderWeights != null);
        training.put("validationImages", validationImages.size());
        if (!earlyStoppingReport.isEmpty()) {
            training.put("earlyStopping", earlyStoppingReport);
        }
        if (adversarial != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("widths", recipe.adversarial().widths());
            d.put("discriminatorFromStep", recipe.adversarial().discriminatorStartStep());
            d.put("generatorLossFromStep", recipe.adversarial().startStep());
            d.put("discriminatorUpdates", adversarial.adam().updates());
            training.put("discriminator", d);
        }
        metrics.putPOJO("training", training);
        if (!options.provenance().isEmpty()) {
            metrics.putPOJO("provenance", options.provenance());
        }
        return JSON.writeValueAsString(metrics);
    }

    private static Map<String, Double> meanOfLast(List<Map<String, Float>> history, int count) {
        Map<String, Double> sums = new LinkedHashMap<>();
        List<Map<String, Float>> tail = history.subList(Math.max(0, history.size() - count), history.size());
        int finite = 0;
        for (Map<String, Float> losses : tail) {
            if (!allFinite(losses)) {
                continue;
            }
            finite++;
            losses.forEach((name, value) -> sums.merge(name, (double) value, Double::sum));
        }
        int n = finite;
        sums.replaceAll((name, sum) -> sum / n);
        return sums;
    }

    private static boolean allFinite(Map<String, Float> values) {
        return values.values().stream().allMatch(Float::isFinite);
    }

    private static float[] gaussian(SplittableRandom random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static NamedParameters parametersOf(Autoencoder autoencoder) {
        return NamedParameters.of(new Pair<String, Block>("encoder", autoencoder.encoder()),
                new Pair<String, Block>("decoder", autoencoder.decoder()));
    }

    /**
     * The weights of a saved version, verified against its manifest, for a run that starts from them (fine-tuning).
     *
     * @throws IllegalArgumentException when the version's architecture is not the one being trained
     */
    private float[][] weightsOf(Path modelDir) throws IOException {
        ModelDirectory.verify(modelDir);
        AutoencoderConfig saved = AutoencoderConfig.read(modelDir.resolve(ModelDirectory.CONFIG));
        if (!saved.equals(architecture)) {
            throw new IllegalArgumentException("cannot start from " + modelDir + ": it is a " + saved.shortName()
                    + " " + saved + ", the run trains " + architecture + "; train with the model's own config.json");
        }
        try (NDManager loading = manager.newSubManager()) {
            Autoencoder loaded = Autoencoder.load(saved, loading, modelDir.resolve(ModelDirectory.ENCODER_PARAMS),
                    modelDir.resolve(ModelDirectory.DECODER_PARAMS));
            return parametersOf(loaded).values();
        } catch (ai.djl.MalformedModelException e) {
            throw new IllegalArgumentException("cannot start from " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /** The folders the files come from, by name, e.g. {@code illustrations + photos}. */
    private static String folderNames(List<Path> files) {
        return String.join(" + ", files.stream().map(f -> String.valueOf(f.toAbsolutePath().getParent()
                .getFileName())).distinct().toList());
    }

    private static long countSources(List<TrainingImage> images) {
        return images.stream().map(TrainingImage::source).distinct().count();
    }

    /** Refused now rather than after the whole budget: the model directory is written once, at the end. */
    private static void requireFreshOutput(Path output) throws IOException {
        if (!Files.exists(output)) {
            return;
        }
        boolean empty;
        if (Files.isDirectory(output)) {
            try (java.util.stream.Stream<Path> entries = Files.list(output)) {
                empty = entries.findAny().isEmpty();
            }
        } else {
            empty = false;
        }
        if (!empty) {
            throw new IllegalArgumentException("output " + output + " already exists and is not an empty directory;"
                    + " model versions are immutable: choose a new --out");
        }
    }

    private static void warnIfOverridden(TrainerConfig options, CheckpointState resumed) {
        if (!options.architecture().equals(resumed.architecture()) || !options.recipe().equals(resumed.recipe())
                || options.seed() != resumed.seed() || options.cropSize() != resumed.cropSize()
                || options.batchSize() != resumed.batchSize()) {
            LOG.warn("Resuming from {}: architecture, recipe, seed, crop size and batch size come from the"
                    + " checkpoint ({} {}, seed {}, {}px, batch {}); the options given for them are ignored",
                    options.resumeFrom(), resumed.recipe().kind().id(), resumed.architecture().shortName(),
                    resumed.seed(), resumed.cropSize(), resumed.batchSize());
        }
    }

    private record Snapshot(long step, float[][] weights, float[][] averaged, AdamOptimizer.State adam,
                            float[][] discriminator, AdamOptimizer.State discriminatorAdam) {
    }
}

package io.latentflow.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.data.CropSampler;
import io.latentflow.model.loss.AutoencoderObjective;
import io.latentflow.model.loss.BatchPart;
import io.latentflow.model.loss.LatentVariance;
import io.latentflow.model.loss.LossTerms;
import io.latentflow.model.loss.ScaleEquivariance;
import io.latentflow.model.nn.ActivationTrace;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.recipe.LatentPerturbations;
import io.latentflow.model.recipe.PerturbationPlan;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.store.ModelDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The model's side of training, as a LightningModule is: the autoencoder, its weight-averaged copy, the optimisers and
 * the learning-rate schedule, and one step (crops, perturbations, forward, losses, backward, Adam, and the
 * discriminator's update where the recipe has one). It knows no budget, no loop and no callback.
 *
 * <p>Memory: every step runs inside an NDScope (DJL attaches results of ops on parameters to the model's manager and
 * would otherwise keep them forever); weights and optimiser state are created once, outside any scope.
 */
public final class TrainingStep implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingStep.class);
    private static final String ENGINE = "PyTorch";
    private static final int WARMUP_STEPS = 100;

    private final AutoencoderConfig architecture;
    private final RecipeConfig recipe;
    private final long seed;
    private final int cropSize;
    private final int batchSize;
    private final CropSampler sampler;
    private final Engine engine;
    private final NDManager manager;
    private final Autoencoder live;
    private final Autoencoder averaged;
    private final NamedParameters liveParameters;
    private final NamedParameters averagedParameters;
    private final AdamOptimizer adam;
    private final AdversarialTraining adversarial;
    private final ParameterStore parameterStore;
    private final AutoencoderObjective objective;
    private final LatentPerturbations perturbations;
    private final LearningRateSchedule schedule;
    private final ActivationTrace trace = new ActivationTrace();
    private final int imagesPerPart;

    /**
     * Builds the model with the seed's weights, or those of {@code startFrom} (a verified model directory of the same
     * architecture, for fine-tuning; null for none), on the CPU with {@code config.threads()} intra-op threads.
     *
     * @throws IllegalArgumentException when {@code startFrom} holds another architecture
     */
    public TrainingStep(TrainerConfig config, CropSampler sampler, Path startFrom) throws IOException {
        this.architecture = config.architecture();
        this.recipe = config.recipe();
        this.seed = config.seed();
        this.cropSize = config.cropSize();
        this.batchSize = config.batchSize();
        this.imagesPerPart = config.microBatching().imagesPerPart(batchSize, architecture, cropSize);
        this.sampler = sampler;
        this.objective = new AutoencoderObjective(recipe, architecture);
        if (recipe.scaleEquivariance() > 0 && (cropSize / architecture.downsamplingFactor()) % 4 != 0) {
            throw new IllegalArgumentException("the scale-equivariance term downsamples the latents of " + cropSize
                    + " px crops by up to 4, but their side " + cropSize / architecture.downsamplingFactor()
                    + " is no multiple of 4: use a crop size that is a multiple of "
                    + 4 * architecture.downsamplingFactor());
        }
        this.perturbations = new LatentPerturbations(recipe.perturbations());
        this.schedule = new LearningRateSchedule(recipe.learningRate(), WARMUP_STEPS);
        this.engine = Engine.getEngine(ENGINE);
        JniUtils.setNumThreads(config.threads());
        if (config.threads() > 1 && System.getenv("OMP_WAIT_POLICY") == null) {
            // Measured here: with 2 threads on 2 busy cores, OpenMP's spinning workers made steps ~8x slower.
            LOG.warn("OMP_WAIT_POLICY is not set: with {} threads on a shared CPU a step can take several times"
                    + " longer; start the JVM with OMP_WAIT_POLICY=PASSIVE in its environment", config.threads());
        }
        // Grad mode is on only inside a GradientCollector; EMA, Adam and validation must not record graphs.
        JniUtils.setGradMode(false);
        this.manager = engine.newBaseManager(Device.cpu());
        try {
            this.live = Autoencoder.initialized(architecture, manager, seed);
            this.averaged = Autoencoder.initialized(architecture, manager, seed);
            if (startFrom != null) {
                float[][] weights = weightsOf(startFrom);
                parametersOf(live).setValues(weights);
                parametersOf(averaged).setValues(weights);
            }
            averaged.encoder().freezeParameters(true);
            averaged.decoder().freezeParameters(true);
            live.encoder().traceInto(trace, "encoder/");
            live.decoder().traceInto(trace, "decoder/");
            this.liveParameters = parametersOf(live);
            this.averagedParameters = parametersOf(averaged);
            this.adam = new AdamOptimizer(liveParameters);
            this.parameterStore = new ParameterStore(manager, false);
            this.adversarial = recipe.adversarial().enabled()
                    ? new AdversarialTraining(recipe.adversarial(), engine, manager, seed) : null;
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The scheduled learning rate (warm-up, then decay) at {@code step}, {@code progress} of the budget spent. */
    public double learningRateAt(long step, double progress) {
        return schedule.at(step, progress);
    }

    /**
     * One step at {@code stepIndex}: its random draws derive from (seed, step) alone. A step whose losses or gradients
     * are not finite changes nothing and says where the first non-finite value appeared.
     *
     * <p>The batch goes through forward and backward in micro-batches of {@link #imagesPerPart()} images (by default
     * as many as {@link MicroBatching#AUTO} fits in the budget), each in its own NDScope so that its activations are freed before the next; their gradients add up
     * in the weights' gradients, and one Adam update follows. The draws are the whole batch's, made before the split,
     * so a split step is the unsplit step up to float rounding.
     *
     * @param learningRateScale the loop's factor on the rate, also applied to the discriminator's own rate
     */
    public StepOutcome run(long stepIndex, double learningRate, double learningRateScale) {
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
        // drawn last and only when used, so that a recipe without the term draws exactly what it always drew
        int scaleFactor = recipe.scaleEquivariance() > 0 ? ScaleEquivariance.drawFactor(random) : 1;
        boolean trainsGenerator = adversarial != null && adversarial.trainsGenerator(stepIndex);
        boolean trainsDiscriminator = adversarial != null && adversarial.trainsDiscriminator(stepIndex);
        Batch batch = new Batch(pixels, targetPixels, sampleNoise, plan, scaleFactor, trainsGenerator,
                trainsDiscriminator);
        boolean penalise = batch.trainsDiscriminator && adversarial.penalises();
        LatentVariance batchVariance = imagesPerPart < batchSize && objective.needsBatchVariance()
                ? batchVariance(pixels) : null;
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, Double> discriminatorValues = new LinkedHashMap<>();
        for (int first = 0; first < batchSize; first += imagesPerPart) {
            int count = Math.min(imagesPerPart, batchSize - first);
            BatchPart part = count == batchSize ? BatchPart.WHOLE
                    : new BatchPart((double) count / batchSize, batchVariance);
            String cause = runPart(batch, first, count, part, penalise, values, discriminatorValues);
            if (cause != null) {
                adam.zeroGradients();
                if (adversarial != null) {
                    adversarial.adam().zeroGradients();
                }
                return new StepOutcome(asFloats(values), cause);
            }
        }
        adam.step(learningRate);
        Map<String, Float> losses = asFloats(values);
        if (batch.trainsDiscriminator) {
            losses.putAll(adversarial.apply(discriminatorValues, learningRateScale));
        }
        return new StepOutcome(losses, null);
    }

    /** Images per micro-batch of this run's steps; the batch size when steps are not split. */
    public int imagesPerPart() {
        return imagesPerPart;
    }

    /**
     * Forward and backward of images {@code first} to {@code first + count - 1}, adding their gradients to the
     * weights' and their share of each loss term to {@code values}; then the discriminator's gradients on them.
     *
     * @return null, or where the first non-finite value of this part appeared
     */
    private String runPart(Batch batch, int first, int count, BatchPart part, boolean penalise,
                           Map<String, Double> values, Map<String, Double> discriminatorValues) {
        trace.clear();
        try (NDScope scope = new NDScope()) {
            NDArray images = imagesOf(batch.pixels, first, count);
            NDArray targets = batch.targetPixels == batch.pixels ? images : imagesOf(batch.targetPixels, first, count);
            int latentValues = batch.sampleNoise == null ? 0 : batch.sampleNoise.length / batchSize;
            NDArray noise = batch.sampleNoise == null ? null
                    : manager.create(part(batch.sampleNoise, first, count, latentValues),
                    new Shape(count, architecture.latentChannels(), cropSize / architecture.downsamplingFactor(),
                            cropSize / architecture.downsamplingFactor()));
            LossTerms terms;
            if (batch.trainsGenerator) {
                adversarial.freeze(true);
            }
            try (GradientCollector collector = engine.newGradientCollector()) {
                terms = objective.compute(parameterStore, live, images, targets, batch.plan.part(first, count), noise,
                        batch.scaleFactor, part);
                if (batch.trainsGenerator) {
                    adversarial.addGeneratorLoss(terms, targets);
                }
                collector.backward(terms.total());
            } finally {
                if (batch.trainsGenerator) {
                    adversarial.freeze(false);
                }
            }
            Map<String, Float> partValues = terms.values();
            partValues.forEach((name, value) -> values.merge(name, (double) value, Double::sum));
            if (!partValues.values().stream().allMatch(Float::isFinite) || !liveParameters.gradientsFinite()) {
                return NonFiniteLocator.locate(liveParameters, images, trace, partValues);
            }
            if (batch.trainsDiscriminator) {
                adversarial.accumulate(targets, terms.reconstruction().stopGradient(), part.share(), penalise,
                        discriminatorValues);
            }
            return null;
        } finally {
            trace.clear();
        }
    }

    /**
     * The whole batch's latent channel statistics, from a forward pass of the encoder without gradients over each
     * part: the variance term needs them before any part's backward pass.
     */
    private LatentVariance batchVariance(float[] pixels) {
        LatentVariance.Accumulator accumulator = new LatentVariance.Accumulator();
        for (int first = 0; first < batchSize; first += imagesPerPart) {
            int count = Math.min(imagesPerPart, batchSize - first);
            try (NDScope scope = new NDScope()) {
                accumulator.add(live.encoder().forward(parameterStore, new NDList(imagesOf(pixels, first, count)),
                        true).singletonOrThrow());
            }
        }
        return accumulator.result();
    }

    private NDArray imagesOf(float[] pixels, int first, int count) {
        int imageValues = 3 * cropSize * cropSize;
        return manager.create(part(pixels, first, count, imageValues), new Shape(count, 3, cropSize, cropSize));
    }

    private float[] part(float[] values, int first, int count, int perImage) {
        return count == batchSize ? values : Arrays.copyOfRange(values, first * perImage, (first + count) * perImage);
    }

    private static Map<String, Float> asFloats(Map<String, Double> values) {
        Map<String, Float> floats = new LinkedHashMap<>();
        values.forEach((name, value) -> floats.put(name, value.floatValue()));
        return floats;
    }

    /** What a step drew for its whole batch, before any split. */
    private record Batch(float[] pixels, float[] targetPixels, float[] sampleNoise, PerturbationPlan plan,
                         int scaleFactor, boolean trainsGenerator, boolean trainsDiscriminator) {
    }

    TrainingSnapshot snapshot(long step) {
        return new TrainingSnapshot(step, liveParameters.values(), averagedParameters.values(), adam.state(),
                adversarial == null ? null : adversarial.parameters().values(),
                adversarial == null ? null : adversarial.adam().state());
    }

    void restore(TrainingSnapshot snapshot) {
        liveParameters.setValues(snapshot.weights);
        averagedParameters.setValues(snapshot.averaged);
        adam.restore(snapshot.adam);
        if (adversarial != null) {
            adversarial.parameters().setValues(snapshot.discriminator);
            adversarial.adam().restore(snapshot.discriminatorAdam);
        }
    }

    Autoencoder live() {
        return live;
    }

    /** The weight average: what validation sees and what the model directory holds. */
    Autoencoder averaged() {
        return averaged;
    }

    NamedParameters liveParameters() {
        return liveParameters;
    }

    NamedParameters averagedParameters() {
        return averagedParameters;
    }

    AdamOptimizer adam() {
        return adam;
    }

    /** The discriminator's side, or null for a recipe without one. */
    AdversarialTraining adversarial() {
        return adversarial;
    }

    @Override
    public void close() {
        manager.close();
    }

    static NamedParameters parametersOf(Autoencoder autoencoder) {
        return NamedParameters.of(new Pair<String, Block>("encoder", autoencoder.encoder()),
                new Pair<String, Block>("decoder", autoencoder.decoder()));
    }

    private static float[] gaussian(SplittableRandom random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
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
}

package io.latentflow.model.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Trains an autoencoder with a recipe on a folder of images, without Flink, split the way PyTorch Lightning splits a
 * trainer: the {@link TrainingData} (images split by source, crops, validation images), the {@link TrainingStep}
 * (model, losses, optimisers), the {@link TrainingCallback}s that act between steps (weight average, frozen encoder,
 * non-finite guard, progress, early stopping, checkpoints), and the {@link ModelExport} that validates, names and writes
 * the model directory. This class is the loop that ties them.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainerConfig config;
    private final TrainingData data;
    private final TrainingStep model;
    private final TrainingContext.LoopPosition start;

    /** Loads the images and builds (or, with {@code resumeFrom}, restores) the model. */
    public Trainer(TrainerConfig requested) throws IOException {
        requireFreshOutput(requested.output());
        CheckpointState resumed = requested.resumeFrom() != null ? Checkpoint.readState(requested.resumeFrom())
                : null;
        if (resumed != null) {
            warnIfOverridden(requested, resumed);
        }
        this.config = resumed != null ? requested.resumedFrom(resumed) : requested;
        this.data = TrainingData.load(config);
        this.model = new TrainingStep(config, data.sampler(), resumed == null ? config.startFrom() : null);
        try {
            this.start = resumed != null ? Checkpointing.restore(config.resumeFrom(), resumed, model)
                    : TrainingContext.LoopPosition.START;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        LOG.info("Training {} {} ({} parameters) on {} images from {} sources, validating on {} images from {}"
                        + " sources {}; crops {}px, batch {}, seed {}, {} threads{}", config.recipe().kind().id(),
                config.architecture().shortName(), model.liveParameters().count(), data.trainImageCount(),
                data.trainSourceCount(), data.validationImages().size(), data.validationSources().size(),
                data.validationSources(), config.cropSize(), config.batchSize(), config.seed(), config.threads(),
                resumed != null ? ", resumed at step " + start.step()
                        : config.startFrom() != null ? ", starting from the weights of " + config.startFrom() : "");
    }

    /**
     * Fresh for each run. The order matters: an interrupt before anything acts on the step, the average before the
     * frozen encoder puts its weights back, the guard before anything reports the step, the best weights of early
     * stopping back before the last checkpoint.
     */
    private List<TrainingCallback> callbacks() {
        List<TrainingCallback> list = new ArrayList<>();
        list.add(new StopOnInterrupt());
        list.add(new WeightAverage(model, config.recipe().emaDecay()));
        if (config.frozenEncoder()) {
            list.add(new FrozenEncoder(model));
        }
        list.add(new NonFiniteGuard());
        list.addAll(config.callbacks());
        if (!config.curveFractions().isEmpty()) {
            list.add(new LearningCurve(config.curveFractions(), ValidationImages.batches(data.validationImages(),
                    config.architecture().downsamplingFactor()), LearningCurve.storeFor(config.checkpointDir())));
        }
        list.add(new ProgressLine(config.progress(), config.progressEvery(), config.batchSize()));
        list.add(config.listener().asCallback());
        if (config.earlyStopping() != null) {
            list.add(new EarlyStopper(config.earlyStopping(), ValidationImages.batches(data.validationImages(),
                    config.architecture().downsamplingFactor())));
        }
        list.add(new Checkpointing(config));
        return list;
    }

    /** Trains until the budget is spent or a callback stops it, then validates and writes the model directory. */
    public TrainingResult run() throws IOException {
        TrainingContext context = new TrainingContext(config.budget(), model, start);
        List<TrainingCallback> callbacks = callbacks();
        for (TrainingCallback callback : callbacks) {
            callback.onTrainStart(context);
        }
        while (context.shouldContinue()) {
            double learningRate = context.nextLearningRate();
            context.stepDone(model.run(context.step(), learningRate, context.learningRateScale()), learningRate);
            for (TrainingCallback callback : callbacks) {
                callback.onStepEnd(context);
            }
        }
        context.finish();
        for (TrainingCallback callback : callbacks) {
            callback.onTrainEnd(context);
        }
        return new ModelExport(config, data, model).write(context);
    }

    @Override
    public void close() {
        model.close();
    }

    /** Refused now rather than after the whole budget: the model directory is written once, at the end. */
    private static void requireFreshOutput(Path output) throws IOException {
        if (!Files.exists(output)) {
            return;
        }
        boolean empty;
        if (Files.isDirectory(output)) {
            try (Stream<Path> entries = Files.list(output)) {
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

    private static void warnIfOverridden(TrainerConfig requested, CheckpointState resumed) {
        if (!requested.architecture().equals(resumed.architecture()) || !requested.recipe().equals(resumed.recipe())
                || requested.seed() != resumed.seed() || requested.cropSize() != resumed.cropSize()
                || requested.batchSize() != resumed.batchSize()) {
            LOG.warn("Resuming from {}: architecture, recipe, seed, crop size and batch size come from the"
                    + " checkpoint ({} {}, seed {}, {}px, batch {}); the options given for them are ignored",
                    requested.resumeFrom(), resumed.recipe().kind().id(), resumed.architecture().shortName(),
                    resumed.seed(), resumed.cropSize(), resumed.batchSize());
        }
    }
}

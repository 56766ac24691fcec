package io.latentflow.model.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Checkpoint} every {@code every} of wall time and once at the end, from which a run resumes exactly:
 * weights, their average, both optimisers' moments, and where the loop stood.
 */
final class Checkpointing implements TrainingCallback {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointing.class);
    private static final String WEIGHTS = "weights.bin";
    private static final String EMA_WEIGHTS = "ema.bin";
    private static final String ADAM_MEANS = "adam-means.bin";
    private static final String ADAM_VARIANCES = "adam-variances.bin";
    private static final String AUTOENCODER = "autoencoder";
    private static final String DISCRIMINATOR = "discriminator";
    private static final String D_WEIGHTS = "discriminator.bin";
    private static final String D_ADAM_MEANS = "discriminator-adam-means.bin";
    private static final String D_ADAM_VARIANCES = "discriminator-adam-variances.bin";

    private final TrainerConfig config;
    private final Path dir;
    private final Duration every;
    private long lastWrite;

    Checkpointing(TrainerConfig config) {
        this.config = config;
        this.dir = config.checkpointDir();
        this.every = config.checkpointEvery();
    }

    @Override
    public void onTrainStart(TrainingContext context) {
        lastWrite = System.nanoTime();
    }

    @Override
    public void onStepEnd(TrainingContext context) throws IOException {
        if (!context.isLastStep() && System.nanoTime() - lastWrite >= every.toNanos()) {
            write(context);
            lastWrite = System.nanoTime();
        }
    }

    @Override
    public void onTrainEnd(TrainingContext context) throws IOException {
        write(context);
    }

    private void write(TrainingContext context) throws IOException {
        TrainingStep model = context.model();
        AdamOptimizer.State adamState = model.adam().state();
        Map<String, Long> updates = new LinkedHashMap<>();
        updates.put(AUTOENCODER, adamState.updates());
        NamedParameters live = model.liveParameters();
        NamedParameters averaged = model.averagedParameters();
        List<Checkpoint.Part> parts = new ArrayList<>(List.of(
                new Checkpoint.Part(WEIGHTS, live, live.values()),
                new Checkpoint.Part(EMA_WEIGHTS, averaged, averaged.values()),
                new Checkpoint.Part(ADAM_MEANS, live, adamState.means()),
                new Checkpoint.Part(ADAM_VARIANCES, live, adamState.variances())));
        AdversarialTraining adversarial = model.adversarial();
        if (adversarial != null) {
            NamedParameters d = adversarial.parameters();
            AdamOptimizer.State dState = adversarial.adam().state();
            updates.put(DISCRIMINATOR, dState.updates());
            parts.add(new Checkpoint.Part(D_WEIGHTS, d, d.values()));
            parts.add(new Checkpoint.Part(D_ADAM_MEANS, d, dState.means()));
            parts.add(new Checkpoint.Part(D_ADAM_VARIANCES, d, dState.variances()));
        }
        CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, context.step(),
                context.elapsed().toMillis(), config.seed(), config.cropSize(), config.batchSize(),
                config.validationFraction(), context.learningRateScale(), context.nonFiniteSkips(), updates,
                config.architecture(), config.recipe());
        Checkpoint.write(dir, state, parts);
        LOG.info("Checkpoint at step {} written to {}", context.step(), dir);
    }

    /** Puts a checkpoint's weights and optimiser state into {@code model}; returns where its loop stood. */
    static TrainingContext.LoopPosition restore(Path dir, CheckpointState state, TrainingStep model)
            throws IOException {
        NamedParameters live = model.liveParameters();
        NamedParameters averaged = model.averagedParameters();
        AdversarialTraining adversarial = model.adversarial();
        Map<String, NamedParameters> files = new LinkedHashMap<>();
        files.put(WEIGHTS, live);
        files.put(EMA_WEIGHTS, averaged);
        files.put(ADAM_MEANS, live);
        files.put(ADAM_VARIANCES, live);
        if (adversarial != null) {
            files.put(D_WEIGHTS, adversarial.parameters());
            files.put(D_ADAM_MEANS, adversarial.parameters());
            files.put(D_ADAM_VARIANCES, adversarial.parameters());
        }
        Map<String, float[][]> values = Checkpoint.readParts(dir, files);
        live.setValues(values.get(WEIGHTS));
        averaged.setValues(values.get(EMA_WEIGHTS));
        model.adam().restore(new AdamOptimizer.State(state.optimizerUpdates().getOrDefault(AUTOENCODER, state.step()),
                values.get(ADAM_MEANS), values.get(ADAM_VARIANCES)));
        if (adversarial != null) {
            adversarial.parameters().setValues(values.get(D_WEIGHTS));
            adversarial.adam().restore(new AdamOptimizer.State(state.optimizerUpdates().getOrDefault(DISCRIMINATOR,
                    0L), values.get(D_ADAM_MEANS), values.get(D_ADAM_VARIANCES)));
        }
        return new TrainingContext.LoopPosition(state.step(), state.trainingMillis(), state.learningRateScale(),
                state.nonFiniteSkips());
    }
}

package io.latentflow.model.train;

import ai.djl.nn.Block;
import ai.djl.util.Pair;

/**
 * Keeps the encoder's weights bit for bit as the run started (decoder-only fine-tuning, which keeps the latent space):
 * after every applied step, after the weight average, both encoders get their starting values back.
 */
final class FrozenEncoder implements TrainingCallback {

    private final NamedParameters liveEncoder;
    private final NamedParameters averagedEncoder;
    private float[][] frozen;

    FrozenEncoder(TrainingStep model) {
        this.liveEncoder = NamedParameters.of(new Pair<String, Block>("encoder", model.live().encoder()));
        this.averagedEncoder = NamedParameters.of(new Pair<String, Block>("encoder", model.averaged().encoder()));
    }

    @Override
    public void onTrainStart(TrainingContext context) {
        frozen = liveEncoder.values();
    }

    @Override
    public void onStepEnd(TrainingContext context) {
        if (context.lastOutcome().applied()) {
            // Put back rather than leave out of the optimiser: the checkpoint format stays one, and a copy of the
            // starting values is bit-exact where skipping an update by arithmetic (lr 0, decay 1) need not be.
            liveEncoder.setValues(frozen);
            averagedEncoder.setValues(frozen);
        }
    }
}

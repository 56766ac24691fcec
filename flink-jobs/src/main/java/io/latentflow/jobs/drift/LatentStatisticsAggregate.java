package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.drift.WindowAccumulator;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds latents into mergeable window statistics, one latent at a time, so a window's state stays a few KB per
 * channel however many images it holds.
 */
public final class LatentStatisticsAggregate
        implements AggregateFunction<EncodedLatent, WindowAccumulator, WindowAccumulator> {

    private static final long serialVersionUID = 1L;

    private final ReferenceProfile reference;

    public LatentStatisticsAggregate(ReferenceProfile reference) {
        this.reference = reference;
    }

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator(reference);
    }

    /**
     * @throws IllegalStateException for a latent of another model version: the job resolves the profile of the one
     *                               model it serves, so this means the model changed under a running job
     */
    @Override
    public WindowAccumulator add(EncodedLatent latent, WindowAccumulator accumulator) {
        if (!reference.modelVersion().equals(latent.modelVersion)) {
            throw new IllegalStateException("The drift monitor has the reference profile of model "
                    + reference.modelVersion() + " but received a latent of model " + latent.modelVersion
                    + ": restart the job so that it resolves the profile of the model it serves");
        }
        accumulator.add(latent.image.imageId, latent.image.source, latent.image.eventTime, latent.latent,
                reference.novelty(latent.latent));
        return accumulator;
    }

    @Override
    public WindowAccumulator getResult(WindowAccumulator accumulator) {
        return accumulator;
    }

    @Override
    public WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        a.merge(b);
        return a;
    }
}

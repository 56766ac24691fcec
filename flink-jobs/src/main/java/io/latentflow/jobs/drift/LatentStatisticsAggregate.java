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

    private final ReferenceProfileLookup references;

    public LatentStatisticsAggregate(ReferenceProfileLookup references) {
        this.references = references;
    }

    /**
     * None yet: the window's key (the model version) is not known here, and the accumulator is made for that
     * version's reference profile. Flink's aggregating state passes it to {@link #add} as null, which makes it.
     */
    @Override
    public WindowAccumulator createAccumulator() {
        return null;
    }

    /**
     * @throws IllegalStateException for a latent of a version without a reference profile, which the monitor
     *                               filters out before the windows
     */
    @Override
    public WindowAccumulator add(EncodedLatent latent, WindowAccumulator accumulator) {
        ReferenceProfile reference = references.forVersion(latent.modelVersion).orElseThrow(() ->
                new IllegalStateException("no reference profile for model version " + latent.modelVersion));
        WindowAccumulator window = accumulator != null ? accumulator : new WindowAccumulator(reference);
        window.add(latent.image.imageId, latent.image.source, latent.image.eventTime, latent.latent,
                reference.novelty(latent.latent), latent.reconstructionPsnr, latent.exposure());
        return window;
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

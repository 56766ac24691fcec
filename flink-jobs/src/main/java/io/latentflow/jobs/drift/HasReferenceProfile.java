package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.EncodedLatent;
import org.apache.flink.api.common.functions.FilterFunction;

/** Lets through the latents of model versions with a reference profile: only those can be judged for drift. */
final class HasReferenceProfile implements FilterFunction<EncodedLatent> {

    private static final long serialVersionUID = 1L;

    private final ReferenceProfileLookup references;

    HasReferenceProfile(ReferenceProfileLookup references) {
        this.references = references;
    }

    @Override
    public boolean filter(EncodedLatent latent) {
        return references.forVersion(latent.modelVersion).isPresent();
    }
}

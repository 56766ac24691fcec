package io.latentflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/** A KL posterior's moments as they are served: the mean, then the log-variance clamped like diffusers clamps it. */
final class Moments {

    /** diffusers' DiagonalGaussianDistribution clamps log-variance to this range (so does latentflow's KL training). */
    static final float MIN_LOG_VARIANCE = -30f;
    static final float MAX_LOG_VARIANCE = 20f;

    private Moments() {
    }

    /** @param moments NCHW, 2c channels: mean then log-variance */
    static NDArray clamped(NDArray moments, int latentChannels) {
        NDArray mean = moments.get(new NDIndex(":, :{}", latentChannels));
        NDArray logVariance = moments.get(new NDIndex(":, {}:", latentChannels))
                .clip(MIN_LOG_VARIANCE, MAX_LOG_VARIANCE);
        return NDArrays.concat(new NDList(mean, logVariance), 1);
    }
}

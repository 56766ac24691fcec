package io.latentflow.shards;

import io.latentflow.schemas.LatentSummary;

/** Summary statistics of one image's latent, over all channels and positions. */
public final class LatentSummaries {

    private LatentSummaries() {
    }

    /** How many values are NaN or infinite: a latent with any is never written (it would poison a training batch). */
    public static int nonFiniteValues(float[] latent) {
        int count = 0;
        for (float value : latent) {
            if (!Float.isFinite(value)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Mean, population standard deviation (numpy's default), min, max and the fraction of values with |v| > 1, in one
     * pass: Welford's update in double, so the variance of values far from zero does not cancel away.
     */
    public static LatentSummary of(float[] latent) {
        if (latent.length == 0) {
            throw new IllegalArgumentException("cannot summarise an empty latent");
        }
        double mean = 0;
        double sumSquaredDeviations = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        int outsideUnit = 0;
        for (int i = 0; i < latent.length; i++) {
            float v = latent[i];
            double delta = v - mean;
            mean += delta / (i + 1);
            sumSquaredDeviations += delta * (v - mean);
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (Math.abs(v) > 1f) {
                outsideUnit++;
            }
        }
        return LatentSummary.newBuilder()
                .setMean((float) mean)
                .setStd((float) Math.sqrt(sumSquaredDeviations / latent.length))
                .setMin(min)
                .setMax(max)
                .setFractionOutsideUnit((float) outsideUnit / latent.length)
                .build();
    }
}

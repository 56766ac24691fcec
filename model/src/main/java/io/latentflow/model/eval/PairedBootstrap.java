package io.latentflow.model.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mean of paired differences (B - A on the same images) with a percentile bootstrap 95 % confidence interval: the
 * images are resampled with replacement, so the interval reflects how much the mean would move on another sample of
 * images like these. Pairing removes what both models share (an image hard for both), which is why the interval of a
 * paired difference is much narrower than the two models' own intervals would suggest.
 *
 * <p>Deterministic for a seed, so a report is reproducible.
 */
public final class PairedBootstrap {

    public static final int DEFAULT_RESAMPLES = 2000;
    public static final long DEFAULT_SEED = 12;

    private final int resamples;
    private final long seed;

    public PairedBootstrap(int resamples, long seed) {
        if (resamples < 100) {
            throw new IllegalArgumentException("a bootstrap needs at least 100 resamples for a 95 % interval, got "
                    + resamples);
        }
        this.resamples = resamples;
        this.seed = seed;
    }

    public static PairedBootstrap defaults() {
        return new PairedBootstrap(DEFAULT_RESAMPLES, DEFAULT_SEED);
    }

    /**
     * @param mean  the mean of the values
     * @param low   2.5th percentile of the resampled means
     * @param high  97.5th percentile of the resampled means
     * @param count values it was computed from; with one value the interval is that value
     */
    public record Interval(double mean, double low, double high, int count) {
    }

    /** The mean of {@code values} (e.g. per-image differences) with its bootstrap interval. */
    public Interval of(double[] values) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("no values to bootstrap: the set of images is empty");
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        if (n == 1) {
            return new Interval(mean, mean, mean, 1);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += values[random.nextInt(n)];
            }
            means[r] = sum / n;
        }
        Arrays.sort(means);
        return new Interval(mean, percentile(means, 0.025), percentile(means, 0.975), n);
    }

    /** Paired differences {@code b[i] - a[i]} with their interval. */
    public Interval ofDifferences(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values must come in pairs: " + a.length + " for A, " + b.length
                    + " for B");
        }
        double[] differences = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            differences[i] = b[i] - a[i];
        }
        return of(differences);
    }

    /** Linear interpolation between the closest ranks of sorted values. */
    private static double percentile(double[] sorted, double rank) {
        double position = rank * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        double weight = position - below;
        return sorted[below] * (1 - weight) + sorted[above] * weight;
    }
}

package io.latentflow.model.eval;

/**
 * Count, mean, sum of squared deviations, min and max of a stream of values. Two summaries merge exactly with the
 * pairwise update of Chan, Golub and LeVeque (1979), so statistics can be gathered per batch, per thread or per
 * partition and combined in any order without the cancellation of a naive sum of squares.
 *
 * @param count values seen
 * @param mean  their mean (0 when empty)
 * @param m2    sum of squared deviations from the mean
 * @param min   smallest value (+infinity when empty)
 * @param max   largest value (-infinity when empty)
 */
public record Moments(long count, double mean, double m2, double min, double max) {

    public static final Moments EMPTY = new Moments(0, 0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);

    /** Summary of {@code values[from .. from + length)}, two passes in double precision. */
    public static Moments of(float[] values, int from, int length) {
        if (length == 0) {
            return EMPTY;
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + length; i++) {
            sum += values[i];
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        double mean = sum / length;
        double m2 = 0;
        for (int i = from; i < from + length; i++) {
            double d = values[i] - mean;
            m2 += d * d;
        }
        return new Moments(length, mean, m2, min, max);
    }

    public Moments merge(Moments other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        long total = count + other.count;
        double delta = other.mean - mean;
        double mergedMean = mean + delta * other.count / total;
        double mergedM2 = m2 + other.m2 + delta * delta * ((double) count * other.count / total);
        return new Moments(total, mergedMean, mergedM2, Math.min(min, other.min), Math.max(max, other.max));
    }

    /** Population variance (divides by the count), 0 when empty. */
    public double variance() {
        return count == 0 ? 0 : m2 / count;
    }

    /** Population standard deviation. */
    public double std() {
        return Math.sqrt(variance());
    }
}

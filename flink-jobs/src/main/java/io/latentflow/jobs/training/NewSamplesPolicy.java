package io.latentflow.jobs.training;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * When enough new training samples ask for a fine-tune by themselves ({@link NewSampleRequests}): once the samples
 * taken since the serving version was promoted, and since the last fine-tune request of any kind, reach
 * {@code minSamples}, no sooner than {@code cooldown} after the last request this rule made. The drift monitor asks
 * only where an alert fires, and a new kind that is a fifth of a window (72 illustrations among 256 photos) moves no
 * window statistic; the samples of it are there all the same, and the gate decides whether a fine-tune on them helps.
 * Plain Java, so the rule is tested without Flink.
 *
 * @param minSamples new samples that ask for a fine-tune: enough for the gate to hold out its minimum on the recent
 *                   side (a sixth of 256 is 42 where 16 are needed)
 * @param cooldown   least time between two requests of this rule (a stream that keeps flowing asks again only then)
 * @param checkEvery how often the samples are counted after a window closed (a listing of shard names)
 * @param checkFor   for how long after a window closed they are counted: its sample shard may be written later
 */
public record NewSamplesPolicy(int minSamples, Duration cooldown, Duration checkEvery, Duration checkFor)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MIN_SAMPLES = 256;

    public NewSamplesPolicy {
        if (minSamples < 1 || cooldown.isNegative() || checkEvery.isNegative() || checkEvery.isZero()
                || checkFor.isNegative()) {
            throw new IllegalArgumentException("a new-samples policy needs at least one sample, a cooldown and a check"
                    + " period of zero or more and a positive check interval; got " + minSamples + ", " + cooldown
                    + ", " + checkEvery + ", " + checkFor);
        }
    }

    /** {@code minSamples} new samples ask, at most once per {@code cooldown}; counted every 30 s for 5 min. */
    public static NewSamplesPolicy of(int minSamples, Duration cooldown) {
        return new NewSamplesPolicy(minSamples, cooldown, Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    /** Where the new samples are counted from: the later of the serving version's promotion and the last request. */
    public static Instant countFrom(Instant promotedAt, Long lastRequestAt) {
        return lastRequestAt == null || promotedAt.toEpochMilli() >= lastRequestAt ? promotedAt
                : Instant.ofEpochMilli(lastRequestAt);
    }

    /**
     * Whether {@code newSamples} (counted from {@link #countFrom}) ask for a fine-tune now.
     *
     * @param lastOwnRequestAt processing time of this rule's last request, null before the first
     */
    public boolean asks(int newSamples, Long lastOwnRequestAt, long now) {
        return newSamples >= minSamples && (lastOwnRequestAt == null || now - lastOwnRequestAt >= cooldown.toMillis());
    }
}

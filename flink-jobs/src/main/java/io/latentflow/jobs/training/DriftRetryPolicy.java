package io.latentflow.jobs.training;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a drift fine-tune that was REFUSED for too few samples is asked again ({@link RefusedDriftRequests}): once the
 * training samples since the alert's window reach what the refusal said the gate needs, while the version it would
 * fine-tune still serves, at most {@code maxAttempts} asks in all and no later than {@code maxWait} after the first
 * refusal. Plain Java, so the rule is tested without Flink.
 *
 * <p>A stream that drifts and then stops (a batch of a new kind sent once) never brings the samples the alert's own
 * window lacks. Once no sample has arrived for {@code quietFor}, the episode widens ONCE to what a {@code finetune} by
 * hand takes, the samples since the serving version was promoted (the drifted images among them), when those are
 * enough: a fine-tune diluted by the earlier images of the stream is better than none, and the gate still judges it
 * on held-out images of both sides. Widening never happens while samples keep coming: they may still bring the
 * alert's own shortfall.
 *
 * <p>The target is counted in the unit the store lists (shard names, {@code TrainingSampleStore#availableSince}), which
 * may count an image sent twice twice where the fine-tune keeps one; so a retry also needs the refusal's shortfall
 * beyond the count at which it was asked, and a store whose count never grows is never asked again.
 *
 * @param maxAttempts asks per alert episode, the alert's own request included
 * @param maxWait     how long after the first refusal the episode may still ask
 * @param checkEvery  how often a waiting episode counts the samples (a listing of shard names, no download)
 * @param quietFor    how long no new sample must arrive before the episode widens to the samples since promotion
 */
public record DriftRetryPolicy(int maxAttempts, Duration maxWait, Duration checkEvery, Duration quietFor)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Four asks within six hours, counted every 30 s: samples arrive one window (a minute by default) at a time, so
     * five minutes without one is five windows closed empty: the stream has stopped.
     */
    public static final DriftRetryPolicy DEFAULT = new DriftRetryPolicy(4, Duration.ofHours(6), Duration.ofSeconds(30),
            Duration.ofMinutes(5));

    public DriftRetryPolicy {
        if (maxAttempts < 1 || maxWait.isNegative() || checkEvery.isNegative() || checkEvery.isZero()
                || quietFor.isNegative()) {
            throw new IllegalArgumentException("a drift retry policy needs at least one attempt, a wait and a quiet"
                    + " period of zero or more and a positive check interval; got " + maxAttempts + ", " + maxWait
                    + ", " + checkEvery + ", " + quietFor);
        }
    }

    /** What a waiting episode does now. */
    public record Decision(Action action, int missingSamples, String reason) {
    }

    /** ASK: again on the alert's samples (or, once widened, the samples since promotion); ASK_WIDER: widen, then ask. */
    public enum Action { ASK, ASK_WIDER, WAIT, GIVE_UP }

    /**
     * The episode's attempt {@code episode.attempt} was refused: it waits for {@code moreRecentImages} more than it had,
     * or gives up when more recent samples cannot help or no attempt is left. Updates {@code episode}.
     *
     * @param recentImages the recent images the refused run found
     */
    public Decision refused(DriftEpisode episode, int recentImages, int moreRecentImages, String servingVersion,
                            long now) {
        if (moreRecentImages <= 0) {
            return giveUp("the recent samples were not what was short (see the refusal): more of them cannot help");
        }
        if (episode.attempt >= maxAttempts) {
            return giveUp("refused " + episode.attempt + " times, the most this episode asks");
        }
        if (episode.firstRefusedAt == 0) {
            episode.firstRefusedAt = now;
        }
        episode.waiting = true;
        episode.lastCount = -1; // the quiet period starts at the first count
        episode.servingVersion = servingVersion;
        episode.neededSamples = Math.max(recentImages, episode.samplesWhenAsked) + moreRecentImages;
        return new Decision(Action.WAIT, moreRecentImages, "waiting for " + moreRecentImages + " more samples");
    }

    /**
     * A waiting episode counted its samples: asks again, widens, waits on, or gives up. Updates {@code episode}.
     *
     * @param samplesNow           the samples in the episode's scope: since the alert's window, or since the serving
     *                             version was promoted once widened
     * @param samplesSincePromotion the samples since the serving version was promoted (what widening would take)
     */
    public Decision check(DriftEpisode episode, boolean sameVersionServing, int samplesNow, int samplesSincePromotion,
                          long now) {
        if (!sameVersionServing) {
            return giveUp("version " + episode.servingVersion + " no longer serves");
        }
        String scope = episode.widened ? "since the serving version was promoted" : "since the alert's window";
        int missing = episode.neededSamples - samplesNow;
        if (missing <= 0) {
            return new Decision(Action.ASK, 0, samplesNow + " samples " + scope + ", " + episode.neededSamples
                    + " needed");
        }
        if (samplesNow != episode.lastCount) {
            episode.lastCount = samplesNow;
            episode.lastArrivalAt = now;
        }
        boolean quiet = now - episode.lastArrivalAt >= quietFor.toMillis();
        if (!episode.widened && quiet && samplesSincePromotion >= episode.neededSamples) {
            return new Decision(Action.ASK_WIDER, 0, "no sample for " + quietFor.toMinutes() + " min, "
                    + samplesNow + " since the alert's window of " + episode.neededSamples + " needed: widened to the "
                    + samplesSincePromotion + " samples since the serving version was promoted");
        }
        if (now - episode.firstRefusedAt >= maxWait.toMillis()) {
            return giveUp("still " + missing + " samples short " + maxWait + " after the first refusal");
        }
        return new Decision(Action.WAIT, missing, "waiting for " + missing + " more samples (" + samplesNow + " of "
                + episode.neededSamples + " " + scope + ")");
    }

    private static Decision giveUp(String reason) {
        return new Decision(Action.GIVE_UP, 0, reason);
    }

    /**
     * Where one alert episode's request stands, kept in keyed state (a Flink POJO).
     */
    public static class DriftEpisode {
        /** The attempt asked last: 1 is the alert's own request. */
        public int attempt = 1;
        /** The store's sample count when that attempt was asked (0 for the alert's own request). */
        public int samplesWhenAsked;
        /** Whether the last attempt was refused and the episode waits for samples. */
        public boolean waiting;
        /** Asks again once the store holds this many samples since the alert's window. */
        public int neededSamples;
        /** The version the refused run would have fine-tuned. */
        public String servingVersion;
        /** Processing time of the first refusal, 0 before. */
        public long firstRefusedAt;
        /** The shortfall last reported on training-progress, -1 when none was. */
        public int missingReported = -1;
        /** Whether the episode counts (and its retries take) the samples since promotion, not since its window. */
        public boolean widened;
        /** The count seen at the last check, -1 before the first. */
        public int lastCount = -1;
        /** Processing time of the last check that saw the count change. */
        public long lastArrivalAt;

        public DriftEpisode() {
        }
    }
}

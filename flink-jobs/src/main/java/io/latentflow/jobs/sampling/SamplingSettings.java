package io.latentflow.jobs.sampling;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the encode job samples its images for fine-tuning. The budget is {@code perSourcePerHour} distinct images per
 * source and event-time hour, drawn per {@code window} (at most {@code perSource} a window) among the window's images,
 * so that a burst (a folder ingested at once) can take the whole hour's budget in one window and a modest stream is
 * sampled nearly whole, while a steady large one is held to the hourly rate. The samples in storage are held under
 * {@code maxStoredBytes}: beyond it the oldest windows' shards are deleted.
 *
 * @param window           event-time tumbling window the reservoirs are drawn over
 * @param perSource        images kept per source and window, at most
 * @param rememberFor      how long a sampled image's content hash is remembered, so the same image sent again is not
 *                         sampled again
 * @param perSourcePerHour images kept per source and event-time hour (UTC hours), at most
 * @param maxStoredBytes   the training samples in storage, at most (the oldest shards go first)
 */
public record SamplingSettings(Duration window, int perSource, Duration rememberFor, int perSourcePerHour,
                               long maxStoredBytes) implements Serializable {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    /**
     * 300 per source and hour: the 256 photos and 72 illustrations of a first session are all sampled (a fine-tune
     * needs hundreds, the gate holds out a sixth and judges on 16 or more a side); a camera sending 10 images a second
     * keeps 300 of its 36 000 an hour.
     */
    public static final int DEFAULT_PER_SOURCE_PER_HOUR = 300;
    /** A burst may take the hour's budget in one window. */
    public static final int DEFAULT_PER_SOURCE = DEFAULT_PER_SOURCE_PER_HOUR;
    public static final Duration DEFAULT_REMEMBER_FOR = Duration.ofDays(7);
    /** 2 GiB: about 15 000 samples at 256 px (a PNG of about 140 KB each). */
    public static final long DEFAULT_MAX_STORED_BYTES = 2L << 30;

    public SamplingSettings {
        if (window == null || window.toMillis() < 1) {
            throw new IllegalArgumentException("sampling window " + window + ": expected a positive duration, e.g."
                    + " PT1M");
        }
        if (perSource < 1 || perSource > 10_000) {
            throw new IllegalArgumentException("samples per source and window " + perSource + ": expected 1 to"
                    + " 10000");
        }
        if (rememberFor == null || rememberFor.toMillis() < 1) {
            throw new IllegalArgumentException("rememberFor " + rememberFor + ": expected a positive duration");
        }
        if (perSourcePerHour < 1) {
            throw new IllegalArgumentException("samples per source and hour " + perSourcePerHour + ": expected 1 or"
                    + " more");
        }
        if (maxStoredBytes < 1) {
            throw new IllegalArgumentException("training-sample storage cap " + maxStoredBytes + " bytes: expected a"
                    + " positive size");
        }
    }

    /** {@code perSource} per window, with no hourly budget beyond it and the default storage cap. */
    public static SamplingSettings of(Duration window, int perSource) {
        return new SamplingSettings(window, perSource, DEFAULT_REMEMBER_FOR, Integer.MAX_VALUE,
                DEFAULT_MAX_STORED_BYTES);
    }

    /** An hourly budget per source, of which one window may take all, and a storage cap. */
    public static SamplingSettings hourly(Duration window, int perSourcePerHour, long maxStoredBytes) {
        return new SamplingSettings(window, Math.min(10_000, perSourcePerHour), DEFAULT_REMEMBER_FOR,
                perSourcePerHour, maxStoredBytes);
    }

    public static SamplingSettings defaults() {
        return hourly(DEFAULT_WINDOW, DEFAULT_PER_SOURCE_PER_HOUR, DEFAULT_MAX_STORED_BYTES);
    }

    /**
     * Candidates a window's reservoir holds: its keep plus room to leave out images sampled in earlier windows, the
     * room bounded so that a large budget does not hold twice its images in memory.
     */
    int reservoirCapacity() {
        return perSource + Math.min(perSource, 64);
    }
}

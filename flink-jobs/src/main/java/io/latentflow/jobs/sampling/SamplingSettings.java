package io.latentflow.jobs.sampling;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the encode job samples its images for fine-tuning: per {@code source} and per event-time window, at most
 * {@code perSource} distinct images, drawn uniformly among those of the window. So the rate is {@code perSource} per
 * source per {@code window}, and a window's budget is {@code perSource} times the sources that sent images in it.
 *
 * @param window        event-time tumbling window the reservoirs are drawn over
 * @param perSource     images kept per source and window, at most
 * @param rememberFor   how long a sampled image's content hash is remembered, so the same image sent again is not
 *                      sampled again
 */
public record SamplingSettings(Duration window, int perSource, Duration rememberFor) implements Serializable {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final int DEFAULT_PER_SOURCE = 8;
    public static final Duration DEFAULT_REMEMBER_FOR = Duration.ofDays(7);

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
    }

    public static SamplingSettings of(Duration window, int perSource) {
        return new SamplingSettings(window, perSource, DEFAULT_REMEMBER_FOR);
    }

    public static SamplingSettings defaults() {
        return of(DEFAULT_WINDOW, DEFAULT_PER_SOURCE);
    }
}

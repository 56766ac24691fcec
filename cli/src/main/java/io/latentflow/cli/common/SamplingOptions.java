package io.latentflow.cli.common;

import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.sampling.SamplingSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Sampling of the encoded images into {@code training-samples/} for fine-tuning. */
public final class SamplingOptions {

    @Option(names = "--sample-window", defaultValue = "PT1M", paramLabel = "DURATION",
            description = "Event-time window the training samples are drawn over, ISO-8601 (default ${DEFAULT-VALUE}).")
    public Duration window;

    @Option(names = "--samples-per-source", paramLabel = "N",
            description = "Images sampled per source and window, at most (default: the hourly budget).")
    Integer perSource;

    @Option(names = "--samples-per-source-per-hour", defaultValue = "300", paramLabel = "N",
            description = "Images sampled per source and event-time hour, at most; one window may take the hour's"
                    + " budget, so a folder ingested at once is sampled (default ${DEFAULT-VALUE}).")
    public int perSourcePerHour;

    @Option(names = "--samples-max-storage-mb", defaultValue = "2048", paramLabel = "MB",
            description = "Training samples kept in storage, at most; beyond it the oldest windows' samples are"
                    + " deleted (default ${DEFAULT-VALUE}).")
    long maxStorageMb;

    public SamplingSettings settings() {
        SamplingSettings hourly = SamplingSettings.hourly(window, perSourcePerHour, maxStorageMb << 20);
        return perSource == null ? hourly : new SamplingSettings(window, perSource, hourly.rememberFor(),
                perSourcePerHour, hourly.maxStoredBytes());
    }

    public EncodeJobSettings applyTo(EncodeJobSettings settings, boolean on) {
        return settings.toBuilder().sampling(on ? settings() : null).build();
    }
}

package io.latentflow.cli;

import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.jobs.sampling.SamplingSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Sampling of the encoded images into {@code training-samples/} for fine-tuning. */
final class SamplingOptions {

    @Option(names = "--sample-window", defaultValue = "PT1M", paramLabel = "DURATION",
            description = "Event-time window the training samples are drawn over, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--samples-per-source", defaultValue = "8", paramLabel = "N",
            description = "Images sampled per source and window, at most (default ${DEFAULT-VALUE}).")
    int perSource;

    EncodeJobSettings applyTo(EncodeJobSettings settings, boolean on) {
        return settings.toBuilder().sampling(on ? SamplingSettings.of(window, perSource) : null).build();
    }
}

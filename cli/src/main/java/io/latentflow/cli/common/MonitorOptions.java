package io.latentflow.cli.common;

import io.latentflow.jobs.drift.DriftMonitorSettings;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.EncodeJobSettings;
import io.latentflow.model.drift.ReconstructionSampling;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The latent-drift monitor of the encode job: on by default, its windows, and the reference images. */
public final class MonitorOptions {

    @Option(names = "--no-monitor", description = "Run the encode job without the latent-drift monitor.")
    boolean off;

    @Option(names = "--window", defaultValue = "PT1M",
            description = "Event-time window of the latent statistics, ISO-8601 (default ${DEFAULT-VALUE}).")
    public Duration window;

    @Option(names = "--allowed-lateness", defaultValue = "PT0S",
            description = "How long a closed window still takes late latents, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration allowedLateness;

    @Option(names = "--idle-after", paramLabel = "DURATION",
            description = "When no image has arrived for this long, event time moves on with the clock, so the last"
                    + " window of a burst is still judged, sampled and alerted, ISO-8601 (default: one --window).")
    Duration idleAfter;

    @Option(names = "--reference-images", paramLabel = "DIR",
            description = "Images to compute the drift reference from when the model has no stored profile"
                    + " (default: the shipped sample photos).")
    Path referenceImages;

    @Option(names = "--quality-sample-every", paramLabel = "N", defaultValue = "" + ReconstructionSampling.DEFAULT_EVERY,
            description = "Decode 1 image in N (by image id) to measure its reconstruction PSNR for the QUALITY drift"
                    + " statistic; 1 every image, 0 none (default ${DEFAULT-VALUE}: about 4 %% of the encoder's time).")
    int qualitySampleEvery;

    /** {@code settings} with the monitor, its reference profile resolved now; as they are with --no-monitor. */
    public EncodeJobSettings applyTo(EncodeJobSettings settings) {
        if (off) {
            return settings;
        }
        Path reference = referenceImages != null ? referenceImages : Home.samples().resolve("photos");
        DriftMonitorSettings monitor = DriftMonitorSettings
                .of(ReferenceProfiles.resolve(settings.model(), settings.resolution(), reference))
                .withWindowSize(window)
                .withAllowedLateness(allowedLateness)
                .withIdleness(idleAfter != null ? idleAfter : window)
                .withValidationPsnr(ReferenceProfiles.storedValidationPsnr(settings.model(), settings.resolution()))
                .withSampling(new ReconstructionSampling(qualitySampleEvery));
        return settings.toBuilder().monitor(monitor).build();
    }
}

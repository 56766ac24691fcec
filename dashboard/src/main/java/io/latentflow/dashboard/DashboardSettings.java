package io.latentflow.dashboard;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.TrustedKeys;
import java.util.Objects;

/**
 * What the dashboard reads and where it listens.
 *
 * @param s3                 where latent shards and model versions are, for reconstructions; null to show the worst
 *                           images by id only
 * @param bindAddress        the address to listen on; loopback by default, because the page has no authentication
 * @param port               the port to listen on; 0 for any free port
 * @param maxWindowsPerModel windows kept per model version (the latest by event time)
 * @param maxAlerts          alerts kept (the latest)
 * @param recentLatents      latent records remembered (the latest), to find the shards of the worst images
 * @param flinkRest          Flink's REST address, to show the running encode job's counters (duplicates dropped);
 *                           null to show none
 * @param trustedKeys        whose signature a version needs before its decoder draws reconstructions (the shipped
 *                           model needs none)
 */
public record DashboardSettings(KafkaSettings kafka, S3Settings s3, String bindAddress, int port,
                                int maxWindowsPerModel, int maxAlerts, int recentLatents, String flinkRest,
                                TrustedKeys trustedKeys) {

    public static final String LOOPBACK = "127.0.0.1";
    /** A day of one-minute windows. */
    public static final int DEFAULT_WINDOWS_PER_MODEL = 1440;
    public static final int DEFAULT_ALERTS = 500;
    /** Some minutes of a busy stream, a few megabytes. */
    public static final int DEFAULT_RECENT_LATENTS = 20_000;

    public DashboardSettings {
        Objects.requireNonNull(kafka, "kafka: the dashboard reads latent-stats and drift-alerts from Kafka");
        Objects.requireNonNull(trustedKeys, "trustedKeys: TrustedKeys.NOT_CHECKED when signatures are not checked");
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("the dashboard's bind address is blank: give an address such as "
                    + LOOPBACK);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the dashboard's port is " + port + ": give 1-65535, or 0 for any free port");
        }
        if (maxWindowsPerModel < 1 || maxAlerts < 1 || recentLatents < 1) {
            throw new IllegalArgumentException("the dashboard must keep at least one window per model, one alert and"
                    + " one latent record, got " + maxWindowsPerModel + ", " + maxAlerts + " and " + recentLatents);
        }
    }

    /** Loopback, default history bounds. */
    public static DashboardSettings of(KafkaSettings kafka, S3Settings s3, int port) {
        return new DashboardSettings(kafka, s3, LOOPBACK, port, DEFAULT_WINDOWS_PER_MODEL, DEFAULT_ALERTS,
                DEFAULT_RECENT_LATENTS, null, TrustedKeys.NOT_CHECKED);
    }

    public DashboardSettings withBindAddress(String address) {
        return new DashboardSettings(kafka, s3, address, port, maxWindowsPerModel, maxAlerts, recentLatents,
                flinkRest, trustedKeys);
    }

    /** Shows the running encode job's counters, read from Flink's REST API at {@code rest}. */
    public DashboardSettings withFlinkRest(String rest) {
        return new DashboardSettings(kafka, s3, bindAddress, port, maxWindowsPerModel, maxAlerts, recentLatents, rest,
                trustedKeys);
    }

    /** Draws reconstructions only with versions one of {@code keys} signed. */
    public DashboardSettings withTrustedKeys(TrustedKeys keys) {
        return new DashboardSettings(kafka, s3, bindAddress, port, maxWindowsPerModel, maxAlerts, recentLatents,
                flinkRest, keys);
    }
}

package io.latentflow.dashboard;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.ModelEvent;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in latent-statistics dashboard: a web page, served from this JVM, that follows {@code latent-stats} and
 * {@code drift-alerts} live and shows per-channel statistics over time, the latest distributions, the drift score
 * against its thresholds, the alerts, and the worst images decoded back from their latents.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.start(kafka, s3, 8090)) {
 *     System.out.println("Dashboard: " + dashboard.url());
 *     ...
 * }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

    private final TopicFollower follower;
    private final Reconstructions reconstructions;
    private final DashboardServer server;
    private final URI url;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Dashboard(TopicFollower follower, Reconstructions reconstructions, DashboardServer server, URI url) {
        this.follower = follower;
        this.reconstructions = reconstructions;
        this.server = server;
        this.url = url;
    }

    /**
     * Starts reading the topics from their beginning and serving the page on loopback.
     *
     * @param s3   where latent shards and model versions are, to show reconstructions; null to list the worst images
     *             without pictures
     * @param port 0 for any free port
     */
    public static Dashboard start(KafkaSettings kafka, S3Settings s3, int port) {
        return start(DashboardSettings.of(kafka, s3, port));
    }

    public static Dashboard start(DashboardSettings settings) {
        StatsHistory history = new StatsHistory(settings.maxWindowsPerModel(), settings.maxAlerts());
        LatentLocations latents = new LatentLocations(settings.recentLatents());
        TrainingView training = new TrainingView();
        TrainingSamplesView samples = new TrainingSamplesView(settings.s3());
        TopicFollower follower = new TopicFollower(settings.kafka())
                .follow(Topics.LATENT_STATS, AvroCodec.of(LatentStatsWindow.class), history::add)
                .follow(Topics.DRIFT_ALERTS, AvroCodec.of(DriftAlert.class), history::add)
                .follow(Topics.MODEL_EVENTS, AvroCodec.of(ModelEvent.class), event -> {
                    history.add(event);
                    samples.add(event);
                })
                .follow(Topics.TRAINING_PROGRESS, AvroCodec.of(TrainingProgress.class), training::add);
        if (settings.s3() != null) {
            // The worst images' latents (inline, else their shards); decoding them needs the registry's models.
            follower.followRecent(Topics.LATENTS, settings.recentLatents(), AvroCodec.of(LatentRecord.class),
                    latent -> {
                        latents.add(latent);
                        history.add(latent);
                    });
        }
        Reconstructions reconstructions = Reconstructions.of(settings.s3(), settings.trustedKeys(), latents);
        DashboardServer server;
        try {
            server = DashboardServer.start(settings.bindAddress(), settings.port(), history, follower.status(),
                    reconstructions, new ModelCatalog(settings.s3()), training, samples,
                    settings.flinkRest() == null ? null : new EncodeJobCounters(settings.flinkRest()));
        } catch (RuntimeException e) {
            reconstructions.close();
            throw e;
        }
        follower.start();
        URI url = url(server.address());
        LOG.info("Dashboard on {} reading {} and {} from {}{}", url, Topics.LATENT_STATS, Topics.DRIFT_ALERTS,
                settings.kafka().bootstrapServers(),
                reconstructions.available() ? ", latents from " + settings.s3().endpoint()
                        : " (no reconstructions: " + reconstructions.unavailableReason() + ")");
        return new Dashboard(follower, reconstructions, server, url);
    }

    /** The page, e.g. {@code http://127.0.0.1:8090/}. */
    public URI url() {
        return url;
    }

    private static URI url(InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "localhost" : address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort() + "/");
    }

    /** Stops serving and reading; calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close();
        follower.close();
        reconstructions.close();
        LOG.info("Dashboard on {} stopped", url);
    }
}

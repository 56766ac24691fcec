package io.latentflow.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster in this JVM (one JobManager, one TaskManager) with its REST endpoint on a
 * free loopback port. Jobs reach it exactly as they reach a remote session cluster, through
 * REST ({@link #environment()}); no job jar is shipped because the job's classes are already on
 * this JVM's classpath. Checkpoints, savepoints, blobs and spill files live under
 * {@code <stateDir>/flink}.
 *
 * <p>With {@value #PROMETHEUS_PORT_ENV} (or the system property {@value #PROMETHEUS_PORT_PROPERTY}) set to a port or
 * a port range, Flink's Prometheus reporter serves the cluster's metrics, the latent-drift gauges among them, on
 * {@code http://<host>:<port>/metrics}, as the docker-compose cluster does on 9249.
 */
public final class EmbeddedFlink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);
    public static final String PROMETHEUS_PORT_ENV = "LATENTFLOW_PROMETHEUS_PORT";
    public static final String PROMETHEUS_PORT_PROPERTY = "latentflow.prometheus.port";
    private static final String PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final long CLOSE_TIMEOUT_S = 60;

    /**
     * Parent-first: job classes come from this JVM's classpath, and a child-first user class
     * loader would load a second copy of classes such as Avro's SpecificRecord, which then clash.
     */
    private static final String CLASSLOADER_RESOLVE_ORDER = "parent-first";

    private final MiniCluster cluster;
    private final URI restAddress;
    private final Path home;
    private final int slots;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedFlink(MiniCluster cluster, URI restAddress, Path home, int slots) {
        this.cluster = cluster;
        this.restAddress = restAddress;
        this.home = home;
        this.slots = slots;
    }

    /** A cluster with one slot per available processor. */
    public static EmbeddedFlink start(Path stateDir) {
        return start(stateDir, Runtime.getRuntime().availableProcessors());
    }

    public static EmbeddedFlink start(Path stateDir, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("A Flink cluster needs at least one task slot, not " + slots);
        }
        long started = System.nanoTime();
        Path home = stateDir.resolve("flink").toAbsolutePath();
        Configuration config = sharedConfiguration(home);
        config.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        config.set(RestOptions.ADDRESS, "127.0.0.1");
        config.set(RestOptions.BIND_PORT, "0");
        // The blob server and the shuffle would otherwise listen on every interface.
        config.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        config.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        config.set(BlobServerOptions.STORAGE_DIRECTORY, directory(home.resolve("blobs")));
        config.set(CoreOptions.TMP_DIRS, directory(home.resolve("tmp")));
        String prometheusPort = System.getProperty(PROMETHEUS_PORT_PROPERTY, System.getenv(PROMETHEUS_PORT_ENV));
        if (prometheusPort != null && !prometheusPort.isBlank()) {
            config.setString("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER);
            config.setString("metrics.reporter.prom.port", prometheusPort.strip());
        }

        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(config)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .setCommonBindAddress("127.0.0.1")
                .withRandomPorts()
                .build());
        URI restAddress;
        try {
            cluster.start();
            restAddress = cluster.getRestAddress().get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            cluster.closeAsync();
            throw new IllegalStateException("Flink MiniCluster did not start (state in " + home + "): " + e.getMessage(), e);
        }
        EmbeddedFlink flink = new EmbeddedFlink(cluster, restAddress, home, slots);
        LOG.info("Flink MiniCluster with {} slot(s), REST on {} in {} ms, state in {}{}",
                slots, flink.restAddress(), (System.nanoTime() - started) / 1_000_000, home,
                prometheusPort == null || prometheusPort.isBlank() ? ""
                        : ", Prometheus metrics on port " + prometheusPort.strip() + " (/metrics)");
        return flink;
    }

    /** What both the cluster and its clients must agree on. */
    private static Configuration sharedConfiguration(Path home) {
        Configuration config = new Configuration();
        config.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, CLASSLOADER_RESOLVE_ORDER);
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, home.resolve("checkpoints").toUri().toString());
        config.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, home.resolve("savepoints").toUri().toString());
        return config;
    }

    private static String directory(Path path) {
        try {
            return Files.createDirectories(path).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Flink state folder " + path, e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the REST endpoint, as the Flink CLI's {@code -m} takes it. */
    public String restAddress() {
        return "http://" + restAddress.getHost() + ":" + restAddress.getPort();
    }

    public int restPort() {
        return restAddress.getPort();
    }

    public int slots() {
        return slots;
    }

    /** {@code <stateDir>/flink/checkpoints}, where jobs on this cluster checkpoint unless they say otherwise. */
    public Path checkpointDirectory() {
        return home.resolve("checkpoints");
    }

    /** The cluster itself, for what REST clients cannot do as directly (job status, triggering checkpoints). */
    public MiniCluster miniCluster() {
        return cluster;
    }

    /**
     * A new environment whose jobs are submitted to this cluster through its REST endpoint, as
     * to any remote session cluster. Each call returns a fresh environment.
     */
    public StreamExecutionEnvironment environment() {
        return environment(new Configuration());
    }

    /** As {@link #environment()}, with {@code overrides} (e.g. a savepoint to restore from) on top. */
    public StreamExecutionEnvironment environment(Configuration overrides) {
        Configuration config = sharedConfiguration(home);
        config.addAll(overrides);
        return StreamExecutionEnvironment.createRemoteEnvironment(restAddress.getHost(), restAddress.getPort(), config);
    }

    /** Stops running jobs and the cluster; calling it again does nothing. Checkpoints on disk stay. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            cluster.closeAsync().get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping Flink", e);
        } catch (Exception e) {
            throw new IllegalStateException("Flink MiniCluster on " + restAddress() + " did not stop within "
                    + CLOSE_TIMEOUT_S + " s: " + e.getMessage(), e);
        }
        LOG.info("Flink MiniCluster on {} stopped", restAddress());
    }
}

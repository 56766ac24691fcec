package io.latentflow.cli.stack;

import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.FreePorts;
import io.latentflow.infra.KafkaBrokerProcess;
import io.latentflow.infra.S3ServerProcess;
import io.latentflow.infra.StandaloneFlinkCluster;
import io.latentflow.infra.ZooKeeperProcess;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The processes of the local cluster ({@code cluster up}) under one home folder, {@code <state-dir>/cluster}: each
 * server (Kafka, S3, ZooKeeper, the JobManager, the TaskManagers) is a {@code java} process of its own, so that it can
 * be killed alone, and started again on its ports and its state ({@code cluster restart}).
 */
public final class ClusterServices {

    /** What {@code cluster restart} can start again. */
    public enum Part {
        KAFKA, S3, JOBMANAGER, TASKMANAGER, ZOOKEEPER;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Path home;
    private final Path projectHome;

    /** @param projectHome the project folder, whose built CLI gives the processes their classpath */
    public ClusterServices(Path home, Path projectHome) {
        this.home = home.toAbsolutePath();
        this.projectHome = projectHome;
    }

    public Path home() {
        return home;
    }

    public ClusterFile.ZooKeeper startZooKeeper() throws Exception {
        return startZooKeeper(FreePorts.pick(1)[0]);
    }

    public ClusterFile.Kafka startKafka() throws Exception {
        int[] ports = FreePorts.pick(2);
        return startKafka(ports[0], ports[1]);
    }

    /** The S3 server with fresh keys, the secret in {@code <home>/s3-secret-key} (owner-readable only). */
    public ClusterFile.S3 startS3(String bucket) throws Exception {
        Path secretFile = home.resolve("s3-secret-key");
        Files.createDirectories(home);
        Files.deleteIfExists(secretFile);
        Files.createFile(secretFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secretFile, EmbeddedS3.newSecretKey());
        return startS3(FreePorts.pick(1)[0], bucket, EmbeddedS3.newAccessKey(), secretFile);
    }

    /**
     * Kafka, S3 and ZooKeeper side by side (each is mostly a JVM warming up), then Flink, which needs ZooKeeper with
     * HA. Whatever started is stopped again when another part fails.
     */
    public ClusterFile start(ClusterLayout layout) throws Exception {
        CompletableFuture<ClusterFile.Kafka> kafka = layout.withKafka()
                ? CompletableFuture.supplyAsync(() -> unchecked(this::startKafka))
                : CompletableFuture.completedFuture(null);
        CompletableFuture<ClusterFile.S3> s3 = layout.withS3()
                ? CompletableFuture.supplyAsync(() -> unchecked(() -> startS3(layout.bucket())))
                : CompletableFuture.completedFuture(null);
        List<Long> started = new ArrayList<>();
        try {
            ClusterFile.ZooKeeper zooKeeper = layout.ha() ? startZooKeeper() : null;
            if (zooKeeper != null) {
                started.add(zooKeeper.pid());
            }
            StandaloneFlinkCluster flink = StandaloneFlinkCluster.start(home, layout.taskManagers(), layout.slots(),
                    layout.threadsPerSlot(), ClusterClasspath.of(projectHome), START_TIMEOUT,
                    Optional.ofNullable(zooKeeper).map(ClusterFile.ZooKeeper::connect));
            started.add(flink.jobManagerPid());
            started.addAll(flink.taskManagerPids());
            return new ClusterFile(flink.restAddress(), layout.ha(), List.of(flink.jobManagerPid()),
                    flink.taskManagerPids(), joined(kafka), joined(s3), zooKeeper);
        } catch (Exception e) {
            startedPid(kafka, ClusterFile.Kafka::pid).ifPresent(started::add);
            startedPid(s3, ClusterFile.S3::pid).ifPresent(started::add);
            started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            throw e;
        }
    }

    /**
     * Starts {@code part} again where its process is gone, on the ports and state it had; returns the cluster as it
     * is now (unchanged when nothing was gone).
     */
    public ClusterFile restart(ClusterFile cluster, Part part) throws Exception {
        return switch (part) {
            case KAFKA -> {
                ClusterFile.Kafka kafka = required(cluster.kafka(), part, "--with-kafka");
                yield ClusterFile.alive(kafka.pid()) ? cluster
                        : cluster.with(startKafka(kafka.port(), kafka.controllerPort()));
            }
            case S3 -> {
                ClusterFile.S3 s3 = required(cluster.s3(), part, "--with-s3");
                yield ClusterFile.alive(s3.pid()) ? cluster : cluster.with(startS3(s3.port(), s3.bucket(),
                        s3.accessKey(), Path.of(s3.secretKeyFile())));
            }
            case ZOOKEEPER -> {
                ClusterFile.ZooKeeper zooKeeper = required(cluster.zookeeper(), part, "--ha");
                yield ClusterFile.alive(zooKeeper.pid()) ? cluster : cluster.with(startZooKeeper(zooKeeper.port()));
            }
            case JOBMANAGER -> cluster.jobmanagerPids().stream().anyMatch(ClusterFile::alive) ? cluster
                    : cluster.withJobManagers(List.of(StandaloneFlinkCluster.restartJobManager(home, cluster.rest(),
                    ClusterClasspath.of(projectHome), START_TIMEOUT).pid()));
            case TASKMANAGER -> restartTaskManagers(cluster);
        };
    }

    /** Stops every process of the cluster that still runs (SIGTERM, then SIGKILL after 20 s); returns their pids. */
    public static List<Long> stop(ClusterFile cluster) {
        List<ProcessHandle> stopping = new ArrayList<>();
        for (long pid : cluster.allPids()) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(process -> {
                process.destroy();
                stopping.add(process);
            });
        }
        for (ProcessHandle process : stopping) {
            process.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> {
                process.destroyForcibly();
                return process;
            }).join();
        }
        return stopping.stream().map(ProcessHandle::pid).toList();
    }

    private ClusterFile restartTaskManagers(ClusterFile cluster) {
        List<Long> pids = new ArrayList<>(cluster.taskmanagerPids());
        if (pids.stream().allMatch(ClusterFile::alive)) {
            return cluster;
        }
        String classpath = ClusterClasspath.of(projectHome);
        for (int i = 0; i < pids.size(); i++) {
            if (!ClusterFile.alive(pids.get(i))) {
                pids.set(i, StandaloneFlinkCluster.restartTaskManager(home, i, classpath).pid());
            }
        }
        awaitTaskManagers(cluster.rest(), pids.size());
        return cluster.withTaskManagers(pids);
    }

    private static void awaitTaskManagers(String rest, int expected) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int registered = -1;
        while (System.nanoTime() < deadline) {
            // a killed TaskManager stays registered until its heartbeat fails: count only after the new ones joined
            registered = StandaloneFlinkCluster.registeredTaskManagers(http, rest);
            if (registered >= expected) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the TaskManagers registered", e);
            }
        }
        throw new IllegalStateException(registered + " of " + expected + " TaskManagers registered at " + rest
                + " within " + START_TIMEOUT + " (the JobManager must run: 'cluster restart jobmanager')");
    }

    private ClusterFile.ZooKeeper startZooKeeper(int port) throws Exception {
        Process process = ZooKeeperProcess.start(home, port, ClusterClasspath.of(projectHome), START_TIMEOUT);
        return new ClusterFile.ZooKeeper("127.0.0.1:" + port, process.pid());
    }

    private ClusterFile.Kafka startKafka(int brokerPort, int controllerPort) throws Exception {
        Process process = KafkaBrokerProcess.start(home, brokerPort, controllerPort, services(), START_TIMEOUT);
        return new ClusterFile.Kafka("127.0.0.1:" + brokerPort, process.pid(), controllerPort);
    }

    private ClusterFile.S3 startS3(int port, String bucket, String accessKey, Path secretFile) throws Exception {
        Process process = S3ServerProcess.start(home, port, bucket, accessKey, secretFile, services(), START_TIMEOUT);
        return new ClusterFile.S3("http://127.0.0.1:" + port, process.pid(), bucket, home.resolve("s3").toString(),
                accessKey, secretFile.toString());
    }

    /** The classpath of the Kafka and S3 processes: the launcher's own (they run this project's infra module). */
    private String services() {
        return ClusterClasspath.launcher(projectHome);
    }

    private static <T> T joined(CompletableFuture<T> part) throws Exception {
        try {
            return part.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The pid of a part that started after all, once its start has ended either way. */
    private static <T> Optional<Long> startedPid(CompletableFuture<T> part, Function<T, Long> pid) {
        try {
            return Optional.ofNullable(part.join()).map(pid);
        } catch (CompletionException failedToo) {
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface Start<T> {
        T call() throws Exception;
    }

    private static <T> T unchecked(Start<T> start) {
        try {
            return start.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static <T> T required(T started, Part part, String option) {
        if (started == null) {
            throw new IllegalArgumentException("this cluster has no " + part + " process to restart: 'cluster up "
                    + option + "' starts one");
        }
        return started;
    }
}

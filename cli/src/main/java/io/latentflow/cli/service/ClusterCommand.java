package io.latentflow.cli.service;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.cli.common.UntilInterrupted;
import io.latentflow.cli.stack.ClusterClasspath;
import io.latentflow.cli.stack.ServiceLock;
import io.latentflow.infra.StandaloneFlinkCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latentflow cluster up|down}: a standalone Flink session cluster of separate processes on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A standalone Flink session cluster (separate JobManager and TaskManager processes) on loopback.",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class})
public final class ClusterCommand {

    static final String FILE = "cluster.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Path file(Path stateDir) {
        return stateDir.resolve("cluster").resolve(FILE);
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the cluster, print its REST address, write <state-dir>/cluster/cluster.json and stay"
                    + " up until Ctrl-C or 'latentflow cluster down'.")
    static final class Up implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--taskmanagers", defaultValue = "2", description = "TaskManager processes (default ${DEFAULT-VALUE}).")
        int taskManagers;

        @Option(names = "--slots", defaultValue = "1", description = "Task slots per TaskManager (default ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
                description = "Where the cluster keeps its configuration, logs and checkpoints (default ${DEFAULT-VALUE}).")
        Path stateDir;

        @Override
        public Integer call() throws Exception {
            // its own lock beside the service's: 'run --flink' on the same folder is how the two are used together
            try (ServiceLock lock = ServiceLock.acquire(stateDir, ServiceLock.CLUSTER, "cluster up",
                    spec.commandLine().getErr())) {
                return up(lock);
            }
        }

        private int up(ServiceLock lock) throws Exception {
            Path file = file(stateDir);
            if (Files.exists(file) && ClusterFile.read(file).anyAlive()) {
                throw new IllegalStateException("a cluster started from " + stateDir + " still runs (" + file
                        + "): stop it with 'latentflow cluster down' first");
            }
            UntilInterrupted signal = UntilInterrupted.install();
            Path home = stateDir.resolve("cluster").toAbsolutePath();
            try (StandaloneFlinkCluster cluster = StandaloneFlinkCluster.start(home, taskManagers, slots,
                    ClusterClasspath.of(Path.of(System.getProperty("latentflow.home", "."))), Duration.ofMinutes(2))) {
                new ClusterFile(cluster.restAddress(), cluster.jobManagerPid(), cluster.taskManagerPids()).write(file);
                lock.address("flink", cluster.restAddress());
                spec.commandLine().getOut().println("Flink REST: " + cluster.restAddress());
                spec.commandLine().getOut().println("  JobManager pid " + cluster.jobManagerPid() + ", TaskManager"
                        + " pids " + cluster.taskManagerPids() + "; logs in " + home.resolve("log"));
                spec.commandLine().getOut().println("  up until Ctrl-C or 'latentflow cluster down'");
                spec.commandLine().getOut().flush();
                // 'cluster down' stops the JobManager: then this command has nothing left to keep up.
                Thread watcher = new Thread(() -> {
                    ProcessHandle.of(cluster.jobManagerPid()).ifPresent(jobManager -> jobManager.onExit().join());
                    System.exit(0);
                }, "cluster-watcher");
                watcher.setDaemon(true);
                watcher.start();
                signal.await();
            } finally {
                Files.deleteIfExists(file);
                signal.released();
            }
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop every process 'cluster up' started (from <state-dir>/cluster/cluster.json).")
    static final class Down implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
                description = "The state folder 'cluster up' was started with (default ${DEFAULT-VALUE}).")
        Path stateDir;

        @Override
        public Integer call() throws Exception {
            Path file = file(stateDir);
            if (!Files.exists(file)) {
                spec.commandLine().getOut().println("no cluster runs from " + stateDir + " (no " + file + ")");
                return 0;
            }
            ClusterFile cluster = ClusterFile.read(file);
            List<Long> stopped = new ArrayList<>();
            for (long pid : cluster.allPids()) {
                Optional<ProcessHandle> process = ProcessHandle.of(pid);
                if (process.isPresent() && process.get().isAlive()) {
                    process.get().destroy();
                    stopped.add(pid);
                }
            }
            for (long pid : stopped) {
                ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS)
                        .exceptionally(e -> {
                            p.destroyForcibly();
                            return p;
                        }).join());
            }
            Files.deleteIfExists(file);
            spec.commandLine().getOut().println("stopped the cluster at " + cluster.rest() + " (pids " + stopped + ")");
            return 0;
        }
    }

    /** {@code cluster.json}: where the cluster answers and which processes are its own. */
    record ClusterFile(String rest, long jobmanagerPid, List<Long> taskmanagerPids) {

        void write(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("rest", rest);
            json.put("jobmanagerPid", jobmanagerPid);
            json.put("taskmanagerPids", taskmanagerPids);
            Files.writeString(file, JSON.writeValueAsString(json));
        }

        static ClusterFile read(Path file) throws IOException {
            return JSON.readValue(file.toFile(), ClusterFile.class);
        }

        List<Long> allPids() {
            List<Long> pids = new ArrayList<>(taskmanagerPids);
            pids.add(jobmanagerPid);
            return pids;
        }

        boolean anyAlive() {
            return allPids().stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }
}

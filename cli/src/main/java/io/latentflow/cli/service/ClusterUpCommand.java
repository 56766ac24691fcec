package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.UntilInterrupted;
import io.latentflow.cli.stack.ClusterClasspath;
import io.latentflow.cli.stack.ServiceLock;
import io.latentflow.infra.StandaloneFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latentflow cluster up}: starts the local Flink cluster and keeps it up until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the cluster, print its REST address, write <state-dir>/cluster/cluster.json and stay"
                + " up until Ctrl-C or 'latentflow cluster down'.")
final class ClusterUpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--taskmanagers", defaultValue = "2", description = "TaskManager processes (default ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "1", description = "Task slots per TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "Where the cluster keeps its configuration, logs and checkpoints (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        // its own lock beside the service's: 'run --flink' on the same folder is how the two are used together
        try (ServiceLock lock = ServiceLock.acquire(stateDir, ServiceLock.CLUSTER, "cluster up",
                spec.commandLine().getErr())) {
            return up(lock);
        }
    }

    private int up(ServiceLock lock) throws Exception {
        Path file = ClusterFile.in(stateDir);
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
            if (output.json()) {
                Map<String, Object> started = new LinkedHashMap<>();
                started.put("rest", cluster.restAddress());
                started.put("jobmanagerPid", cluster.jobManagerPid());
                started.put("taskmanagerPids", cluster.taskManagerPids());
                started.put("logs", home.resolve("log").toString());
                started.put("clusterFile", file.toString());
                output.print(spec, started);
            } else {
                spec.commandLine().getOut().println("Flink REST: " + cluster.restAddress());
                spec.commandLine().getOut().println("  JobManager pid " + cluster.jobManagerPid() + ", TaskManager"
                        + " pids " + cluster.taskManagerPids() + "; logs in " + home.resolve("log"));
                spec.commandLine().getOut().println("  up until Ctrl-C or 'latentflow cluster down'");
                spec.commandLine().getOut().flush();
            }
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

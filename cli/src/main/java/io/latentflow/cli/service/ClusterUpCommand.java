package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.UntilInterrupted;
import io.latentflow.cli.stack.ClusterChangeLock;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.ClusterLayout;
import io.latentflow.cli.stack.ClusterServices;
import io.latentflow.cli.stack.ServiceLock;
import io.latentflow.infra.StandaloneFlinkCluster;
import java.io.PrintWriter;
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

/** {@code latentflow cluster up}: starts the local cluster's processes and keeps them up until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the cluster (a Flink JobManager and TaskManagers; with options Kafka, S3 and ZooKeeper),"
                + " each a process of its own; print its addresses, write <state-dir>/cluster/cluster.json and stay"
                + " up until Ctrl-C or 'latentflow cluster down'.")
final class ClusterUpCommand implements Callable<Integer> {

    /** Longer than a 'cluster restart' takes (a part's start, then the TaskManagers' registration). */
    private static final Duration STOP_PATIENCE = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--taskmanagers", defaultValue = "2", description = "TaskManager processes (default ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "1", description = "Task slots per TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--threads-per-slot", defaultValue = "" + StandaloneFlinkCluster.PYTORCH_DEFAULT_THREADS,
            description = "PyTorch intra-op threads of each slot's model (OMP_NUM_THREADS of the TaskManagers); 0"
                    + " leaves it to PyTorch, which gives every model every core. Set TaskManagers x slots x threads"
                    + " to the cores the TaskManagers may use (default ${DEFAULT-VALUE}).")
    int threadsPerSlot;

    @Option(names = "--ha", description = "Run ZooKeeper too, and the JobManager with Flink's ZooKeeper high"
            + " availability (metadata under <state-dir>/cluster/ha): a JobManager killed and started again with"
            + " 'cluster restart jobmanager' recovers the running jobs from their last checkpoint.")
    boolean ha;

    @Option(names = "--with-kafka", description = "Run a KRaft Kafka broker too (its log under"
            + " <state-dir>/cluster/kafka), with the pipeline's topics; 'run --cluster' uses it.")
    boolean withKafka;

    @Option(names = "--with-s3", description = "Run an S3-compatible server too: the objects of bucket B are files"
            + " under <state-dir>/cluster/s3/B/; 'run --cluster' uses it.")
    boolean withS3;

    @Option(names = "--bucket", defaultValue = "${env:LATENTFLOW_BUCKET:-latentflow}",
            description = "The bucket --with-s3 creates (env LATENTFLOW_BUCKET, default ${DEFAULT-VALUE}).")
    String bucket;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "Where the cluster keeps its configuration, logs, data and checkpoints (default"
                    + " ${DEFAULT-VALUE}).")
    Path stateDir;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        // its own lock beside the service's: 'run --cluster' on the same folder is how the two are used together
        try (ServiceLock lock = ClusterChangeLock.takeCluster(stateDir, spec.commandLine().getErr())) {
            return up(lock);
        }
    }

    private int up(ServiceLock lock) throws Exception {
        Path file = ClusterFile.in(stateDir);
        PrintWriter err = spec.commandLine().getErr();
        UntilInterrupted signal = UntilInterrupted.install();
        ClusterServices services = new ClusterServices(stateDir.resolve("cluster"),
                Path.of(System.getProperty("latentflow.home", ".")));
        ClusterFile cluster = null;
        boolean owned = false; // until then the file and its processes are another cluster's, never to be stopped here
        try {
            try (ServiceLock changing = ClusterChangeLock.take(stateDir, "cluster up", err)) {
                if (Files.exists(file) && ClusterFile.read(file).anyAlive()) {
                    throw new IllegalStateException("a cluster started from " + stateDir + " still runs (" + file
                            + "): stop it with 'latentflow cluster down' first");
                }
                owned = true;
                cluster = services.start(new ClusterLayout(taskManagers, slots, threadsPerSlot, ha, withKafka, withS3,
                        bucket));
                cluster.write(file);
            }
            lock.address("flink", cluster.rest());
            report(cluster, services.home(), file);
            // 'cluster down' stops the processes and removes cluster.json: then this command has nothing left to keep
            // up. (The JobManager's exit is no such sign any more: 'cluster restart jobmanager' brings it back.)
            Thread watcher = new Thread(() -> {
                while (Files.exists(file)) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                System.exit(0);
            }, "cluster-watcher");
            watcher.setDaemon(true);
            watcher.start();
            signal.await();
        } finally {
            if (owned) {
                stop(file, cluster, err);
            }
            signal.released();
        }
        return 0;
    }

    /** What runs now, restarted processes included, is in the file once a restart in flight has written it. */
    private void stop(Path file, ClusterFile started, PrintWriter err) throws Exception {
        try (ServiceLock changing = ClusterChangeLock.await(stateDir, "cluster up (stopping)", err, STOP_PATIENCE)) {
            if (Files.exists(file)) {
                ClusterServices.stop(ClusterFile.read(file));
            } else if (started != null) {
                ClusterServices.stop(started);
            }
            Files.deleteIfExists(file);
        }
    }

    private void report(ClusterFile cluster, Path home, Path file) {
        if (output.json()) {
            Map<String, Object> started = new LinkedHashMap<>(cluster.toJson());
            started.put("logs", home.resolve("log").toString());
            started.put("clusterFile", file.toString());
            output.print(spec, started);
            return;
        }
        var out = spec.commandLine().getOut();
        out.println("Flink REST: " + cluster.rest() + (cluster.ha() ? " (ZooKeeper HA)" : ""));
        out.println("  JobManager pid " + cluster.jobmanagerPids() + ", TaskManager pids " + cluster.taskmanagerPids()
                + "; logs in " + home.resolve("log"));
        if (cluster.kafka() != null) {
            out.println("  Kafka " + cluster.kafka().bootstrap() + " (pid " + cluster.kafka().pid() + ")");
        }
        if (cluster.s3() != null) {
            out.println("  S3 " + cluster.s3().endpoint() + " (pid " + cluster.s3().pid() + "), bucket "
                    + cluster.s3().bucket() + " in " + cluster.s3().dataDir() + ", access key " + cluster.s3().accessKey()
                    + ", secret key in " + cluster.s3().secretKeyFile());
        }
        if (cluster.zookeeper() != null) {
            out.println("  ZooKeeper " + cluster.zookeeper().connect() + " (pid " + cluster.zookeeper().pid() + ")");
        }
        out.println("  up until Ctrl-C or 'latentflow cluster down'");
        out.flush();
    }
}

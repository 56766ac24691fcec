package io.latentflow.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A standalone Apache ZooKeeper server as a process of its own, for the JobManager's high availability
 * ({@code cluster up --ha}): the ZooKeeper that Flink itself shades ({@code flink-shaded-zookeeper-3}, already on
 * flink-runtime's classpath, so nothing new to download), its data under {@code <stateDir>/zookeeper}, on the port
 * it is given so that a restart is the same quorum address to the JobManager and the TaskManagers.
 */
public final class ZooKeeperProcess {

    static final String MAIN = "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.server.ZooKeeperServerMain";

    private ZooKeeperProcess() {
    }

    /** Starts the server and returns once it accepts connections on {@code 127.0.0.1:port}. */
    public static Process start(Path stateDir, int port, String classpath, Duration timeout) throws Exception {
        Path logDir = stateDir.resolve("log");
        Path data = Files.createDirectories(stateDir.resolve("zookeeper")).toAbsolutePath();
        // on loopback only (its port-and-folder arguments would listen on every interface), and without its admin
        // web server, which would take port 8080 that a second cluster on the machine could not have
        Path config = Files.writeString(data.resolve("zoo.cfg"), String.join("\n",
                "dataDir=" + data,
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "tickTime=2000",
                "admin.enableServer=false",
                ""));
        Process process = JavaProcess.start(logDir, "zookeeper", classpath, List.of("-Xmx128m"), MAIN,
                List.of(config.toString()));
        JavaProcess.awaitPort(process, "zookeeper", port, logDir, timeout);
        return process;
    }
}

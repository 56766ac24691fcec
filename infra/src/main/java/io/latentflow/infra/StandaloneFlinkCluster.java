package io.latentflow.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink session cluster as separate JVM processes on loopback: one JobManager and N TaskManagers, run from
 * the project's own Flink jars (no flink-dist download), the way {@code bin/start-cluster.sh} runs them: the same main
 * classes, the TaskManager's memory flags computed by Flink's own {@code BashJavaUtils}, Java 17's module flags from
 * flink-dist's config. Killing a TaskManager process is a real TaskManager failure.
 *
 * <p>Its classpath is what a Flink distribution's {@code lib/} would hold; the job's own dependencies come with the
 * job jar. Classes load parent-first so that DJL's native library, loaded once per JVM, survives job restarts.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneFlinkCluster.class);

    /** flink-dist's env.java.opts.all for Java 17. */
    static final List<String> JAVA_17_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String EXEC_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
    /** Flink's key prefix for a TaskManager's environment variables in container deployments. */
    static final String TASK_MANAGER_ENV = "containerized.taskmanager.env.";
    /** Threads per slot that leave PyTorch to choose (every core, for each model). */
    public static final int PYTORCH_DEFAULT_THREADS = 0;
    private static final Pattern REGISTERED_TASK_MANAGER = Pattern.compile("\"id\"\\s*:");

    private final Path home;
    private final String restAddress;
    private final Process jobManager;
    private final List<Process> taskManagers;

    private StandaloneFlinkCluster(Path home, String restAddress, Process jobManager, List<Process> taskManagers) {
        this.home = home;
        this.restAddress = restAddress;
        this.jobManager = jobManager;
        this.taskManagers = taskManagers;
    }

    /**
     * Starts the cluster and returns once every TaskManager has registered.
     *
     * @param home      its configuration, logs and checkpoints
     * @param classpath the JVMs' classpath (a Flink distribution's lib/: Flink, logging, DJL and its native library)
     */
    public static StandaloneFlinkCluster start(Path home, int taskManagerCount, int slotsPerTaskManager,
                                               String classpath, Duration timeout) {
        return start(home, taskManagerCount, slotsPerTaskManager, classpath, timeout, Optional.empty());
    }

    /**
     * Like {@link #start(Path, int, int, String, Duration)}; with a ZooKeeper quorum, the JobManager runs with
     * Flink's ZooKeeper high availability, its metadata (job graphs, jars, checkpoint pointers) under
     * {@code <home>/ha}: a JobManager started again after a crash ({@link #restartJobManager}) recovers the running
     * jobs from their last checkpoint.
     */
    public static StandaloneFlinkCluster start(Path home, int taskManagerCount, int slotsPerTaskManager,
                                               String classpath, Duration timeout, Optional<String> zooKeeperQuorum) {
        return start(home, taskManagerCount, slotsPerTaskManager, PYTORCH_DEFAULT_THREADS, classpath, timeout,
                zooKeeperQuorum);
    }

    /**
     * Like {@link #start(Path, int, int, String, Duration, Optional)}, with {@code threadsPerSlot} PyTorch intra-op
     * threads for each slot's model ({@link #PYTORCH_DEFAULT_THREADS}: PyTorch's own choice, every core of the
     * machine for every model, which oversubscribes the cores as soon as two slots encode).
     */
    public static StandaloneFlinkCluster start(Path home, int taskManagerCount, int slotsPerTaskManager,
                                               int threadsPerSlot, String classpath, Duration timeout,
                                               Optional<String> zooKeeperQuorum) {
        if (taskManagerCount < 1 || slotsPerTaskManager < 1) {
            throw new IllegalArgumentException("a cluster needs at least one TaskManager with one slot, not "
                    + taskManagerCount + " x " + slotsPerTaskManager);
        }
        if (threadsPerSlot < 0) {
            throw new IllegalArgumentException("threads per slot must be at least 1 (or 0 for PyTorch's default), not "
                    + threadsPerSlot);
        }
        long started = System.nanoTime();
        int[] ports = FreePorts.pick(2);
        String restAddress = "http://127.0.0.1:" + ports[0];
        Path conf = writeConfiguration(home.toAbsolutePath(), ports[0], ports[1], slotsPerTaskManager,
                threadsPerSlot, zooKeeperQuorum);
        List<Process> taskManagers = new ArrayList<>();
        Process jobManager = null;
        try {
            jobManager = launchJobManager(home, classpath);
            TaskManagerResources resources = TaskManagerResources.compute(classpath, conf);
            for (int i = 0; i < taskManagerCount; i++) {
                taskManagers.add(launchTaskManager(home, i, classpath, resources));
            }
            StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(home.toAbsolutePath(), restAddress,
                    jobManager, List.copyOf(taskManagers));
            cluster.awaitTaskManagers(taskManagerCount, timeout);
            LOG.info("Flink standalone cluster: REST {}, JobManager pid {}, TaskManager pids {} ({} slot(s) each), up"
                            + " in {} ms; logs in {}", restAddress, cluster.jobManagerPid(), cluster.taskManagerPids(),
                    slotsPerTaskManager, (System.nanoTime() - started) / 1_000_000, home.resolve("log"));
            return cluster;
        } catch (RuntimeException e) {
            taskManagers.forEach(Process::destroyForcibly);
            if (jobManager != null) {
                jobManager.destroyForcibly();
            }
            throw e;
        }
    }

    /**
     * Starts the JobManager again on the configuration under {@code home} (same ports, same HA storage) after its
     * process died, and returns its process once the REST endpoint answers.
     */
    public static Process restartJobManager(Path home, String restAddress, String classpath, Duration timeout) {
        Process jobManager = launchJobManager(home, classpath);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the JobManager exited during start-up; see the logs in "
                        + home.resolve("log"));
            }
            if (registeredTaskManagers(http, restAddress) >= 0) {
                return jobManager;
            }
            JavaProcess.sleep(Duration.ofMillis(500));
        }
        jobManager.destroyForcibly();
        throw new IllegalStateException("the JobManager at " + restAddress + " did not answer within " + timeout
                + "; see the logs in " + home.resolve("log"));
    }

    /**
     * Starts TaskManager number {@code index} again on the configuration under {@code home}; returns its process
     * without waiting for it to register (the caller knows how many it expects).
     */
    public static Process restartTaskManager(Path home, int index, String classpath) {
        return launchTaskManager(home, index, classpath,
                TaskManagerResources.compute(classpath, home.toAbsolutePath().resolve("conf")));
    }

    /**
     * The resource id TaskManager number {@code index} registers with, again after a restart: what Flink's REST calls
     * its {@code taskmanager-id}.
     */
    public static String taskManagerResourceId(int index) {
        return "taskmanager-" + index;
    }

    /** TaskManagers registered with the JobManager at {@code restAddress} now; -1 when it does not answer. */
    public static int registeredTaskManagers(HttpClient http, String restAddress) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(restAddress
                    + "/taskmanagers")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? count(REGISTERED_TASK_MANAGER, response.body()) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + restAddress + " for its TaskManagers", e);
        }
    }

    private static Process launchJobManager(Path home, String classpath) {
        return launch(home, "jobmanager", classpath, List.of("-Xmx512m"), JOB_MANAGER_MAIN,
                List.of("--configDir", home.toAbsolutePath().resolve("conf").toString()));
    }

    private static Process launchTaskManager(Path home, int index, String classpath, TaskManagerResources resources) {
        Path conf = home.toAbsolutePath().resolve("conf");
        List<String> arguments = new ArrayList<>(List.of("--configDir", conf.toString()));
        arguments.addAll(resources.dynamicProperties());
        // a name that says which process it is: Flink's REST then tells whose subtasks run where (bench chaos)
        arguments.addAll(List.of("-D", "taskmanager.resource-id=" + taskManagerResourceId(index)));
        return launch(home, "taskmanager-" + index, classpath, resources.jvmOptions(), TASK_MANAGER_MAIN, arguments,
                taskManagerEnvironment(conf));
    }

    /**
     * The variables {@code containerized.taskmanager.env.NAME: VALUE} of the configuration under {@code conf}: the
     * TaskManagers' environment, set the way Flink's container deployments (Kubernetes, YARN) set it, and read again
     * by a TaskManager started again after a crash.
     */
    static Map<String, String> taskManagerEnvironment(Path conf) {
        Map<String, String> environment = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(conf.resolve("config.yaml"))) {
                if (line.startsWith(TASK_MANAGER_ENV) && line.indexOf(':') > TASK_MANAGER_ENV.length()) {
                    int colon = line.indexOf(':');
                    environment.put(line.substring(TASK_MANAGER_ENV.length(), colon).strip(),
                            line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Flink configuration in " + conf, e);
        }
        return environment;
    }

    /** {@code http://127.0.0.1:<port>}: the REST endpoint, as {@code flink run -m} and {@code demo --flink} take it. */
    public String restAddress() {
        return restAddress;
    }

    public long jobManagerPid() {
        return jobManager.pid();
    }

    public List<Long> taskManagerPids() {
        return taskManagers.stream().map(Process::pid).toList();
    }

    public Path home() {
        return home;
    }

    /** Whether the JobManager and every TaskManager still run. */
    public boolean allAlive() {
        return jobManager.isAlive() && taskManagers.stream().allMatch(Process::isAlive);
    }

    /** Stops every process it started: TaskManagers first, then the JobManager. */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagers);
        all.add(jobManager);
        for (Process process : all) {
            process.destroy();
        }
        for (Process process : all) {
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        LOG.info("Flink standalone cluster at {} stopped", restAddress);
    }

    private void awaitTaskManagers(int expected, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!allAlive()) {
                throw new IllegalStateException("a Flink process exited during start-up; see the logs in "
                        + home.resolve("log"));
            }
            int registered = registeredTaskManagers(http, restAddress);
            if (registered >= expected) {
                return;
            }
            last = registered < 0 ? "no answer yet" : registered + " of " + expected + " TaskManagers registered";
            JavaProcess.sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("the Flink cluster at " + restAddress + " was not ready within " + timeout
                + " (" + last + "); see the logs in " + home.resolve("log"));
    }

    static Path writeConfiguration(Path home, int restPort, int rpcPort, int slots, int threadsPerSlot,
                                           Optional<String> zooKeeperQuorum) {
        Path conf = home.resolve("conf");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(home.resolve("log"));
            String config = String.join("\n",
                    "jobmanager.rpc.address: 127.0.0.1",
                    "jobmanager.rpc.port: " + rpcPort,
                    "jobmanager.bind-host: 127.0.0.1",
                    "jobmanager.memory.process.size: 1024m",
                    "taskmanager.bind-host: 127.0.0.1",
                    "taskmanager.host: 127.0.0.1",
                    "taskmanager.numberOfTaskSlots: " + slots,
                    // The model's tensors live in native memory Flink does not account for: leave room for them.
                    // Its weights are loaded through direct buffers, which count against -XX:MaxDirectMemorySize
                    // (Flink's default 256 MiB refused the full SD VAE's 335 MB, restarting the operator for ever):
                    // 1 GiB of task off-heap holds two slots of a VAE that size. Managed memory (RocksDB, batch
                    // sorting) goes unused by these jobs' heap state, so it stays small and the task heap keeps
                    // the ~400 MiB it had.
                    "taskmanager.memory.process.size: 2752m",
                    "taskmanager.memory.task.off-heap.size: 1g",
                    "taskmanager.memory.managed.size: 256m",
                    "rest.address: 127.0.0.1",
                    "rest.bind-address: 127.0.0.1",
                    "rest.port: " + restPort,
                    "classloader.resolve-order: parent-first",
                    "execution.checkpointing.dir: " + home.resolve("checkpoints").toUri(),
                    "execution.checkpointing.savepoint-dir: " + home.resolve("savepoints").toUri(),
                    // A killed TaskManager is noticed within seconds: its heartbeat RPCs fail at once (two
                    // failures declare it dead). The timeout only covers a TaskManager that hangs, and stays long
                    // enough that a busy 2-core machine does not lose a live one.
                    "heartbeat.interval: 3000",
                    "heartbeat.timeout: 30000",
                    "heartbeat.rpc-failure-threshold: 2",
                    "io.tmp.dirs: " + Files.createDirectories(home.resolve("tmp")),
                    "blob.storage.directory: " + Files.createDirectories(home.resolve("blobs")),
                    zooKeeperQuorum.map(quorum -> highAvailability(home, quorum)).orElse(""),
                    // OpenMP's per-thread default: each slot's encoder thread gets this many intra-op threads, so a
                    // TaskManager of S slots runs S x N, and the machine's cores are not shared by several pools
                    threadsPerSlot == PYTORCH_DEFAULT_THREADS ? ""
                            : TASK_MANAGER_ENV + "OMP_NUM_THREADS: " + threadsPerSlot,
                    "");
            Files.writeString(conf.resolve("config.yaml"), config);
            Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.file.ref = MainAppender",
                    "appender.main.name = MainAppender",
                    "appender.main.type = File",
                    "appender.main.fileName = ${sys:log.file}",
                    "appender.main.layout.type = PatternLayout",
                    "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                    ""));
            return conf;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Flink configuration under " + home, e);
        }
    }

    private static String highAvailability(Path home, String quorum) {
        return String.join("\n",
                "high-availability.type: zookeeper",
                "high-availability.zookeeper.quorum: " + quorum,
                "high-availability.storageDir: " + home.resolve("ha").toUri(),
                "high-availability.cluster-id: /latentflow",
                // A killed JobManager's leadership ends with its ZooKeeper session: a short session lets the one
                // started again take over in seconds instead of a minute.
                "high-availability.zookeeper.client.session-timeout: 10000",
                "high-availability.zookeeper.client.connection-timeout: 5000",
                // A loaded machine can keep the JobManager's ZooKeeper client silent for seconds (6.8 s seen in the
                // full-size fault run): by default that SUSPENDED connection revokes leadership and restarts every
                // job. With one JobManager nobody else can take over meanwhile, so only a LOST session (the 10 s
                // above expired, as for a killed JobManager) should end leadership.
                "high-availability.zookeeper.client.tolerate-suspended-connections: true");
    }

    private static Process launch(Path home, String name, String classpath, List<String> jvmOptions, String mainClass,
                                  List<String> arguments) {
        return launch(home, name, classpath, jvmOptions, mainClass, arguments, Map.of());
    }

    private static Process launch(Path home, String name, String classpath, List<String> jvmOptions, String mainClass,
                                  List<String> arguments, Map<String, String> environment) {
        Path log = home.toAbsolutePath().resolve("log").resolve(name + ".log");
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(JAVA_17_OPTIONS);
        options.add("-Dlog.file=" + log);
        options.add("-Dlog4j.configurationFile=" + home.toAbsolutePath().resolve("conf").resolve("log4j.properties"));
        return JavaProcess.start(home.resolve("log"), name, classpath, options, mainClass, arguments, environment);
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    /** The JVM flags and -D properties taskmanager.sh gets from BashJavaUtils for the configured memory. */
    private record TaskManagerResources(List<String> jvmOptions, List<String> dynamicProperties) {

        static TaskManagerResources compute(String classpath, Path conf) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classpath, BASH_JAVA_UTILS, "GET_TM_RESOURCE_PARAMS", "--configDir", conf.toString());
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("Flink's BashJavaUtils failed: " + output);
                }
                List<String> results = output.lines().filter(line -> line.startsWith(EXEC_RESULT))
                        .map(line -> line.substring(EXEC_RESULT.length()).strip()).toList();
                if (results.size() < 2) {
                    throw new IllegalStateException("Flink's BashJavaUtils gave no TaskManager parameters: " + output);
                }
                List<String> jvm = List.of(results.get(results.size() - 2).split("\\s+"));
                List<String> dynamic = List.of(results.get(results.size() - 1).split("\\s+"));
                return new TaskManagerResources(jvm, dynamic);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run Flink's BashJavaUtils", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}

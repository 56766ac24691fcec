package io.latentflow.cli.stack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.common.JsonPrinter;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cluster.json}: where the local cluster answers and which processes are its own. {@code cluster restart}
 * rewrites it with the new pids, so it always names the processes that run now. {@code kafka}, {@code s3} and
 * {@code zookeeper} are null when {@code cluster up} did not start them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterFile(String rest, boolean ha, List<Long> jobmanagerPids, List<Long> taskmanagerPids, Kafka kafka,
                          S3 s3, ZooKeeper zookeeper) {

    public static final String FILE = "cluster.json";

    public ClusterFile {
        // a file names no list it has nothing for
        jobmanagerPids = jobmanagerPids == null ? List.of() : List.copyOf(jobmanagerPids);
        taskmanagerPids = taskmanagerPids == null ? List.of() : List.copyOf(taskmanagerPids);
    }

    /** The KRaft broker process: its client address, and the controller port it must get again on a restart. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Kafka(String bootstrap, long pid, int controllerPort) {

        public KafkaSettings settings() {
            return new KafkaSettings(bootstrap);
        }

        int port() {
            return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        }
    }

    /**
     * The S3 server process: the objects of bucket B are files under {@code dataDir/B/}; the secret key is in
     * {@code secretKeyFile}, readable by its owner only.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record S3(String endpoint, long pid, String bucket, String dataDir, String accessKey, String secretKeyFile) {

        public S3Settings settings() throws IOException {
            return new S3Settings(endpoint, accessKey, Files.readString(Path.of(secretKeyFile)).strip(),
                    S3Settings.DEFAULT_REGION, bucket);
        }

        int port() {
            return URI.create(endpoint).getPort();
        }
    }

    /** The ZooKeeper of the JobManager's high availability. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ZooKeeper(String connect, long pid) {

        int port() {
            return Integer.parseInt(connect.substring(connect.lastIndexOf(':') + 1));
        }
    }

    public static Path in(Path stateDir) {
        return stateDir.resolve("cluster").resolve(FILE);
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, new JsonPrinter(true).format(toJson()));
    }

    /** What {@code cluster.json} holds, in its order; {@code jobmanagerPid} stays for the readers of the older form. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rest", rest);
        json.put("ha", ha);
        json.put("jobmanagerPid", jobmanagerPids.isEmpty() ? null : jobmanagerPids.get(0));
        json.put("jobmanagerPids", jobmanagerPids);
        json.put("taskmanagerPids", taskmanagerPids);
        json.put("kafka", kafka);
        json.put("s3", s3);
        json.put("zookeeper", zookeeper);
        return json;
    }

    public static ClusterFile read(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), ClusterFile.class);
    }

    ClusterFile withJobManagers(List<Long> pids) {
        return new ClusterFile(rest, ha, List.copyOf(pids), taskmanagerPids, kafka, s3, zookeeper);
    }

    ClusterFile withTaskManagers(List<Long> pids) {
        return new ClusterFile(rest, ha, jobmanagerPids, List.copyOf(pids), kafka, s3, zookeeper);
    }

    ClusterFile with(Kafka restarted) {
        return new ClusterFile(rest, ha, jobmanagerPids, taskmanagerPids, restarted, s3, zookeeper);
    }

    ClusterFile with(S3 restarted) {
        return new ClusterFile(rest, ha, jobmanagerPids, taskmanagerPids, kafka, restarted, zookeeper);
    }

    ClusterFile with(ZooKeeper restarted) {
        return new ClusterFile(rest, ha, jobmanagerPids, taskmanagerPids, kafka, s3, restarted);
    }

    /** Every pid, in the order to stop them: the Flink processes before the servers they use. */
    public List<Long> allPids() {
        List<Long> pids = new ArrayList<>(taskmanagerPids);
        pids.addAll(jobmanagerPids);
        if (kafka != null) {
            pids.add(kafka.pid());
        }
        if (s3 != null) {
            pids.add(s3.pid());
        }
        if (zookeeper != null) {
            pids.add(zookeeper.pid());
        }
        return pids;
    }

    public boolean anyAlive() {
        return allPids().stream().anyMatch(ClusterFile::alive);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}

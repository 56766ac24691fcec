package io.latentflow.cli.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.common.JsonPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code cluster.json}: where the cluster answers and which processes are its own. */
record ClusterFile(String rest, long jobmanagerPid, List<Long> taskmanagerPids) {

    static final String FILE = "cluster.json";

    static Path in(Path stateDir) {
        return stateDir.resolve("cluster").resolve(FILE);
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rest", rest);
        json.put("jobmanagerPid", jobmanagerPid);
        json.put("taskmanagerPids", taskmanagerPids);
        Files.writeString(file, new JsonPrinter(true).format(json));
    }

    static ClusterFile read(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), ClusterFile.class);
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

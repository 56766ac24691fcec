package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.stack.ClusterChangeLock;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.ClusterServices;
import io.latentflow.cli.stack.ServiceLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latentflow cluster down}: stops the processes {@code cluster up} started. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop every process 'cluster up' started (from <state-dir>/cluster/cluster.json).")
final class ClusterDownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "The state folder 'cluster up' was started with (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Path file = ClusterFile.in(stateDir);
        if (!Files.exists(file)) {
            return noCluster(file);
        }
        ClusterFile cluster;
        List<Long> stopped;
        try (ServiceLock changing = ClusterChangeLock.take(stateDir, "cluster down", spec.commandLine().getErr())) {
            if (!Files.exists(file)) {
                return noCluster(file); // stopped by the holder it waited for
            }
            cluster = ClusterFile.read(file);
            stopped = ClusterServices.stop(cluster);
            Files.deleteIfExists(file);
        }
        if (output.json()) {
            output.print(spec, report(cluster.rest(), stopped));
        } else {
            spec.commandLine().getOut().println("stopped the cluster at " + cluster.rest() + " (pids " + stopped + ")");
        }
        return 0;
    }

    private int noCluster(Path file) {
        if (output.json()) {
            output.print(spec, report(null, List.of()));
        } else {
            spec.commandLine().getOut().println("no cluster runs from " + stateDir + " (no " + file + ")");
        }
        return 0;
    }

    private static Map<String, Object> report(String rest, List<Long> stopped) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("rest", rest);
        report.put("stoppedPids", stopped);
        return report;
    }
}

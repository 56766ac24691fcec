package io.latentflow.cli.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop every process 'cluster up' started (from <state-dir>/cluster/cluster.json).")
final class ClusterDownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "The state folder 'cluster up' was started with (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        Path file = ClusterFile.in(stateDir);
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

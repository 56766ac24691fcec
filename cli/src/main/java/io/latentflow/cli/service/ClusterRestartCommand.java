package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.stack.ClusterChangeLock;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.ClusterServices;
import io.latentflow.cli.stack.ClusterServices.Part;
import io.latentflow.cli.stack.ServiceLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow cluster restart PART}: starts again a part of the running cluster whose process is gone (killed,
 * crashed), on the same ports and state, and writes its new pid into {@code cluster.json}. A part that still runs is
 * left alone.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Start again what of the cluster was killed, on the same ports and state: kafka, s3, jobmanager,"
                + " zookeeper, or taskmanager (every TaskManager that is gone). A part that still runs is left alone.")
final class ClusterRestartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PART", converter = PartConverter.class,
            description = "kafka, s3, jobmanager, taskmanager or zookeeper.")
    Part part;

    @Option(names = "--state-dir", defaultValue = "${env:LATENTFLOW_STATE_DIR:-.latentflow}",
            description = "The state folder 'cluster up' was started with (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Path file = ClusterFile.in(stateDir);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no cluster runs from " + stateDir + " (no " + file + "): start one"
                    + " with 'latentflow cluster up'");
        }
        ClusterFile before;
        ClusterFile after;
        try (ServiceLock changing = ClusterChangeLock.take(stateDir, "cluster restart " + part,
                spec.commandLine().getErr())) {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("the cluster of " + stateDir + " was stopped meanwhile");
            }
            before = ClusterFile.read(file);
            ClusterServices services = new ClusterServices(stateDir.resolve("cluster"),
                    Path.of(System.getProperty("latentflow.home", ".")));
            after = services.restart(before, part);
            if (!after.allPids().equals(before.allPids())) {
                after.write(file);
            }
        }
        List<Long> started = new ArrayList<>(after.allPids());
        started.removeAll(before.allPids());
        if (output.json()) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("part", part.toString());
            report.put("startedPids", started);
            report.put("cluster", after.toJson());
            output.print(spec, report);
        } else if (started.isEmpty()) {
            spec.commandLine().getOut().println(part + " still runs: nothing to restart");
        } else {
            spec.commandLine().getOut().println("restarted " + part + " (pid " + started + ") on its ports and state");
        }
        return 0;
    }

    /** Lower-case part names, as users type them. */
    static final class PartConverter implements picocli.CommandLine.ITypeConverter<Part> {
        @Override
        public Part convert(String value) {
            for (Part candidate : Part.values()) {
                if (candidate.toString().equals(value)) {
                    return candidate;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is no part of the cluster: use"
                    + " kafka, s3, jobmanager, taskmanager or zookeeper");
        }
    }
}

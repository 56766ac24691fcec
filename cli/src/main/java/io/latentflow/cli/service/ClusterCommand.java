package io.latentflow.cli.service;

import picocli.CommandLine.Command;

/** {@code latentflow cluster up|down}: a standalone Flink session cluster of separate processes on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A standalone Flink session cluster (separate JobManager and TaskManager processes) on loopback.",
        subcommands = {ClusterUpCommand.class, ClusterDownCommand.class})
public final class ClusterCommand {
}

package io.latentflow.cli.service;

import picocli.CommandLine.Command;

/**
 * {@code latentflow cluster up|down|restart}: a standalone Flink session cluster of separate processes on this machine,
 * with Kafka, S3 and ZooKeeper as processes of their own when asked.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A standalone Flink session cluster (separate JobManager and TaskManager processes) on loopback.",
        subcommands = {ClusterUpCommand.class, ClusterDownCommand.class, ClusterRestartCommand.class})
public final class ClusterCommand {
}

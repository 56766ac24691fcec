package io.latentflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ./latentflow} command line. */
@Command(
        name = "latentflow",
        mixinStandardHelpOptions = true,
        version = "latentflow 0.1.0",
        description = "Streams images through Flink into autoencoder latents in object storage, exactly once.",
        subcommands = {DemoCommand.class, BenchCommand.class, TrainCommand.class, EvalCommand.class,
                DashboardCommand.class, ProfileCommand.class, AblationCommand.class, ClusterCommand.class, IngestCommand.class, RunCommand.class, StatusCommand.class,
                CommandLine.HelpCommand.class})
public final class Latentflow {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Latentflow()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}

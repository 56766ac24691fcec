package io.latentflow.cli;

import io.latentflow.cli.stack.ClusterBusyException;
import io.latentflow.cli.stack.ConnectionFailures;
import io.latentflow.cli.bench.BenchCommand;
import io.latentflow.cli.demo.DemoCommand;
import io.latentflow.cli.models.FineTuneCommand;
import io.latentflow.cli.models.ModelsCommand;
import io.latentflow.cli.replay.ReplayCommand;
import io.latentflow.cli.service.ClusterCommand;
import io.latentflow.cli.service.DashboardCommand;
import io.latentflow.cli.service.DecodeCommand;
import io.latentflow.cli.service.IngestCommand;
import io.latentflow.cli.service.RunCommand;
import io.latentflow.cli.service.ShardsCommand;
import io.latentflow.cli.service.StatusCommand;
import io.latentflow.cli.train.AblationCommand;
import io.latentflow.cli.train.EvalCommand;
import io.latentflow.cli.train.ProfileCommand;
import io.latentflow.cli.train.TrainCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Entry point of the {@code ./latentflow} command line. */
@Command(
        name = "latentflow",
        mixinStandardHelpOptions = true,
        version = "latentflow 0.1.0",
        description = "Streams images through Flink into autoencoder latents in object storage, exactly once.",
        subcommands = {DemoCommand.class, RunCommand.class, IngestCommand.class, StatusCommand.class, ShardsCommand.class,
                ModelsCommand.class, FineTuneCommand.class, ReplayCommand.class, ClusterCommand.class, BenchCommand.class,
                TrainCommand.class, EvalCommand.class, DecodeCommand.class,
                DashboardCommand.class, ProfileCommand.class, AblationCommand.class, CommandLine.HelpCommand.class})
public final class Latentflow {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Latentflow()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Latentflow::reportFailure);
    }

    /**
     * A failed command says what was wrong in one line on stderr and exits with 1 (2 when another command holds the
     * cluster folder: try again later); the stack trace only with
     * LATENTFLOW_DEBUG set (errors here are written for users: which input, what to do).
     */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        commandLine.getErr().println("latentflow " + commandLine.getCommandName() + ": "
                + ConnectionFailures.explain(e).orElseGet(() -> message(e)));
        if (System.getenv("LATENTFLOW_DEBUG") != null) {
            e.printStackTrace(commandLine.getErr());
        }
        commandLine.getErr().flush();
        return e instanceof ClusterBusyException ? ClusterBusyException.EXIT_CODE : 1;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }
}

package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a {@code latentflow} command in this JVM, as a user would type it, and reads its {@code --json} output. */
final class LatentflowCli {

    private LatentflowCli() {
    }

    /** What one command did: its exit code and what it printed on each stream. */
    record Run(int exit, String out, String err) {
    }

    /** Runs {@code args} and returns what happened, whatever the exit code. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs {@code args} (which must include --json), asserts exit code 0, and parses what it printed. */
    static JsonNode json(String... args) throws Exception {
        Run run = run(args);
        assertThat(run.exit()).as("latentflow %s exit code; output: %s; errors: %s", args[0], run.out(), run.err())
                .isZero();
        return new ObjectMapper().readTree(run.out());
    }
}

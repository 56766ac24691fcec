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

    /** Runs {@code args} (which must include --json), asserts exit code 0, and parses what it printed. */
    static JsonNode json(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Latentflow.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        assertThat(exit).as("latentflow %s exit code; output: %s; errors: %s", args[0], out, err).isZero();
        return new ObjectMapper().readTree(out.toString());
    }
}

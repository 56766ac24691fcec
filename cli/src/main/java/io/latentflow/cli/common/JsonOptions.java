package io.latentflow.cli.common;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --json} and {@code --pretty}, the same on every command that reports. */
public final class JsonOptions {

    @Option(names = "--json", description = "Print the result as JSON: one object (a list for list commands),"
            + " indented on a terminal or with --pretty, else on one line.")
    boolean json;

    @Option(names = "--pretty", description = "Indent the --json output even when stdout is not a terminal.")
    boolean pretty;

    public boolean json() {
        return json;
    }

    public JsonPrinter printer() {
        return JsonPrinter.forStdout(pretty);
    }

    /** Prints the report on the command's stdout through the one printer. */
    public void print(CommandSpec spec, Object report) {
        print(spec.commandLine().getOut(), report);
    }

    public void print(PrintWriter out, Object report) {
        printer().print(out, report);
    }
}

package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.registry.ModelRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow models promote VERSION}: the running service switches to it. */
@Command(name = "promote", mixinStandardHelpOptions = true, description = "Record PROMOTED: the running service"
        + " loads the version at once and encodes with it every image stamped from --lead after now on.")
final class ModelsPromoteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Parameters(paramLabel = "VERSION")
    String version;

    @Option(names = "--reason", defaultValue = "promoted by hand", description = "Why (default ${DEFAULT-VALUE}).")
    String reason;

    @Option(names = "--lead", defaultValue = "PT10S",
            description = "Time for every encoder to load the version before it takes effect, ISO-8601 (default"
                    + " ${DEFAULT-VALUE}, at least PT5S).")
    Duration lead;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Instant effective;
        try (ModelRegistry registry = service.resolve().openRegistry()) {
            effective = registry.promote(version, reason, lead);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, Map.of("version", version, "effectiveFrom", effective.toString()));
        } else {
            out.println("promoted " + version + ": it encodes the images stamped from " + effective + " on");
            out.flush();
        }
        return 0;
    }
}

package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.registry.ModelRegistry;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latentflow models rollback}: the previously serving version serves again. */
@Command(name = "rollback", mixinStandardHelpOptions = true, description = "Serve the previously serving version"
        + " again (records ROLLED_BACK for the current one).")
final class ModelsRollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Option(names = "--reason", defaultValue = "rolled back by hand", description = "Why (default ${DEFAULT-VALUE}).")
    String reason;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        String serving;
        try (ModelRegistry registry = service.resolve().openRegistry()) {
            serving = registry.rollback(reason);
        }
        if (output.json()) {
            output.print(spec, Map.of("serving", serving));
        } else {
            spec.commandLine().getOut().println("rolled back; serving " + serving);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}

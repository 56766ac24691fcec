package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code latentflow models list}: every version in the registry, its state and figures. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Every published version: state,"
        + " serving or not, when it was published, its latent space (versions that share one give identical"
        + " latents), its figures.")
final class ModelsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        ModelHistory history;
        try (ModelRegistry registry = service.resolve().openRegistry()) {
            history = registry.history();
        }
        String serving = history.serving().orElse(null);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelHistory.VersionState version : history.versions().values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("version", version.version());
            row.put("state", version.state().name());
            row.put("serving", version.version().equals(serving));
            row.put("created", version.publishedAt());
            row.put("latentSpace", version.latentSpace());
            row.put("reason", version.reason());
            row.put("metrics", version.figures());
            rows.add(row);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, rows);
        } else {
            out.printf("%-28s %-12s %-8s %-26s %-19s %s%n", "VERSION", "STATE", "SERVING", "CREATED",
                    "LATENT SPACE", "METRICS");
            rows.forEach(row -> out.printf("%-28s %-12s %-8s %-26s %-19s %s%n", row.get("version"),
                    row.get("state"), (Boolean) row.get("serving") ? "yes" : "", row.get("created"),
                    ((String) row.get("latentSpace")).isEmpty() ? "-" : row.get("latentSpace"), row.get("metrics")));
        }
        out.flush();
        return 0;
    }
}

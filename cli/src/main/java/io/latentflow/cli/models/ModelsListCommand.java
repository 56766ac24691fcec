package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.cli.common.TrustedKeysOptions;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.TrustedKeys;
import java.io.IOException;
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
        + " latents), the key that signed it, its figures. With --trusted-keys, also whether its stored signature"
        + " verifies (signatureTrusted, and signatureRefusal: the reason a service with those keys would give).")
final class ModelsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Mixin
    TrustedKeysOptions trusted;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        TrustedKeys trustedKeys = trusted.load();
        String serving;
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ModelRegistry registry = service.resolve().openRegistry()) {
            ModelHistory history = registry.history();
            serving = history.serving().orElse(null);
            for (ModelHistory.VersionState version : history.versions().values()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("version", version.version());
                row.put("state", version.state().name());
                row.put("serving", version.version().equals(serving));
                row.put("created", version.publishedAt());
                row.put("latentSpace", version.latentSpace());
                row.put("signedBy", history.signedBy(version.version()).orElse(null));
                row.put("signatureTrusted", null);
                row.put("signatureRefusal", null);
                if (trustedKeys.checksSignatures()) {
                    String refusal = refusal(registry, version.version(), trustedKeys);
                    row.put("signatureTrusted", refusal == null);
                    row.put("signatureRefusal", refusal);
                }
                row.put("reason", version.reason());
                row.put("metrics", version.figures());
                rows.add(row);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.print(out, rows);
        } else {
            out.printf("%-28s %-12s %-8s %-26s %-19s %-26s %s%n", "VERSION", "STATE", "SERVING", "CREATED",
                    "LATENT SPACE", "SIGNED BY", "METRICS");
            rows.forEach(row -> out.printf("%-28s %-12s %-8s %-26s %-19s %-26s %s%n", row.get("version"),
                    row.get("state"), (Boolean) row.get("serving") ? "yes" : "", row.get("created"),
                    ((String) row.get("latentSpace")).isEmpty() ? "-" : row.get("latentSpace"), signedBy(row),
                    row.get("metrics")));
        }
        out.flush();
        return 0;
    }

    /** Why a service with {@code trusted} would refuse the stored version; null when it would serve it. */
    private static String refusal(ModelRegistry registry, String version, TrustedKeys trusted) throws IOException {
        try {
            registry.checkSignature(version, trusted);
            return null;
        } catch (TrustedKeys.UntrustedVersionException e) {
            return e.getMessage();
        }
    }

    /** The key id or "unsigned", and with trusted keys whether the signature is accepted. */
    private static String signedBy(Map<String, Object> row) {
        String key = row.get("signedBy") == null ? "unsigned" : (String) row.get("signedBy");
        Object trusted = row.get("signatureTrusted");
        return trusted == null ? key : key + (Boolean.TRUE.equals(trusted) ? " trusted" : " REFUSED");
    }
}

package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.cli.common.SignKeyOptions;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKey;
import io.latentflow.model.store.ModelDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow models publish DIR}: a verified model directory into the registry. */
@Command(name = "publish", mixinStandardHelpOptions = true, description = "Verify a model directory against its"
        + " manifest, upload it and record PUBLISHED. A tampered or incomplete directory is refused by file name"
        + " and nothing is uploaded.")
final class ModelsPublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Parameters(paramLabel = "DIR", description = "A model version directory (as 'latentflow train' writes).")
    Path dir;

    @Mixin
    SignKeyOptions signKey;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        // a broken key or directory is refused before anything is contacted
        Optional<SigningKey> signer = signKey.read();
        ModelDirectory.verify(dir);
        try (ModelRegistry registry = service.resolve().openRegistry()) {
            String version = registry.publish(dir, Map.of(), signer);
            PrintWriter out = spec.commandLine().getOut();
            String signedBy = signer.map(SigningKey::keyId).orElse("");
            if (output.json()) {
                output.print(out, Map.of("version", version, "uri", registry.uri(version), "signedBy", signedBy));
            } else {
                out.println("published " + version + " to " + registry.uri(version)
                        + (signedBy.isEmpty() ? "" : ", signed by key " + signedBy));
                out.flush();
            }
        }
        return 0;
    }
}

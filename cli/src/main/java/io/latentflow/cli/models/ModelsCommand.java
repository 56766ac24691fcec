package io.latentflow.cli.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.cli.stack.ServiceConnections;
import io.latentflow.jobs.registry.ModelHistory;
import io.latentflow.jobs.registry.ModelRegistry;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow models list|publish|promote|rollback|import}: the model registry, and versions made elsewhere. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model registry: versions in object storage under models/<version>/, their life on the"
                + " model-events topic.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Publish.class, ModelsCommand.Promote.class,
                ModelsCommand.Rollback.class, ModelsCommand.Import.class})
public final class ModelsCommand {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The registry on the given Kafka and S3, else the running service's. */
    static ModelRegistry open(ServiceOptions service) {
        ServiceConnections connections = service.resolve();
        return new ModelRegistry(connections.kafka(), connections.s3().orElseThrow(() -> new IllegalArgumentException(
                "the registry needs object storage: give --s3-endpoint and its keys, or run 'latentflow run'")));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every published version: state,"
            + " serving or not, when it was published, its latent space (versions that share one give identical"
            + " latents), its figures.")
    static final class ListVersions implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ServiceOptions service;

        @Option(names = "--json", description = "Print one JSON array.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ModelHistory history;
            try (ModelRegistry registry = open(service)) {
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
            if (json) {
                out.println(JSON.writeValueAsString(rows));
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

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Verify a model directory against its"
            + " manifest, upload it and record PUBLISHED. A tampered or incomplete directory is refused by file name"
            + " and nothing is uploaded.")
    static final class Publish implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ServiceOptions service;

        @Parameters(paramLabel = "DIR", description = "A model version directory (as 'latentflow train' writes).")
        Path dir;

        @Option(names = "--json", description = "Print {\"version\": ..., \"uri\": ...}.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ModelDirectory.verify(dir); // a broken directory is refused before anything is contacted
            try (ModelRegistry registry = open(service)) {
                String version = registry.publish(dir);
                PrintWriter out = spec.commandLine().getOut();
                out.println(json ? JSON.writeValueAsString(Map.of("version", version, "uri", registry.uri(version)))
                        : "published " + version + " to " + registry.uri(version));
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Turn a diffusers AutoencoderKL (SD,"
            + " SDXL, SD3, FLUX or your own: SRC/config.json + SRC/diffusion_pytorch_model.safetensors, or a pipeline"
            + " folder with vae/) into a model version directory that every --model option takes. It serves"
            + " (posterior mean - shift_factor) * scaling_factor, what a diffusion model consumes. A checkpoint that"
            + " does not match its config is refused (exit 2), naming the field or tensor, and nothing is written.")
    static final class Import implements Callable<Integer> {

        /** Exit code of a refused checkpoint (1 stays for every other failure). */
        static final int REFUSED = 2;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "SRC",
                description = "A diffusers AutoencoderKL folder, or a pipeline folder with vae/.")
        Path source;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model version directory to"
                + " write (must not exist or be empty).")
        Path out;

        @Option(names = "--version", paramLabel = "ID", description = "The version id (default"
                + " diffusers-kl-f<f>c<c>-<content hash>).")
        String version;

        @Option(names = "--json", description = "Print {\"version\", \"latentChannels\", \"downsampling\","
                + " \"scalingFactor\", \"shiftFactor\", \"latentSpace\", \"parameters\", \"dir\"}.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ImportedVae vae;
            try {
                vae = ImportedVae.read(source);
            } catch (IllegalArgumentException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("latentflow models import: refused: " + e.getMessage());
                err.flush();
                return REFUSED;
            }
            Manifest manifest = vae.save(out, version);
            DiffusersVaeConfig config = vae.config();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("version", manifest.version());
            result.put("latentChannels", config.latentChannels());
            result.put("downsampling", config.downsamplingFactor());
            result.put("scalingFactor", config.scalingFactor());
            result.put("shiftFactor", config.shiftFactor());
            result.put("latentSpace", vae.latentSpace());
            result.put("parameters", vae.parameterCount());
            result.put("dir", out.toAbsolutePath().toString());
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) {
                stdout.println(JSON.writeValueAsString(result));
            } else {
                stdout.printf("imported %s into %s: %d latent channels, %dx downsampling, scale %s, shift %s,"
                                + " latent space %s, %,d parameters%n", manifest.version(), out,
                        config.latentChannels(), config.downsamplingFactor(), config.scalingFactor(),
                        config.shiftFactor(), result.get("latentSpace"), vae.parameterCount());
            }
            stdout.flush();
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Record PROMOTED: the running service"
            + " loads the version at once and encodes with it every image stamped from --lead after now on.")
    static final class Promote implements Callable<Integer> {

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

        @Option(names = "--json", description = "Print {\"version\": ..., \"effectiveFrom\": ...}.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Instant effective;
            try (ModelRegistry registry = open(service)) {
                effective = registry.promote(version, reason, lead);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? JSON.writeValueAsString(Map.of("version", version, "effectiveFrom", effective.toString()))
                    : "promoted " + version + ": it encodes the images stamped from " + effective + " on");
            out.flush();
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Serve the previously serving version"
            + " again (records ROLLED_BACK for the current one).")
    static final class Rollback implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ServiceOptions service;

        @Option(names = "--reason", defaultValue = "rolled back by hand", description = "Why (default ${DEFAULT-VALUE}).")
        String reason;

        @Override
        public Integer call() throws Exception {
            String serving;
            try (ModelRegistry registry = open(service)) {
                serving = registry.rollback(reason);
            }
            spec.commandLine().getOut().println("rolled back; serving " + serving);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}

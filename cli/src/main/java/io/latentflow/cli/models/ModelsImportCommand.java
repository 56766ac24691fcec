package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.model.diffusers.DiffusersVaeConfig;
import io.latentflow.model.diffusers.ImportedVae;
import io.latentflow.model.store.Manifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow models import SRC}: a diffusers AutoencoderKL as a model version directory. */
@Command(name = "import", description = "Turn a diffusers AutoencoderKL (SD,"
        + " SDXL, SD3, FLUX or your own: SRC/config.json + SRC/diffusion_pytorch_model.safetensors, or a pipeline"
        + " folder with vae/) into a model version directory that every --model option takes. It serves"
        + " (posterior mean - shift_factor) * scaling_factor, what a diffusion model consumes. A checkpoint that"
        + " does not match its config is refused (exit 2), naming the field or tensor, and nothing is written.")
final class ModelsImportCommand implements Callable<Integer> {

    /** Exit code of a refused checkpoint (1 stays for every other failure). */
    static final int REFUSED = 2;

    @Spec
    CommandSpec spec;

    // not mixinStandardHelpOptions: its --version would clash with this command's --version (the version id)
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "SRC",
            description = "A diffusers AutoencoderKL folder, or a pipeline folder with vae/.")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model version directory to"
            + " write (must not exist or be empty).")
    Path out;

    @Option(names = "--version", paramLabel = "ID", description = "The version id (default"
            + " diffusers-kl-f<f>c<c>-<content hash>).")
    String version;

    @Mixin
    JsonOptions output;

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
        if (output.json()) {
            output.print(stdout, result);
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

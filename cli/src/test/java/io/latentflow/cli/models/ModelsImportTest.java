package io.latentflow.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ModelsImportTest {

    private static final Path FIXTURES = Path.of(System.getProperty("latentflow.home"), "model", "src", "test",
            "resources", "diffusers");

    @Test
    void importsAFluxStyleCheckpointAsAVersionThatLoadsLikeAnyOther(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("flux");
        StringWriter stdout = new StringWriter();

        int exit = Latentflow.commandLine().setOut(new PrintWriter(stdout))
                .execute("models", "import", FIXTURES.resolve("flux-f16").toString(), "--out", out.toString(),
                        "--json");

        assertThat(exit).isZero();
        JsonNode printed = new ObjectMapper().readTree(stdout.toString());
        assertThat(printed.get("latentChannels").asInt()).isEqualTo(16);
        assertThat(printed.get("downsampling").asInt()).isEqualTo(8);
        assertThat(printed.get("scalingFactor").asDouble()).isEqualTo(0.3611);
        assertThat(printed.get("shiftFactor").asDouble()).isEqualTo(0.1159);
        assertThat(printed.get("parameters").asLong()).isEqualTo(86_331);
        assertThat(ModelDirectory.verify(out).version()).isEqualTo(printed.get("version").asText());
        try (ServingModel model = ServingModel.load(out)) {
            assertThat(model.version()).isEqualTo(printed.get("version").asText());
            assertThat(model.scalingFactor()).isEqualTo(0.3611);
            assertThat(model.latentSpace()).isEqualTo(printed.get("latentSpace").asText());
        }
    }

    @Test
    void aCheckpointThatDoesNotMatchItsConfigExitsWith2AndWritesNothing(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("mismatched"));
        Files.copy(FIXTURES.resolve("sd-f32").resolve("diffusion_pytorch_model.safetensors"),
                source.resolve("diffusion_pytorch_model.safetensors"));
        Files.writeString(source.resolve("config.json"), Files.readString(FIXTURES.resolve("flux-f16")
                .resolve("config.json")));
        Path out = dir.resolve("out");
        StringWriter stderr = new StringWriter();

        int exit = Latentflow.commandLine().setErr(new PrintWriter(stderr))
                .execute("models", "import", source.toString(), "--out", out.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(stderr.toString()).contains("refused").contains("unexpected").contains("quant_conv.weight");
        assertThat(out).doesNotExist();
    }
}
